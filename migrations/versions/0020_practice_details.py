"""A practice's details for the directory: address, phone, website, opening hours, whether
it takes new patients and its coordinates (`practice_details`, one row per practice,
text columns), and the languages it speaks (`practice_languages`, one row each).

The directory searches the city and the postal code through keys written with them
(`city_key` case-folded, `postal_key` letters and digits upper case); the postal code is
matched by its start, served by a B-tree index (text_pattern_ops on PostgreSQL). The
language filter goes through the index on `practice_languages.language`.

Revision ID: 0020_practice_details
Revises: 0019_reward_transfers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_practice_details"
down_revision: str | Sequence[str] | None = "0019_reward_transfers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "practice_details",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("street", sa.String(200), nullable=True),
        sa.Column("city", sa.String(100), nullable=True),
        sa.Column("city_key", sa.Text(), nullable=True),
        sa.Column("postal_code", sa.String(16), nullable=True),
        sa.Column("postal_key", sa.String(16), nullable=True),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("website", sa.String(300), nullable=True),
        sa.Column("hours", sa.String(300), nullable=True),
        sa.Column("accepting_new_patients", sa.Boolean(), nullable=True),
        sa.Column("latitude", sa.String(16), nullable=True),
        sa.Column("longitude", sa.String(16), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_practice_details_dentist_dentists")
        ),
        sa.PrimaryKeyConstraint("dentist", name=op.f("pk_practice_details")),
    )
    op.create_index(
        "ix_practice_details_postal_key",
        "practice_details",
        ["postal_key"],
        postgresql_ops={"postal_key": "text_pattern_ops"},
    )
    op.create_table(
        "practice_languages",
        sa.Column("dentist", sa.String(42), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["dentist"], ["dentists.address"], name=op.f("fk_practice_languages_dentist_dentists")
        ),
        sa.PrimaryKeyConstraint("dentist", "language", name=op.f("pk_practice_languages")),
    )
    op.create_index("ix_practice_languages_language", "practice_languages", ["language"])


def downgrade() -> None:
    op.drop_index("ix_practice_languages_language", table_name="practice_languages")
    op.drop_table("practice_languages")
    op.drop_index("ix_practice_details_postal_key", table_name="practice_details")
    op.drop_table("practice_details")
