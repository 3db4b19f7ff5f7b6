"""Passkey patients: their credentials and check-ins at the practice.

Revision ID: 0013_passkeys
Revises: 0012_name_decisions
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0013_passkeys"
down_revision: str | Sequence[str] | None = "0012_name_decisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
