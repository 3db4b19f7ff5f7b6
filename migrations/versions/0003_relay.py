"""Relay state of single-mode reviews: backoff, terminal failures, finality.

- `next_attempt_at`: the worker claims pending reviews by this time, so a review that
  cannot be anchored now (its dentist deactivated, say) waits with backoff instead of
  holding back the reviews behind it;
- `failure_code`: set when the review can never be anchored (a stable reason code);
  the review stays published and says why;
- `block_hash`: the block that included the anchoring transaction, to notice a reorg;
- `final`: the anchoring block is at the configured finality depth (or tag);
- batches and payouts get the same `block_hash` and `final`, and `replace_at`: the
  time after which a root or payout transaction still unmined is replaced;
- `relay_status`: one row, the anchoring worker's last word (a problem such as fees over
  the maximum, or none), which `/health` shows whichever process answers it;
- visit and review signatures become TEXT: a smart-contract account (ERC-1271) signs
  with more than 65 bytes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BYTES32 = sa.String(66)


def _signature_type(new: sa.types.TypeEngine[str], old: sa.types.TypeEngine[str]) -> None:
    # SQLite does not enforce VARCHAR lengths (and a table rebuild would drop 0002's
    # trigger): only PostgreSQL's columns change.
    if op.get_bind().dialect.name == "postgresql":
        for table in ("visits", "reviews"):
            op.alter_column(table, "signature", type_=new, existing_type=old)


def upgrade() -> None:
    _signature_type(sa.Text(), sa.String(132))
    # add_column only: SQLite keeps the table (and migration 0002's trigger) as it is.
    op.add_column(
        "reviews", sa.Column("next_attempt_at", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column("reviews", sa.Column("failure_code", sa.String(48), nullable=True))
    op.add_column("reviews", sa.Column("block_hash", BYTES32, nullable=True))
    op.add_column(
        "reviews", sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_index(
        "ix_reviews_status_next_attempt_at", "reviews", ["status", "next_attempt_at"]
    )
    for table in ("batches", "payouts"):
        op.add_column(table, sa.Column("block_hash", BYTES32, nullable=True))
        op.add_column(
            table, sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        op.add_column(
            table, sa.Column("replace_at", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.execute("UPDATE batches SET final = true WHERE status = 'anchored'")
    op.execute("UPDATE payouts SET final = true WHERE status = 'paid'")
    op.create_table(
        "relay_status",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("checked_at", sa.BigInteger(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_relay_status_single_row")),
    )
    # Reviews anchored before finality was tracked: their blocks are long past any reorg.
    op.execute("UPDATE reviews SET final = true WHERE status = 'anchored'")


def downgrade() -> None:
    op.drop_table("relay_status")
    for table in ("batches", "payouts"):
        for column in ("replace_at", "final", "block_hash"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.drop_index("ix_reviews_status_next_attempt_at", table_name="reviews")
    # Plain DROP COLUMN (SQLite >= 3.35): a batch rebuild would drop 0002's trigger.
    for column in ("final", "block_hash", "failure_code", "next_attempt_at"):
        op.execute(f"ALTER TABLE reviews DROP COLUMN {column}")
    _signature_type(sa.String(132), sa.Text())
