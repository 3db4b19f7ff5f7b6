"""Passkey patients moving their reward out: one row per signed transfer, with the
outbox's write-ahead columns for its `createAndTransfer` transaction.

Revision ID: 0019_reward_transfers
Revises: 0018_visit_imports
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_reward_transfers"
down_revision: str | Sequence[str] | None = "0018_visit_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reward_transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("practice", sa.String(42), nullable=False),
        sa.Column("qx", sa.String(66), nullable=False),
        sa.Column("qy", sa.String(66), nullable=False),
        sa.Column("token", sa.String(42), nullable=False),
        sa.Column("recipient", sa.String(42), nullable=False),
        sa.Column(
            "amount", sa.Numeric(78, 0).with_variant(sa.String(78), "sqlite"), nullable=False
        ),
        sa.Column("transfer_nonce", sa.BigInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("deploys", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("sent_tx_hash", sa.String(66), nullable=True),
        sa.Column("sent_nonce", sa.BigInteger(), nullable=True),
        sa.Column("replace_at", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("tx_hash", sa.String(66), nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("block_hash", sa.String(66), nullable=True),
        sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_transfers")),
        sa.UniqueConstraint(
            "account", "transfer_nonce", name=op.f("uq_reward_transfers_account_transfer_nonce")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'refused')",
            name=op.f("ck_reward_transfers_status_known"),
        ),
    )
    op.create_index(
        "ix_reward_transfers_status_next_attempt_at",
        "reward_transfers",
        ["status", "next_attempt_at"],
    )
    op.create_index(
        "ix_reward_transfers_practice_created_at", "reward_transfers", ["practice", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_reward_transfers_practice_created_at", table_name="reward_transfers")
    op.drop_index("ix_reward_transfers_status_next_attempt_at", table_name="reward_transfers")
    op.drop_table("reward_transfers")
