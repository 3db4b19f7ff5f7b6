"""Sign-In with Ethereum: single-use nonces and wallet sessions.

Adds `auth_nonces` (a nonce is deleted by the sign-in that uses it) and `auth_sessions`
(the SHA-256 of each session id, never the id itself, with its wallet and expiry).

Revision ID: 0004_sessions
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sessions"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_nonces",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_auth_nonces")),
    )
    op.create_index(op.f("ix_auth_nonces_expires_at"), "auth_nonces", ["expires_at"])
    op.create_table(
        "auth_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("wallet", sa.String(42), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_auth_sessions")),
    )
    op.create_index(op.f("ix_auth_sessions_wallet"), "auth_sessions", ["wallet"])
    op.create_index(op.f("ix_auth_sessions_expires_at"), "auth_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_sessions_expires_at"), table_name="auth_sessions")
    op.drop_index(op.f("ix_auth_sessions_wallet"), table_name="auth_sessions")
    op.drop_table("auth_sessions")
    op.drop_index(op.f("ix_auth_nonces_expires_at"), table_name="auth_nonces")
    op.drop_table("auth_nonces")
