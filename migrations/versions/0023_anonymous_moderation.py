"""Moderation of anonymous reviews: flags and operators' decisions on the same tables as
a named review's, keyed by either review's id (exactly one), and the anonymous review's
public moderation state (under review, removed with its reason).

Revision ID: 0023_anonymous_moderation
Revises: 0022_anonymous
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_anonymous_moderation"
down_revision: str | Sequence[str] | None = "0022_anonymous"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_REVIEW = "(review_id IS NULL) <> (anonymous_review_id IS NULL)"


def upgrade() -> None:
    with op.batch_alter_table("anonymous_reviews") as batch:
        batch.add_column(sa.Column("moderation_state", sa.String(16), nullable=True))
        batch.add_column(sa.Column("moderation_reason", sa.String(32), nullable=True))
    for table in ("review_flags", "moderation_decisions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("anonymous_review_id", sa.String(34), nullable=True))
            batch.alter_column("review_id", existing_type=sa.Integer(), nullable=True)
            batch.create_foreign_key(
                op.f(f"fk_{table}_anonymous_review_id_anonymous_reviews"),
                "anonymous_reviews",
                ["anonymous_review_id"],
                ["id"],
            )
            batch.create_check_constraint(op.f(f"ck_{table}_one_review"), ONE_REVIEW)
        op.create_index(op.f(f"ix_{table}_anonymous_review_id"), table, ["anonymous_review_id"])


def downgrade() -> None:
    # An anonymous review's flags (which may point to its decisions), then its decisions.
    for table in ("review_flags", "moderation_decisions"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE anonymous_review_id IS NOT NULL"))
    for table in ("review_flags", "moderation_decisions"):
        op.drop_index(op.f(f"ix_{table}_anonymous_review_id"), table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_one_review"), type_="check")
            batch.drop_constraint(
                op.f(f"fk_{table}_anonymous_review_id_anonymous_reviews"), type_="foreignkey"
            )
            batch.alter_column("review_id", existing_type=sa.Integer(), nullable=False)
            batch.drop_column("anonymous_review_id")
    with op.batch_alter_table("anonymous_reviews") as batch:
        batch.drop_column("moderation_reason")
        batch.drop_column("moderation_state")
