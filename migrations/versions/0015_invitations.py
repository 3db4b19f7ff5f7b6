"""Invitations by email, short links, reminders and unsubscriptions.

Revision ID: 0015_invitations
Revises: 0014_visit_signers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0015_invitations"
down_revision: str | Sequence[str] | None = "0014_visit_signers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
