"""The rating scale, 1..5, stated once.

The registry accepts no other rating (`_isRating` in contracts/ReviewRegistry.sol), so
neither may the service: the policy's bounds can only narrow this scale, the database's
CHECK constraints on the rating columns and the reputation's star histogram are built
from it. Changing it means changing the contract first.
"""

from __future__ import annotations

from typing import Final

RATING_MIN: Final = 1
RATING_MAX: Final = 5
# Every rating, lowest first: the histogram's keys, the aggregates' star columns.
STARS: Final = range(RATING_MIN, RATING_MAX + 1)
