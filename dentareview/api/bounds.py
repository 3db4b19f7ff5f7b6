"""Bounds of the numbers that arrive in paths and queries, one definition each.

Each bound is what the column (or SQL clause) the number meets can hold, on
PostgreSQL and SQLite alike, so an out-of-range number is a 422 VALIDATION_ERROR
and never reaches the database (PostgreSQL refuses a 64-bit value compared with
a 32-bit INTEGER column with an error, SQLite does not).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path, Query

SQL_INTEGER_MAX: Final = 2**31 - 1  # INTEGER (PostgreSQL int4)
SQL_BIGINT_MAX: Final = 2**63 - 1  # BIGINT (PostgreSQL int8, SQLite INTEGER)

REVIEW_ID_MAX: Final = SQL_INTEGER_MAX  # reviews.id is an INTEGER
PAGE_SIZE_MAX: Final = 100
OFFSET_MAX: Final = 10**9  # far below OFFSET's BIGINT; deeper pages are not useful

ReviewIdPath = Annotated[
    int, Path(ge=1, le=REVIEW_ID_MAX, description="The review's id (a 32-bit column)")
]
# Free text in a query string or a short note: no control characters (PostgreSQL's text
# cannot hold NUL at all, and none belongs in a search or a note).
NO_CONTROL_CHARACTERS: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SearchQuery = Annotated[
    str,
    Query(
        max_length=200,
        pattern=NO_CONTROL_CHARACTERS,
        description="part of a name or a city, the start of a postal code or of an "
        "address (any case; no control characters)",
    ),
]

PageSize = Annotated[int, Query(ge=1, le=PAGE_SIZE_MAX, description="Items per page")]
PageOffset = Annotated[int, Query(ge=0, le=OFFSET_MAX, description="Items to skip")]
