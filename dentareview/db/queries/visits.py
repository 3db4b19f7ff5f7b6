"""Visit attestations signed by dentists."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
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
    signed_by: str | None = None,
) -> VisitRow:
    """Store a visit; raises DuplicateKey (constraint VISIT_EXISTS) if the id is taken.
    `signed_by`: the visit-signing key that signed it, if not the dentist's wallet."""
    row = VisitRow(
        visit_id=visit_id,
        patient=patient,
        dentist=dentist,
        visited_at=visited_at,
        signature=signature,
        created_at=now,
        signed_by=signed_by,
    )
    return add_unique(session, row)


def get_visit(session: Session, *, visit_id: str) -> VisitRow | None:
    return session.get(VisitRow, visit_id)


def get_visits(session: Session, *, visit_ids: Sequence[str]) -> dict[str, VisitRow]:
    """The visits among `visit_ids`, by id, in one query."""
    if not visit_ids:
        return {}
    rows = session.scalars(select(VisitRow).where(VisitRow.visit_id.in_(set(visit_ids))))
    return {row.visit_id: row for row in rows}


def count_recent_visits(session: Session, *, dentist: str, since: int) -> int:
    """Visits `dentist` attested at or after `since` (by when the service recorded them)."""
    stmt = select(func.count()).where(VisitRow.dentist == dentist, VisitRow.created_at >= since)
    return int(session.scalar(stmt) or 0)
