"""Visit-signing keys a dentist authorised on-chain.

Revision ID: 0014_visit_signers
Revises: 0013_passkeys
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0014_visit_signers"
down_revision: str | Sequence[str] | None = "0013_passkeys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
