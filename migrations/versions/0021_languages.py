"""Languages: the one a review was written in, and the one a patient is invited in.

Adds `reviews.language` (the page's language when the patient wrote; not signed, shown
only) and `invitations.language` (the language of the patient's invitation email and
of the page its link opens; NULL: English). Both nullable: rows before this have none.

Revision ID: 0021_languages
Revises: 0020_practice_details
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_languages"
down_revision: str | Sequence[str] | None = "0020_practice_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on reviews: a batch copy on SQLite would drop 0002's trigger.
    op.add_column("reviews", sa.Column("language", sa.String(8), nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("language")
    # Plain DROP COLUMN (SQLite >= 3.35), as 0006 does: no rebuild of reviews.
    op.drop_column("reviews", "language")
