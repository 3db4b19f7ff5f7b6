"""Initial schema: dentists, visits, reviews, reward payments.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported so this revision never changes with the app code.
ADDRESS = sa.String(42)
BYTES32 = sa.String(66)
SIGNATURE = sa.String(132)
# uint256 amounts; SQLite keeps exact decimal text because its integers stop at 2**63.
TOKEN_AMOUNT = sa.Numeric(78, 0).with_variant(sa.String(78), "sqlite")
RATING_COLUMNS = ("rating", "treatment", "bedside", "wait_time")


def upgrade() -> None:
    op.create_table(
        "dentists",
        sa.Column("address", ADDRESS, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_dentists")),
    )
    op.create_table(
        "visits",
        sa.Column("visit_id", BYTES32, nullable=False),
        sa.Column("patient", ADDRESS, nullable=False),
        sa.Column("dentist", ADDRESS, nullable=False),
        sa.Column("visited_at", sa.BigInteger(), nullable=False),
        sa.Column("signature", SIGNATURE, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_visits")),
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_visits_dentist_dentists")
        ),
    )
    op.create_index(op.f("ix_visits_patient"), "visits", ["patient"])
    op.create_index(op.f("ix_visits_dentist"), "visits", ["dentist"])

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", BYTES32, nullable=False),
        sa.Column("digest", BYTES32, nullable=False),
        sa.Column("patient", ADDRESS, nullable=False),
        sa.Column("dentist", ADDRESS, nullable=False),
        *(sa.Column(name, sa.SmallInteger(), nullable=False) for name in RATING_COLUMNS),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("signature", SIGNATURE, nullable=False),
        sa.Column("submitted_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), server_default="pending", nullable=False),
        sa.Column("rewardable", sa.Boolean(), nullable=False),
        sa.Column("reward_withheld_code", sa.String(32), nullable=True),
        sa.Column("reward_withheld_reason", sa.Text(), nullable=True),
        sa.Column("tx_hash", BYTES32, nullable=True),
        sa.Column("block_number", sa.BigInteger(), nullable=True),
        sa.Column("log_index", sa.Integer(), nullable=True),
        sa.Column("anchored_at", sa.BigInteger(), nullable=True),
        sa.Column("anchor_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_anchor_error", sa.Text(), nullable=True),
        sa.Column("sent_tx_hash", BYTES32, nullable=True),
        sa.Column("sent_nonce", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.visit_id"], name=op.f("fk_reviews_visit_id_visits")
        ),
        sa.UniqueConstraint("visit_id", name=op.f("uq_reviews_visit_id")),
        sa.UniqueConstraint("digest", name=op.f("uq_reviews_digest")),
        *(
            sa.CheckConstraint(f"{name} BETWEEN 1 AND 5", name=op.f(f"ck_reviews_{name}_range"))
            for name in RATING_COLUMNS
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'anchored')", name=op.f("ck_reviews_status_known")
        ),
        sa.CheckConstraint(
            "status <> 'anchored' OR "
            "(tx_hash IS NOT NULL AND block_number IS NOT NULL AND anchored_at IS NOT NULL)",
            name=op.f("ck_reviews_anchored_has_receipt"),
        ),
    )
    op.create_index(
        "ix_reviews_dentist_status_anchored_at", "reviews", ["dentist", "status", "anchored_at"]
    )
    op.create_index(
        "ix_reviews_patient_rewardable_submitted_at",
        "reviews",
        ["patient", "rewardable", "submitted_at"],
    )
    op.create_index(
        "ix_reviews_dentist_patient_rewardable_submitted_at",
        "reviews",
        ["dentist", "patient", "rewardable", "submitted_at"],
    )
    op.create_index("ix_reviews_status_id", "reviews", ["status", "id"])

    op.create_table(
        "reward_payments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("patient", ADDRESS, nullable=False),
        sa.Column("amount", TOKEN_AMOUNT, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("tx_hash", BYTES32, nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_payments")),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_reward_payments_review_id_reviews")
        ),
        sa.UniqueConstraint("review_id", name=op.f("uq_reward_payments_review_id")),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'queued')",
            name=op.f("ck_reward_payments_status_known"),
        ),
    )
    op.create_index(op.f("ix_reward_payments_patient"), "reward_payments", ["patient"])


def downgrade() -> None:
    op.drop_table("reward_payments")
    op.drop_table("reviews")
    op.drop_table("visits")
    op.drop_table("dentists")
