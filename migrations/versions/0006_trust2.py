"""Edits and erasure by the patient: signed revisions kept as their proof.

Adds `review_revisions` (each signed `ReviewEdit` or `ReviewErasure`) and, on `reviews`,
the author's state, the signed text's hash (kept once the text is erased) and the latest
edit's ratings.

Revision ID: 0006_trust2
Revises: 0005_dentist
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_trust2"
down_revision: str | Sequence[str] | None = "0005_dentist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EDITED = ("edited_rating", "edited_treatment", "edited_bedside", "edited_wait_time")


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite, which would drop the reviews triggers).
    op.add_column("reviews", sa.Column("author_state", sa.String(16), nullable=True))
    op.add_column("reviews", sa.Column("text_hash", sa.String(66), nullable=True))
    for name in _EDITED:
        op.add_column("reviews", sa.Column(name, sa.SmallInteger(), nullable=True))
    op.add_column("reviews", sa.Column("moderation_state", sa.String(16), nullable=True))
    op.add_column("reviews", sa.Column("moderation_reason", sa.String(32), nullable=True))
    op.create_table(
        "review_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column("previous_digest", sa.String(66), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("treatment", sa.SmallInteger(), nullable=True),
        sa.Column("bedside", sa.SmallInteger(), nullable=True),
        sa.Column("wait_time", sa.SmallInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("text_hash", sa.String(66), nullable=True),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column(
            "signature", sa.String(132).with_variant(sa.Text(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('edit', 'erasure')", name=op.f("ck_review_revisions_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_revisions_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_revisions")),
        sa.UniqueConstraint("digest", name=op.f("uq_review_revisions_digest")),
        sa.UniqueConstraint("review_id", "seq", name=op.f("uq_review_revisions_review_id_seq")),
    )

    op.create_table(
        "moderation_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("operator", sa.String(42), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "action IN ('keep', 'remove', 'under_review')",
            name=op.f("ck_moderation_decisions_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_moderation_decisions_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
    )
    op.create_index(
        op.f("ix_moderation_decisions_review_id"), "moderation_decisions", ["review_id"]
    )
    op.create_table(
        "review_flags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("reporter", sa.String(42), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_review_flags_review_id_reviews")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["moderation_decisions.id"],
            name=op.f("fk_review_flags_decision_id_moderation_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
    )
    op.create_index(op.f("ix_review_flags_review_id"), "review_flags", ["review_id"])
    op.create_index(
        "ix_review_flags_resolved_at_review_id", "review_flags", ["resolved_at", "review_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_flags_resolved_at_review_id", table_name="review_flags")
    op.drop_index(op.f("ix_review_flags_review_id"), table_name="review_flags")
    op.drop_table("review_flags")
    op.drop_index(op.f("ix_moderation_decisions_review_id"), table_name="moderation_decisions")
    op.drop_table("moderation_decisions")
    op.drop_column("reviews", "moderation_reason")
    op.drop_column("reviews", "moderation_state")
    op.drop_table("review_revisions")
    for name in (*reversed(_EDITED), "text_hash", "author_state"):
        op.drop_column("reviews", name)
