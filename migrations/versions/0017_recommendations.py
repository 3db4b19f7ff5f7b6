"""Would you recommend us: the signed 0-10 scores.

Adds `recommendations`: one row per visit (its patient's signed `Recommendation`, asked
with the review), with the review it follows, the practice, the score, the deadline, the
digest and the signature. Kept off-chain; the dashboard reads it as monthly totals.

Revision ID: 0017_recommendations
Revises: 0016_practice_news
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_recommendations"
down_revision: str | Sequence[str] | None = "0016_practice_news"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("visit_id", sa.String(66), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(66), nullable=False),
        sa.Column(
            "signature", sa.String(132).with_variant(sa.Text(), "postgresql"), nullable=False
        ),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("score BETWEEN 0 AND 10", name=op.f("ck_recommendations_score_range")),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.visit_id"], name=op.f("fk_recommendations_visit_id_visits")
        ),
        sa.ForeignKeyConstraint(
            ["review_id"], ["reviews.id"], name=op.f("fk_recommendations_review_id_reviews")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
        sa.UniqueConstraint("visit_id", name=op.f("uq_recommendations_visit_id")),
        sa.UniqueConstraint("digest", name=op.f("uq_recommendations_digest")),
    )
    op.create_index(
        "ix_recommendations_dentist_created_at", "recommendations", ["dentist", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_recommendations_dentist_created_at", table_name="recommendations")
    op.drop_table("recommendations")
