"""Invitations by email: short link codes, the queue, one reminder, unsubscriptions.

Queuing only writes rows (an import queues inside its own transaction and stays
all-or-nothing); `deliver_invitations` sends what is due. Every visit of a practice gets
the same email: nothing here takes a rating or an expected sentiment (no review gating).
The patient's address is erased once its emails are done: reviewed, reminded,
unsubscribed, or the review window closed (docs/PRIVACY.md).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin

from sqlalchemy.orm import Session, sessionmaker

from dentareview.config import Settings
from dentareview.db.models import InvitationRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.invitations import (
    claim_invitation,
    due_invitations,
    erase_reviewed,
    get_invitation,
    insert_invitation,
    invitation_by_code,
    invitation_by_unsubscribe_token,
    is_suppressed,
    practice_invitations,
    record_email,
    suppress,
)
from dentareview.db.queries.reviews import get_review_by_visit
from dentareview.db.queries.visits import get_visit
from dentareview.domain.email_address import normalize_email, suppression_hash
from dentareview.domain.languages import DEFAULT_LANGUAGE, PageLanguage, page_language
from dentareview.domain.policy import DAY
from dentareview.errors import InvitationNotFound, MailUnavailable, VisitNotFound
from dentareview.mail.invitation_message import InvitationMail, MailKind, build_message
from dentareview.mail.smtp import mail_enabled, send_message
from dentareview.services.practice import practice_of

log = logging.getLogger(__name__)

# Short link codes: 13 characters of Crockford's base32 (no I, L, O, U), 65 random bits.
CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
CODE_LENGTH = 13
# A claimed invitation is left alone by other processes for this long.
CLAIM_SECONDS = 120
BACKOFF_MIN_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600


def new_code() -> str:
    bits = secrets.randbits(5 * CODE_LENGTH)
    return "".join(CODE_ALPHABET[(bits >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def create_short_link(session: Session, *, visit_id: str, dentist: str, now: int) -> str:
    """The visit's /i/<code> code, made with the visit (kept if it exists)."""
    existing = get_invitation(session, visit_id=visit_id)
    if existing is not None:
        return existing.code
    row = insert_invitation(
        session,
        visit_id=visit_id,
        dentist=dentist,
        code=new_code(),
        unsubscribe_token=secrets.token_urlsafe(18),
        email=None,
        now=now,
    )
    return row.code


def queue_invitation_email(
    session: Session,
    *,
    visit_id: str,
    email: str,
    now: int,
    language: PageLanguage | None = None,
) -> None:
    """Queue the invitation email of an attested visit (in the caller's transaction; no
    mail is sent here), in the patient's `language` (None: English). An address that
    unsubscribed from the practice is not stored; a visit already invited keeps its state,
    so queuing twice sends once."""
    address = normalize_email(email)
    session.flush()
    visit = get_visit(session, visit_id=visit_id)
    if visit is None:
        raise VisitNotFound(f"no attested visit {visit_id}")
    create_short_link(session, visit_id=visit_id, dentist=visit.dentist, now=now)
    row = get_invitation(session, visit_id=visit_id)
    assert row is not None
    if row.invited_at is not None or row.unsubscribed_at is not None or row.email is not None:
        return
    if is_suppressed(
        session, dentist=visit.dentist, email_hash=suppression_hash(visit.dentist, address)
    ):
        return
    row.email = address
    row.language = language
    row.attempts = 0
    row.next_attempt_at = now


def invitation_state(session: Session, *, visit_id: str) -> tuple[str, bool]:
    """The visit's short link path (/i/<code>), and whether an email waits to be sent
    (not when its address unsubscribed from the practice)."""
    row = get_invitation(session, visit_id=visit_id)
    if row is None:
        raise InvitationNotFound(f"visit {visit_id} has no invitation link")
    return f"/i/{row.code}", row.email is not None and row.invited_at is None


def visit_of_code(session: Session, *, code: str) -> str:
    """The visitId behind a short link code."""
    row = invitation_by_code(session, code=code.lower())
    if row is None:
        raise InvitationNotFound("no invitation has this link; ask the practice for a new one")
    return row.visit_id


def unsubscribe(session: Session, *, token: str, now: int) -> None:
    """No further email for this visit, nor from its practice to this address; at once."""
    row = invitation_by_unsubscribe_token(session, token=token)
    if row is None:
        raise InvitationNotFound("no invitation has this unsubscribe link")
    if row.unsubscribed_at is None:
        row.unsubscribed_at = now
    if row.email is not None:
        suppress(
            session,
            dentist=row.dentist,
            email_hash=suppression_hash(row.dentist, row.email),
            now=now,
        )
    _erase(row)


def _erase(row: InvitationRow) -> None:
    row.email = None
    row.language = None  # needed for the emails only, deleted with the address
    row.next_attempt_at = None
    row.claimed_until = None


def backoff_seconds(attempts: int) -> int:
    return int(min(BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS * 2 ** min(attempts - 1, 20)))


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)  # the kinds sent, in order
    failed: int = 0
    erased: int = 0


def deliver_invitations(
    sessions: sessionmaker[Session], settings: Settings, *, now: int, limit: int = 50
) -> DeliveryReport:
    """One pass: send the invitations and reminders that are due, erase the addresses
    whose emails are done. An email that cannot be sent stays queued, retried later."""
    report = DeliveryReport()
    with sessions() as session:
        report.erased += erase_reviewed(session)
        due = due_invitations(session, now=now, limit=limit)
        session.commit()
    for visit_id in due:
        with sessions() as session:
            if not claim_invitation(session, visit_id=visit_id, now=now, until=now + CLAIM_SECONDS):
                continue
            session.commit()
            _deliver_one(session, settings, visit_id=visit_id, now=now, report=report)
            session.commit()
    return report


def _deliver_one(
    session: Session, settings: Settings, *, visit_id: str, now: int, report: DeliveryReport
) -> None:
    row = get_invitation(session, visit_id=visit_id)
    visit = get_visit(session, visit_id=visit_id)
    assert row is not None and visit is not None
    row.claimed_until = None
    closes_at = visit.visited_at + settings.review_window_days * DAY
    done = (
        row.email is None
        or row.unsubscribed_at is not None
        or row.reminded_at is not None
        or now >= closes_at
        or get_review_by_visit(session, visit_id=visit_id) is not None
    )
    if done:
        report.erased += row.email is not None
        _erase(row)
        return
    kind: MailKind = "invitation" if row.invited_at is None else "reminder"
    if row.invited_at is not None:
        remind_at = row.invited_at + settings.invitation_reminder_days * DAY
        if now < remind_at:
            row.next_attempt_at = min(remind_at, closes_at)
            return
    if not mail_enabled(settings):
        row.next_attempt_at = closes_at  # nothing can be sent: erase it when the window closes
        return
    assert row.email is not None
    message = build_message(_mail(session, settings, row, kind), mail_from=settings.mail_from)
    try:
        send_message(settings, message)
    except MailUnavailable as problem:
        row.attempts += 1
        row.next_attempt_at = min(now + backoff_seconds(row.attempts), closes_at)
        report.failed += 1
        log.warning("invitation email not sent, retrying later: %s", problem.message)
        return
    record_email(session, visit_id=visit_id, kind=kind, message_id=message["Message-ID"], now=now)
    report.sent.append(kind)
    row.attempts = 0
    if kind == "invitation":
        row.invited_at = now
        row.next_attempt_at = min(now + settings.invitation_reminder_days * DAY, closes_at)
    else:
        row.reminded_at = now
        report.erased += 1
        _erase(row)  # never more than one reminder: the address is no longer needed


def _mail(
    session: Session, settings: Settings, row: InvitationRow, kind: MailKind
) -> InvitationMail:
    dentist = get_dentist(session, address=row.dentist)
    base = settings.public_url.rstrip("/") + "/"
    assert row.email is not None
    language = page_language(row.language)
    return InvitationMail(
        kind=kind,
        to=row.email,
        practice_name=dentist.name if dentist is not None else "",
        link=invitation_link(base, row.code, language),
        unsubscribe_url=urljoin(base, f"u/{row.unsubscribe_token}"),
        language=language or DEFAULT_LANGUAGE,
    )


def invitation_link(base: str, code: str, language: PageLanguage | None) -> str:
    """The short link; with ?lang= the page opens in the patient's language (/i/<code>
    keeps it through its redirect)."""
    link = urljoin(base, f"i/{code}")
    return link if language is None else f"{link}?{urlencode({'lang': language})}"


@dataclass(frozen=True)
class SentInvitation:
    """One visit of a practice as its invitations page shows it (never the address)."""

    visit_id: str
    visited_at: int
    path: str | None  # /i/<code>; None for a visit recorded before short links
    email_queued: bool
    invited_at: int | None
    reminded_at: int | None
    unsubscribed_at: int | None
    reviewed: bool


def practice_invitation_list(
    session: Session, *, wallet: str, limit: int = 200
) -> list[SentInvitation]:
    """The signed-in practice's latest visits with their short link and what was sent."""
    practice = practice_of(session, wallet=wallet)
    return [
        SentInvitation(
            visit_id=visit.visit_id,
            visited_at=visit.visited_at,
            path=f"/i/{row.code}" if row is not None else None,
            email_queued=row is not None and row.email is not None and row.invited_at is None,
            invited_at=row.invited_at if row is not None else None,
            reminded_at=row.reminded_at if row is not None else None,
            unsubscribed_at=row.unsubscribed_at if row is not None else None,
            reviewed=reviewed,
        )
        for visit, row, reviewed in practice_invitations(
            session, dentist=practice.address, limit=limit
        )
    ]
