"""Invitations: short link codes, queued emails, what was sent, unsubscriptions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from dentareview.db.models import (
    InvitationEmailRow,
    InvitationRow,
    MailSuppressionRow,
    ReviewRow,
    VisitRow,
)


def get_invitation(session: Session, *, visit_id: str) -> InvitationRow | None:
    return session.get(InvitationRow, visit_id)


def invitation_by_code(session: Session, *, code: str) -> InvitationRow | None:
    return session.scalars(select(InvitationRow).where(InvitationRow.code == code)).one_or_none()


def invitation_by_unsubscribe_token(session: Session, *, token: str) -> InvitationRow | None:
    stmt = select(InvitationRow).where(InvitationRow.unsubscribe_token == token)
    return session.scalars(stmt).one_or_none()


def insert_invitation(
    session: Session,
    *,
    visit_id: str,
    dentist: str,
    code: str,
    unsubscribe_token: str,
    email: str | None,
    now: int,
) -> InvitationRow:
    row = InvitationRow(
        visit_id=visit_id,
        dentist=dentist,
        code=code,
        unsubscribe_token=unsubscribe_token,
        email=email,
        created_at=now,
        attempts=0,
        next_attempt_at=now if email is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def due_invitations(session: Session, *, now: int, limit: int) -> Sequence[str]:
    """Visit ids of invitations with work due (an email to send or an address to erase),
    unclaimed or with a claim that lapsed."""
    stmt = (
        select(InvitationRow.visit_id)
        .where(
            InvitationRow.next_attempt_at.is_not(None),
            InvitationRow.next_attempt_at <= now,
            or_(InvitationRow.claimed_until.is_(None), InvitationRow.claimed_until < now),
        )
        .order_by(InvitationRow.next_attempt_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim_invitation(session: Session, *, visit_id: str, now: int, until: int) -> bool:
    """Take the invitation for this pass; False if another process holds it."""
    stmt = (
        update(InvitationRow)
        .where(
            InvitationRow.visit_id == visit_id,
            or_(InvitationRow.claimed_until.is_(None), InvitationRow.claimed_until < now),
        )
        .values(claimed_until=until)
    )
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def record_email(session: Session, *, visit_id: str, kind: str, message_id: str, now: int) -> None:
    session.add(
        InvitationEmailRow(visit_id=visit_id, kind=kind, message_id=message_id, sent_at=now)
    )


def emails_sent(session: Session, *, visit_id: str) -> list[InvitationEmailRow]:
    stmt = (
        select(InvitationEmailRow)
        .where(InvitationEmailRow.visit_id == visit_id)
        .order_by(InvitationEmailRow.id)
    )
    return list(session.scalars(stmt))


def is_suppressed(session: Session, *, dentist: str, email_hash: str) -> bool:
    return session.get(MailSuppressionRow, (dentist, email_hash)) is not None


def suppress(session: Session, *, dentist: str, email_hash: str, now: int) -> None:
    if not is_suppressed(session, dentist=dentist, email_hash=email_hash):
        session.add(MailSuppressionRow(dentist=dentist, email_hash=email_hash, created_at=now))


def practice_invitations(
    session: Session, *, dentist: str, limit: int
) -> list[tuple[VisitRow, InvitationRow | None, bool]]:
    """The practice's latest visits with their invitation (if any) and whether reviewed."""
    stmt = (
        select(VisitRow, InvitationRow, ReviewRow.id)
        .outerjoin(InvitationRow, InvitationRow.visit_id == VisitRow.visit_id)
        .outerjoin(ReviewRow, ReviewRow.visit_id == VisitRow.visit_id)
        .where(VisitRow.dentist == dentist)
        .order_by(VisitRow.created_at.desc(), VisitRow.visit_id)
        .limit(limit)
    )
    return [
        (visit, invitation, review is not None)
        for visit, invitation, review in session.execute(stmt)
    ]


def erase_reviewed(session: Session) -> int:
    """Erase the addresses of invitations whose visit has been reviewed; how many."""
    stmt = (
        update(InvitationRow)
        .where(
            InvitationRow.email.is_not(None),
            InvitationRow.visit_id.in_(select(ReviewRow.visit_id)),
        )
        .values(email=None, next_attempt_at=None, claimed_until=None)
    )
    result = session.execute(stmt)
    assert isinstance(result, CursorResult)
    return result.rowcount
