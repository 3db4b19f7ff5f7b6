"""The fee each mined relay transaction paid, read from its receipt.

Adds `relay_fees`: per transaction hash (and the block that included it) the receipt's
gasUsed and effectiveGasPrice, and their product in wei. Queue health sums the rows of
the transactions the service records as its anchors and payouts.

Revision ID: 0010_fees
Revises: 0008_statements
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_fees"
down_revision: str | Sequence[str] | None = "0008_statements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported so this revision never changes with the app code.
TOKEN_AMOUNT = sa.Numeric(78, 0).with_variant(sa.String(78), "sqlite")


def upgrade() -> None:
    op.create_table(
        "relay_fees",
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("block_number", sa.BigInteger(), nullable=False),
        sa.Column("gas_used", sa.BigInteger(), nullable=False),
        sa.Column("effective_gas_price", TOKEN_AMOUNT, nullable=False),
        sa.Column("fee", TOKEN_AMOUNT, nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", name=op.f("pk_relay_fees")),
    )


def downgrade() -> None:
    op.drop_table("relay_fees")
