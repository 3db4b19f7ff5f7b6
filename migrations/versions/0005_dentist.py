"""Practice dashboard: an index for a dentist's visits by patient and time.

Verified retention walks each patient's visits to one practice in time order; with
`(dentist, patient, visited_at)` that is an index range scan, not a sort of the table.

Revision ID: 0005_dentist
Revises: 0004_sessions
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_dentist"
down_revision: str | Sequence[str] | None = "0004_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_visits_dentist_patient_visited_at", "visits", ["dentist", "patient", "visited_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_visits_dentist_patient_visited_at", table_name="visits")
