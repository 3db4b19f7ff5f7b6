"""Reputation aggregates kept up to date as reviews are anchored and unanchored.

Adds `dentist_aggregates` (per dentist: count, sums of the four ratings, the star
histogram) and `dentist_month_aggregates` (per dentist and UTC month of anchoring:
count and rating sum), filled from the reviews already anchored.

Revision ID: 0007_scale
Revises: 0006_trust2
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_scale"
down_revision: str | Sequence[str] | None = "0006_trust2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _counter(name: str, kind: type[sa.types.TypeEngine[int]] = sa.Integer) -> sa.Column[int]:
    return sa.Column(name, kind(), nullable=False, server_default="0")


def upgrade() -> None:
    op.create_table(
        "dentist_aggregates",
        sa.Column("dentist", sa.String(42), nullable=False),
        _counter("count"),
        _counter("rating_sum", sa.BigInteger),
        _counter("treatment_sum", sa.BigInteger),
        _counter("bedside_sum", sa.BigInteger),
        _counter("wait_time_sum", sa.BigInteger),
        *(_counter(f"stars_{n}") for n in range(1, 6)),
        sa.PrimaryKeyConstraint("dentist", name=op.f("pk_dentist_aggregates")),
    )
    op.create_table(
        "dentist_month_aggregates",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        _counter("count"),
        _counter("rating_sum", sa.BigInteger),
        sa.PrimaryKeyConstraint("dentist", "month", name=op.f("pk_dentist_month_aggregates")),
    )
    bind = op.get_bind()
    month = (
        "to_char(to_timestamp(anchored_at) AT TIME ZONE 'UTC', 'YYYY-MM')"
        if bind.dialect.name == "postgresql"
        else "strftime('%Y-%m', anchored_at, 'unixepoch')"
    )
    stars = ", ".join(f"SUM(CASE WHEN rating = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
    op.execute(
        "INSERT INTO dentist_aggregates (dentist, count, rating_sum, treatment_sum, "
        "bedside_sum, wait_time_sum, stars_1, stars_2, stars_3, stars_4, stars_5) "
        "SELECT dentist, COUNT(*), SUM(rating), SUM(treatment), SUM(bedside), "
        f"SUM(wait_time), {stars} FROM reviews WHERE status = 'anchored' GROUP BY dentist"
    )
    op.execute(
        "INSERT INTO dentist_month_aggregates (dentist, month, count, rating_sum) "
        f"SELECT dentist, {month}, COUNT(*), SUM(rating) FROM reviews "
        f"WHERE status = 'anchored' GROUP BY dentist, {month}"
    )


def downgrade() -> None:
    op.drop_table("dentist_month_aggregates")
    op.drop_table("dentist_aggregates")
