"""Visits from practice systems: the record of each import.

Revision ID: 0018_visit_imports
Revises: 0017_recommendations
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0018_visit_imports"
down_revision: str | Sequence[str] | None = "0017_recommendations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
