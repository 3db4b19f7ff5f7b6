"""News for practices: events, webhook endpoints and the delivery log.

Revision ID: 0016_practice_news
Revises: 0015_invitations
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0016_practice_news"
down_revision: str | Sequence[str] | None = "0015_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
