"""Signed statements about reviews (edits, erasures, replies) anchored on-chain.

Adds `statement_anchors`: one row per statement digest, its kind, and the relay's
write-ahead record (the noted transaction and nonce), then the including block, its
finality and the backoff, as for reviews. Fills it with the edits and erasures already
accepted, as pending: the worker anchors them.

Revision ID: 0008_statements
Revises: 0007_scale
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_statements"
down_revision: str | Sequence[str] | None = "0007_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "statement_anchors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("sent_tx_hash", sa.String(66), nullable=True),
        sa.Column("sent_nonce", sa.BigInteger(), nullable=True),
        sa.Column("replace_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("anchored_at", sa.BigInteger(), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_anchors")),
        sa.UniqueConstraint("digest", name=op.f("uq_statement_anchors_digest")),
        sa.CheckConstraint(
            "kind IN ('edit', 'erasure', 'reply')", name=op.f("ck_statement_anchors_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'anchored')", name=op.f("ck_statement_anchors_status_known")
        ),
        sa.CheckConstraint(
            "status <> 'anchored' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND block_hash IS NOT NULL AND anchored_at IS NOT NULL)",
            name=op.f("ck_statement_anchors_anchored_has_receipt"),
        ),
    )
    op.create_index(
        "ix_statement_anchors_status_next_attempt_at",
        "statement_anchors",
        ["status", "next_attempt_at"],
    )
    op.execute(
        "INSERT INTO statement_anchors (digest, kind, status, created_at) "
        "SELECT digest, kind, 'pending', created_at FROM review_revisions ORDER BY id"
    )


def downgrade() -> None:
    op.drop_index("ix_statement_anchors_status_next_attempt_at", table_name="statement_anchors")
    op.drop_table("statement_anchors")
