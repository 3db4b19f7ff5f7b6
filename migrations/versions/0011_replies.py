"""The practice's public replies to reviews: each signed version kept.

Adds `review_replies`: one row per signed `ReviewReply` version (the reply, then each
edit naming the one before), with its text (emptied when the review is erased), the
text's keccak256, the deadline and the dentist's signature.

Revision ID: 0011_replies
Revises: 0010_fees
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_replies"
down_revision: str | Sequence[str] | None = "0010_fees"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "review_replies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column("review_digest", sa.String(66), nullable=False),
        sa.Column("previous_digest", sa.String(66), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_hash", sa.String(66), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column(
            "signature", sa.String(132).with_variant(sa.Text(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_review_replies_seq_positive")),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_replies_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_replies")),
        sa.UniqueConstraint("digest", name=op.f("uq_review_replies_digest")),
        sa.UniqueConstraint("review_id", "seq", name=op.f("uq_review_replies_review_id_seq")),
    )
    op.create_index(
        "ix_review_replies_dentist_seq_created_at",
        "review_replies",
        ["dentist", "seq", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_review_replies_dentist_seq_created_at", table_name="review_replies")
    op.drop_table("review_replies")
