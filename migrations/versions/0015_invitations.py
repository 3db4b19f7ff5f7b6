"""Invitations by email, short links, reminders and unsubscriptions.

Adds `invitations` (one per visit: the /i/<code> short link, the unsubscribe token, the
patient's address until its emails are done, and the delivery state), `invitation_emails`
(what was sent and when) and `mail_suppressions` (addresses that unsubscribed from a
practice, hashed).

Revision ID: 0015_invitations
Revises: 0014_visit_signers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_invitations"
down_revision: str | Sequence[str] | None = "0014_visit_signers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("visit_id", sa.String(66), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("unsubscribe_token", sa.String(32), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("invited_at", sa.BigInteger(), nullable=True),
        sa.Column("reminded_at", sa.BigInteger(), nullable=True),
        sa.Column("unsubscribed_at", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=True),
        sa.Column("claimed_until", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.visit_id"], name=op.f("fk_invitations_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("visit_id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("code", name=op.f("uq_invitations_code")),
        sa.UniqueConstraint("unsubscribe_token", name=op.f("uq_invitations_unsubscribe_token")),
    )
    op.create_index("ix_invitations_next_attempt_at", "invitations", ["next_attempt_at"])
    op.create_index("ix_invitations_dentist_created_at", "invitations", ["dentist", "created_at"])
    op.create_table(
        "invitation_emails",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(66), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("sent_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["invitations.visit_id"],
            name=op.f("fk_invitation_emails_visit_id_invitations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_emails")),
    )
    op.create_index("ix_invitation_emails_visit_id", "invitation_emails", ["visit_id"])
    op.create_table(
        "mail_suppressions",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("email_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("dentist", "email_hash", name=op.f("pk_mail_suppressions")),
    )


def downgrade() -> None:
    op.drop_table("mail_suppressions")
    op.drop_index("ix_invitation_emails_visit_id", table_name="invitation_emails")
    op.drop_table("invitation_emails")
    op.drop_index("ix_invitations_dentist_created_at", table_name="invitations")
    op.drop_index("ix_invitations_next_attempt_at", table_name="invitations")
    op.drop_table("invitations")
