"""Visit-signing keys a dentist authorised on-chain.

`visit_signers`: one row per `VisitSigner` a dentist signed (an authorisation, or a
revocation: validUntil = now, or 0), with the outbox's write-ahead columns for its
`setVisitSigner` transaction. `visits.signed_by`: the key that signed a visit, NULL when
the dentist's own wallet did.

Revision ID: 0014_visit_signers
Revises: 0013_passkeys
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_visit_signers"
down_revision: str | Sequence[str] | None = "0013_passkeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visit_signers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("valid_until", sa.BigInteger(), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column(
            "signature", sa.String(132).with_variant(sa.Text(), "postgresql"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("authorised_at", sa.BigInteger(), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_visit_signers_dentist_dentists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_signers")),
        sa.UniqueConstraint("dentist", "nonce", name=op.f("uq_visit_signers_dentist_nonce")),
        sa.CheckConstraint(
            "status IN ('pending', 'set', 'refused')", name=op.f("ck_visit_signers_status_known")
        ),
    )
    op.create_index("ix_visit_signers_signer", "visit_signers", ["signer"])
    op.create_index(
        "ix_visit_signers_status_next_attempt_at", "visit_signers", ["status", "next_attempt_at"]
    )
    with op.batch_alter_table("visits") as batch:
        batch.add_column(sa.Column("signed_by", sa.String(42), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.drop_column("signed_by")
    op.drop_index("ix_visit_signers_status_next_attempt_at", table_name="visit_signers")
    op.drop_index("ix_visit_signers_signer", table_name="visit_signers")
    op.drop_table("visit_signers")
