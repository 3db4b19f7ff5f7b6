"""Passkey patients: their credentials and check-ins at the practice.

`passkey_credentials`: one row per passkey a patient's device created at check-in (its
credential id, the P-256 public key and the smart account it controls); no personal data.
`practice_checkin_codes`: the short code in each practice's check-in link.
`passkey_checkins`: a patient's account checked in at a practice, with the short code the
patient shows at reception.

Revision ID: 0013_passkeys
Revises: 0012_name_decisions
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_passkeys"
down_revision: str | Sequence[str] | None = "0012_name_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "passkey_credentials",
        sa.Column("credential_id", sa.String(400), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("qx", sa.String(66), nullable=False),
        sa.Column("qy", sa.String(66), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("credential_id", name=op.f("pk_passkey_credentials")),
        sa.UniqueConstraint("account", name=op.f("uq_passkey_credentials_account")),
    )
    op.create_table(
        "practice_checkin_codes",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dentist"],
            ["dentists.address"],
            name=op.f("fk_practice_checkin_codes_dentist_dentists"),
        ),
        sa.PrimaryKeyConstraint("dentist", name=op.f("pk_practice_checkin_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_practice_checkin_codes_code")),
    )
    op.create_table(
        "passkey_checkins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("account", sa.String(42), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_passkey_checkins_dentist_dentists")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey_checkins")),
        sa.UniqueConstraint("code", name=op.f("uq_passkey_checkins_code")),
    )
    op.create_index(
        "ix_passkey_checkins_dentist_created_at", "passkey_checkins", ["dentist", "created_at"]
    )
    op.create_index("ix_passkey_checkins_account", "passkey_checkins", ["account"])


def downgrade() -> None:
    op.drop_index("ix_passkey_checkins_account", table_name="passkey_checkins")
    op.drop_index("ix_passkey_checkins_dentist_created_at", table_name="passkey_checkins")
    op.drop_table("passkey_checkins")
    op.drop_table("practice_checkin_codes")
    op.drop_table("passkey_credentials")
