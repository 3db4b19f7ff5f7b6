"""Anonymous reviews: practices' groups of identity commitments, their roots committed
on-chain, and anonymous reviews with their Semaphore proofs (docs/ANONYMOUS.md).

`anonymous_memberships` (one per visit; a commitment is one leaf per practice),
`anonymous_group_roots` (roots to commit, with the outbox's write-ahead columns) and
`anonymous_reviews` (queued for delayed, batched publication; the outbox's columns too).
No table shares a key with another: nothing links a visit to an anonymous review.

Revision ID: 0022_anonymous
Revises: 0021_languages
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_anonymous"
down_revision: str | Sequence[str] | None = "0021_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = sa.String(132).with_variant(sa.Text(), "postgresql")


def _write_columns() -> list[sa.Column[object]]:
    """The outbox's write-ahead and retry columns (db.models.RetriedWrite)."""
    return [
        sa.Column("sent_tx_hash", sa.String(66), nullable=True),
        sa.Column("sent_nonce", sa.BigInteger(), nullable=True),
        sa.Column("replace_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False, server_default="0"),
    ]


def upgrade() -> None:
    op.create_table(
        "anonymous_memberships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(66), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("commitment", sa.String(78), nullable=False),
        sa.Column("leaf_index", sa.Integer(), nullable=True),
        sa.Column("signature", SIGNATURE, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_memberships")),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.visit_id"],
            name=op.f("fk_anonymous_memberships_visit_id_visits"),
        ),
        sa.UniqueConstraint("visit_id", name=op.f("uq_anonymous_memberships_visit_id")),
        sa.UniqueConstraint(
            "dentist", "leaf_index", name=op.f("uq_anonymous_memberships_dentist_leaf_index")
        ),
    )
    op.create_index(
        "ix_anonymous_memberships_dentist_commitment",
        "anonymous_memberships",
        ["dentist", "commitment"],
    )
    op.create_table(
        "anonymous_group_roots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("root", sa.String(78), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("committed_at", sa.BigInteger(), nullable=True),
        *_write_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_group_roots")),
        sa.CheckConstraint(
            "status IN ('pending', 'committed', 'failed')",
            name=op.f("ck_anonymous_group_roots_status_known"),
        ),
    )
    op.create_index(
        "ix_anonymous_group_roots_dentist_size", "anonymous_group_roots", ["dentist", "size"]
    )
    op.create_index("ix_anonymous_group_roots_status", "anonymous_group_roots", ["status"])
    op.create_table(
        "anonymous_reviews",
        sa.Column("id", sa.String(34), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("period", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("treatment", sa.SmallInteger(), nullable=False),
        sa.Column("bedside", sa.SmallInteger(), nullable=False),
        sa.Column("wait_time", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column("reward_to", sa.String(42), nullable=False),
        sa.Column("root", sa.String(78), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("nullifier", sa.String(78), nullable=False),
        sa.Column("points", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("publish_after", sa.BigInteger(), nullable=False),
        sa.Column("publish_by", sa.BigInteger(), nullable=False),
        sa.Column("anchored_at", sa.BigInteger(), nullable=True),
        *_write_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_reviews")),
        sa.UniqueConstraint("digest", name=op.f("uq_anonymous_reviews_digest")),
        sa.UniqueConstraint("nullifier", name=op.f("uq_anonymous_reviews_nullifier")),
        sa.CheckConstraint(
            "status IN ('queued', 'submitted', 'anchored', 'failed')",
            name=op.f("ck_anonymous_reviews_status_known"),
        ),
    )
    op.create_index(
        "ix_anonymous_reviews_status_publish_after",
        "anonymous_reviews",
        ["status", "publish_after"],
    )
    op.create_index(
        "ix_anonymous_reviews_dentist_anchored_at",
        "anonymous_reviews",
        ["dentist", "anchored_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_anonymous_reviews_dentist_anchored_at", table_name="anonymous_reviews")
    op.drop_index("ix_anonymous_reviews_status_publish_after", table_name="anonymous_reviews")
    op.drop_table("anonymous_reviews")
    op.drop_index("ix_anonymous_group_roots_status", table_name="anonymous_group_roots")
    op.drop_index("ix_anonymous_group_roots_dentist_size", table_name="anonymous_group_roots")
    op.drop_table("anonymous_group_roots")
    op.drop_index(
        "ix_anonymous_memberships_dentist_commitment", table_name="anonymous_memberships"
    )
    op.drop_table("anonymous_memberships")
