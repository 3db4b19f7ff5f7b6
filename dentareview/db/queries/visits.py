"""Visit attestations signed by dentists."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentareview.db.models import VisitRow
from dentareview.db.queries._write import add_unique


def insert_visit(
    session: Session,
    *,
    visit_id: str,
    patient: str,
    dentist: str,
    visited_at: int,
    signature: str,
    now: int,
) -> VisitRow:
    """Store a visit; raises DuplicateKey (constraint VISIT_EXISTS) if the id is taken."""
    row = VisitRow(
        visit_id=visit_id,
        patient=patient,
        dentist=dentist,
        visited_at=visited_at,
        signature=signature,
        created_at=now,
    )
    return add_unique(session, row)


def get_visit(session: Session, *, visit_id: str) -> VisitRow | None:
    return session.get(VisitRow, visit_id)
