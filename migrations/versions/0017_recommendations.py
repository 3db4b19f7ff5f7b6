"""Would you recommend us: the signed 0-10 scores.

Revision ID: 0017_recommendations
Revises: 0016_practice_news
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0017_recommendations"
down_revision: str | Sequence[str] | None = "0016_practice_news"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
