"""Practices' news: where it goes, the events, and their deliveries (the delivery log)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from dentareview.db.models import (
    DentistRow,
    PracticeDeliveryRow,
    PracticeEventRow,
    PracticeNewsSettingsRow,
    ReviewReplyRow,
    ReviewRow,
)
from dentareview.db.queries._write import add_unique
from dentareview.db.storage_errors import DuplicateKey, RowNotFound


def news_settings(session: Session, *, dentist: str) -> PracticeNewsSettingsRow | None:
    return session.get(PracticeNewsSettingsRow, dentist)


def news_settings_for_update(
    session: Session, *, dentist: str, now: int
) -> PracticeNewsSettingsRow:
    """The practice's row, created empty if it has none yet (flushed, so it exists)."""
    row = session.get(PracticeNewsSettingsRow, dentist)
    if row is None:
        row = PracticeNewsSettingsRow(dentist=dentist, updated_at=now)
        session.add(row)
        session.flush()
    return row


def add_event(session: Session, *, row: PracticeEventRow) -> PracticeEventRow:
    """Store an event whose fact is new by construction (a new review, flag, decision)."""
    session.add(row)
    session.flush()
    return row


def insert_event(session: Session, *, row: PracticeEventRow) -> PracticeEventRow | None:
    """The event stored, or None when its fact (`ref`) was already recorded."""
    try:
        return add_unique(session, row)
    except DuplicateKey:
        return None


def add_deliveries(session: Session, rows: list[PracticeDeliveryRow]) -> None:
    session.add_all(rows)
    session.flush()


def overdue_reviews(
    session: Session, *, submitted_before: int, limit: int
) -> list[tuple[int, str, int, int]]:
    """(id, dentist, rating, submitted_at) of reviews submitted before the time, with no
    reply, not erased by their author nor removed by moderation, whose `reply.overdue`
    is not raised yet; oldest first."""
    replied = exists().where(ReviewReplyRow.review_id == ReviewRow.id)
    raised = exists().where(
        and_(PracticeEventRow.review_id == ReviewRow.id, PracticeEventRow.kind == "reply.overdue")
    )
    stmt = (
        select(ReviewRow.id, ReviewRow.dentist, ReviewRow.rating, ReviewRow.submitted_at)
        .where(
            ReviewRow.submitted_at < submitted_before,
            or_(ReviewRow.author_state.is_(None), ReviewRow.author_state != "erased"),
            or_(ReviewRow.moderation_state.is_(None), ReviewRow.moderation_state != "removed"),
            ~replied,
            ~raised,
        )
        .order_by(ReviewRow.submitted_at, ReviewRow.id)
        .limit(limit)
    )
    return [(int(i), d, int(r), int(s)) for i, d, r, s in session.execute(stmt)]


def due_deliveries(session: Session, *, now: int, limit: int) -> list[tuple[int, int]]:
    """(id, next_attempt_at) of pending deliveries due now, oldest due first."""
    stmt = (
        select(PracticeDeliveryRow.id, PracticeDeliveryRow.next_attempt_at)
        .where(PracticeDeliveryRow.status == "pending", PracticeDeliveryRow.next_attempt_at <= now)
        .order_by(PracticeDeliveryRow.next_attempt_at, PracticeDeliveryRow.id)
        .limit(limit)
    )
    return [(int(i), int(t)) for i, t in session.execute(stmt)]


def claim_delivery(session: Session, *, delivery_id: int, seen_due: int, until: int) -> bool:
    """Take the delivery for one attempt (until `until`) unless another sender took it
    since it was read: compare-and-set on its due time, so no two send it at once."""
    result = session.execute(
        update(PracticeDeliveryRow)
        .where(
            PracticeDeliveryRow.id == delivery_id,
            PracticeDeliveryRow.status == "pending",
            PracticeDeliveryRow.next_attempt_at == seen_due,
        )
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def get_delivery(session: Session, *, delivery_id: int) -> PracticeDeliveryRow:
    row = session.get(PracticeDeliveryRow, delivery_id)
    if row is None:  # deliveries are never deleted
        raise RowNotFound("practice_deliveries", delivery_id)
    return row


@dataclass(frozen=True)
class DeliveryTarget:
    delivery: PracticeDeliveryRow
    event: PracticeEventRow
    practice_name: str
    settings: PracticeNewsSettingsRow | None


def delivery_target(session: Session, *, delivery_id: int) -> DeliveryTarget | None:
    found = session.execute(
        select(PracticeDeliveryRow, PracticeEventRow, DentistRow.name)
        .join(PracticeEventRow, PracticeEventRow.id == PracticeDeliveryRow.event_id)
        .join(DentistRow, DentistRow.address == PracticeDeliveryRow.dentist)
        .where(PracticeDeliveryRow.id == delivery_id)
    ).one_or_none()
    if found is None:
        return None
    delivery, event, name = found
    return DeliveryTarget(delivery, event, name, news_settings(session, dentist=delivery.dentist))


@dataclass(frozen=True)
class LogEntry:
    delivery: PracticeDeliveryRow
    kind: str
    review_id: int
    event_at: int


def delivery_log(session: Session, *, dentist: str, limit: int, offset: int) -> list[LogEntry]:
    """The practice's deliveries, newest first, with their events."""
    stmt = (
        select(
            PracticeDeliveryRow,
            PracticeEventRow.kind,
            PracticeEventRow.review_id,
            PracticeEventRow.created_at,
        )
        .join(PracticeEventRow, PracticeEventRow.id == PracticeDeliveryRow.event_id)
        .where(PracticeDeliveryRow.dentist == dentist)
        .order_by(PracticeDeliveryRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [LogEntry(d, k, int(r), int(c)) for d, k, r, c in session.execute(stmt)]
