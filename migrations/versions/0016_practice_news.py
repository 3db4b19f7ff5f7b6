"""News for practices: events, webhook endpoints and the delivery log.

`practice_news_settings`: per dentist, the webhook URL and its signing secret
(Standard Webhooks, `whsec_...`) and the email address news goes to. `practice_events`:
what happened to a practice's reviews (a review published, flagged, removed, a reply
overdue), one row per fact (`ref` is unique, so a sweep raises an overdue reply once).
`practice_deliveries`: one row per event and channel, retried with backoff until
delivered or given up; the delivery log.

Revision ID: 0016_practice_news
Revises: 0015_invitations
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_practice_news"
down_revision: str | Sequence[str] | None = "0015_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "practice_news_settings",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("webhook_url", sa.Text(), nullable=True),
        sa.Column("webhook_secret", sa.String(100), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dentist"],
            ["dentists.address"],
            name=op.f("fk_practice_news_settings_dentist_dentists"),
        ),
        sa.PrimaryKeyConstraint("dentist", name=op.f("pk_practice_news_settings")),
    )
    op.create_table(
        "practice_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('review.published', 'review.flagged', 'review.removed', 'reply.overdue')",
            name=op.f("ck_practice_events_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_practice_events_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_events")),
        sa.UniqueConstraint("ref", name=op.f("uq_practice_events_ref")),
    )
    op.create_index("ix_practice_events_dentist", "practice_events", ["dentist"])
    op.create_index("ix_practice_events_review_id_kind", "practice_events", ["review_id", "kind"])
    op.create_table(
        "practice_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("last_status", sa.String(64), nullable=True),
        sa.Column("delivered_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('webhook', 'email')", name=op.f("ck_practice_deliveries_channel_known")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed', 'dropped')",
            name=op.f("ck_practice_deliveries_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["practice_events.id"],
            name=op.f("fk_practice_deliveries_event_id_practice_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practice_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_practice_deliveries_message_id")),
    )
    op.create_index(
        "ix_practice_deliveries_status_next_attempt_at",
        "practice_deliveries",
        ["status", "next_attempt_at"],
    )
    op.create_index("ix_practice_deliveries_dentist_id", "practice_deliveries", ["dentist", "id"])


def downgrade() -> None:
    op.drop_index("ix_practice_deliveries_dentist_id", table_name="practice_deliveries")
    op.drop_index("ix_practice_deliveries_status_next_attempt_at", table_name="practice_deliveries")
    op.drop_table("practice_deliveries")
    op.drop_index("ix_practice_events_review_id_kind", table_name="practice_events")
    op.drop_index("ix_practice_events_dentist", table_name="practice_events")
    op.drop_table("practice_events")
    op.drop_table("practice_news_settings")
