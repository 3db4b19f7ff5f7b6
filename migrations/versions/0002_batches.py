"""Batch mode: batches of reviews anchored as Merkle roots, and aggregate reward payouts.

Adds the `batches` and `payouts` tables, `reviews.batch_id` / `reviews.leaf_index`, and
`reward_payments.payout_id`. A trigger makes a review's batch membership write-once, so
the database itself refuses to move a review into a second batch.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported so this revision never changes with the app code.
BYTES32 = sa.String(66)
TOKEN_AMOUNT = sa.Numeric(78, 0).with_variant(sa.String(78), "sqlite")
TRIGGER = "reviews_batch_write_once"

# SQLite drops a table's triggers when batch mode rebuilds it: a later migration that
# rebuilds `reviews` must create this trigger again.
SQLITE_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF batch_id, leaf_index ON reviews
WHEN OLD.batch_id IS NOT NULL
  AND (NEW.batch_id IS NOT OLD.batch_id OR NEW.leaf_index IS NOT OLD.leaf_index)
BEGIN
  SELECT RAISE(ABORT, 'a review in a batch cannot move: batch membership is write-once');
END
"""
POSTGRESQL_FUNCTION = f"""
CREATE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.batch_id IS NOT NULL AND (NEW.batch_id IS DISTINCT FROM OLD.batch_id
      OR NEW.leaf_index IS DISTINCT FROM OLD.leaf_index) THEN
    RAISE EXCEPTION 'review % is in batch %: batch membership is write-once',
      OLD.id, OLD.batch_id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$
"""
POSTGRESQL_TRIGGER = f"""
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OF batch_id, leaf_index ON reviews
FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()
"""


def _receipt_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sent_tx_hash", BYTES32, nullable=True),
        sa.Column("sent_nonce", sa.BigInteger(), nullable=True),
        sa.Column("tx_hash", BYTES32, nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("root", BYTES32, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("rewarded", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        *_receipt_columns(),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.Column("anchored_at", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("root", name=op.f("uq_batches_root")),
        sa.CheckConstraint(
            "status IN ('built', 'anchored')", name=op.f("ck_batches_status_known")
        ),
        sa.CheckConstraint(
            "size >= 1 AND rewarded >= 0 AND rewarded <= size",
            name=op.f("ck_batches_counts_valid"),
        ),
        sa.CheckConstraint(
            "status <> 'anchored' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND log_index IS NOT NULL AND anchored_at IS NOT NULL)",
            name=op.f("ck_batches_anchored_has_receipt"),
        ),
    )
    op.create_index("ix_batches_status_id", "batches", ["status", "id"])

    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("payout_key", BYTES32, nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("total", TOKEN_AMOUNT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        *_receipt_columns(),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("payout_key", name=op.f("uq_payouts_payout_key")),
        sa.CheckConstraint("status IN ('built', 'paid')", name=op.f("ck_payouts_status_known")),
        sa.CheckConstraint(
            "status <> 'paid' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND paid_at IS NOT NULL)",
            name=op.f("ck_payouts_paid_has_receipt"),
        ),
    )
    op.create_index("ix_payouts_status_id", "payouts", ["status", "id"])

    # Batch mode rebuilds the tables on SQLite (it cannot add constraints in place).
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("leaf_index", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reviews_batch_id_batches"), "batches", ["batch_id"], ["id"]
        )
        batch.create_unique_constraint(
            op.f("uq_reviews_batch_id_leaf_index"), ["batch_id", "leaf_index"]
        )
        batch.create_check_constraint(
            op.f("ck_reviews_batch_leaf_together"), "(batch_id IS NULL) = (leaf_index IS NULL)"
        )
    with op.batch_alter_table("reward_payments") as batch:
        batch.add_column(sa.Column("payout_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reward_payments_payout_id_payouts"), "payouts", ["payout_id"], ["id"]
        )
        batch.create_index(op.f("ix_reward_payments_payout_id"), ["payout_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON reviews")
        op.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    with op.batch_alter_table("reward_payments") as batch:
        batch.drop_index(op.f("ix_reward_payments_payout_id"))
        batch.drop_constraint(op.f("fk_reward_payments_payout_id_payouts"), type_="foreignkey")
        batch.drop_column("payout_id")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint(op.f("ck_reviews_batch_leaf_together"), type_="check")
        batch.drop_constraint(op.f("uq_reviews_batch_id_leaf_index"), type_="unique")
        batch.drop_constraint(op.f("fk_reviews_batch_id_batches"), type_="foreignkey")
        batch.drop_column("leaf_index")
        batch.drop_column("batch_id")
    op.drop_table("payouts")
    op.drop_table("batches")
