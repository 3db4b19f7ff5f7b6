"""Flags by anyone, decisions by operators, anomaly signals per dentist.

Nothing here changes what a patient signed: moderation sets a review's public state
(under review, removed with its reason) and records who decided what and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import AnonymousReviewRow, ModerationDecisionRow, ReviewRow
from dentareview.db.queries.anonymous import get_anonymous_review
from dentareview.db.queries.moderation import (
    dentist_review_facts,
    first_seen,
    insert_decision,
    insert_flag,
    open_flags,
    resolve_flags,
    set_anonymous_moderation_state,
    set_moderation_state,
    under_review,
)
from dentareview.db.queries.reviews import get_review
from dentareview.domain.moderation import (
    DECISION_REASONS,
    FLAG_REASONS,
    REMOVED,
    UNDER_REVIEW,
    ModerationState,
    ReviewFact,
    Signal,
    SignalSettings,
    compute_signals,
)
from dentareview.errors import (
    AnonymousReviewNotFound,
    NotAnOperator,
    ReviewNotFound,
    ValidationError,
)
from dentareview.services.news import record_event
from dentareview.services.reputation import require_dentist
from dentareview.services.views import DecisionView, FlagView, decision_view, flag_view

MAX_NOTE_CHARS = 500


def _review(session: Session, review_id: int) -> ReviewRow:
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    return row


def _published_anonymous(session: Session, review_id: str) -> AnonymousReviewRow:
    """An anonymous review as the public sees it: anchored (a queued one is not shown)."""
    row = get_anonymous_review(session, review_id=review_id.lower())
    if row is None or row.status != "anchored":
        raise AnonymousReviewNotFound(f"no published anonymous review {review_id}")
    return row


def _check_flag_reason(reason: str) -> None:
    if reason not in FLAG_REASONS:
        raise ValidationError(f"reason must be one of {', '.join(FLAG_REASONS)}", field="reason")


def require_operator(wallet: str, operators: frozenset[str]) -> str:
    if wallet.lower() not in operators:
        raise NotAnOperator("this wallet is not one of the service's operators")
    return wallet


def flag_review(
    session: Session, *, review_id: int, reason: str, reporter: str | None, now: int
) -> FlagView:
    """Anyone reports a review; it stays online, shown "under review" until decided."""
    _check_flag_reason(reason)
    row = _review(session, review_id)
    flag = insert_flag(session, review_id=review_id, reason=reason, reporter=reporter, now=now)
    record_event(
        session,
        dentist=row.dentist,
        kind="review.flagged",
        review_id=review_id,
        ref=f"review.flagged:{flag.id}",
        data={"reason": reason},
        now=now,
    )
    if row.moderation_state is None:
        set_moderation_state(session, review=row, state=UNDER_REVIEW, reason=reason)
    return flag_view(flag, row.moderation_state)


def flag_anonymous_review(
    session: Session, *, review_id: str, reason: str, reporter: str | None, now: int
) -> FlagView:
    """As `flag_review`, for a published anonymous review. The flag names the reporter (if
    signed in), never the author, whom nothing here knows."""
    _check_flag_reason(reason)
    row = _published_anonymous(session, review_id)
    flag = insert_flag(
        session,
        review_id=None,
        anonymous_review_id=row.id,
        reason=reason,
        reporter=reporter,
        now=now,
    )
    if row.moderation_state is None:
        set_anonymous_moderation_state(session, review=row, state=UNDER_REVIEW, reason=reason)
    return flag_view(flag, row.moderation_state)


@dataclass(frozen=True)
class Decision:
    decision: DecisionView
    resolved_flags: int


def _check_decision(action: str, reason: str, note: str | None) -> None:
    """The rules of a decision, alike for a named and an anonymous review."""
    if action not in ("keep", "remove", "under_review"):
        raise ValidationError("action must be keep, remove or under_review", field="action")
    if reason not in DECISION_REASONS:
        raise ValidationError(
            f"reason must be one of {', '.join(DECISION_REASONS)}", field="reason"
        )
    if action == "remove" and reason not in FLAG_REASONS:
        raise ValidationError(
            f"a removal's reason must be one of {', '.join(FLAG_REASONS)}", field="reason"
        )
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ValidationError(f"note may have at most {MAX_NOTE_CHARS} characters", field="note")


def decide(
    session: Session,
    *,
    review_id: int,
    action: str,
    reason: str,
    note: str | None,
    operator: str,
    now: int,
) -> Decision:
    """keep (clears "under review"), remove (with its reason) or under_review; recorded."""
    _check_decision(action, reason, note)
    row = _review(session, review_id)
    decision = insert_decision(
        session,
        row=ModerationDecisionRow(
            review_id=review_id,
            action=action,
            reason=reason,
            note=note,
            operator=operator,
            created_at=now,
        ),
    )
    resolved = 0
    if action == "under_review":
        set_moderation_state(session, review=row, state=UNDER_REVIEW, reason=reason)
    else:
        resolved = resolve_flags(session, review_id=review_id, decision_id=decision.id, now=now)
        state: ModerationState | None = REMOVED if action == "remove" else None
        if action == "remove":
            record_event(
                session,
                dentist=row.dentist,
                kind="review.removed",
                review_id=review_id,
                ref=f"review.removed:{decision.id}",
                data={"reason": reason},
                now=now,
            )
        set_moderation_state(session, review=row, state=state, reason=reason if state else None)
    return Decision(decision_view(decision), resolved)


def decide_anonymous(
    session: Session,
    *,
    review_id: str,
    action: str,
    reason: str,
    note: str | None,
    operator: str,
    now: int,
) -> Decision:
    """As `decide`, for a published anonymous review: the same rules, the same record (keyed
    by its id); a removed one is no longer shown nor counted."""
    _check_decision(action, reason, note)
    if action == "under_review":  # no anomaly signal concerns them: only a report does
        raise ValidationError(
            "an anonymous review is kept or removed; a report marks it under review",
            field="action",
        )
    row = _published_anonymous(session, review_id)
    decision = insert_decision(
        session,
        row=ModerationDecisionRow(
            review_id=None,
            anonymous_review_id=row.id,
            action=action,
            reason=reason,
            note=note,
            operator=operator,
            created_at=now,
        ),
    )
    resolved = resolve_flags(
        session, review_id=None, anonymous_review_id=row.id, decision_id=decision.id, now=now
    )
    state: ModerationState | None = REMOVED if action == "remove" else None
    set_anonymous_moderation_state(
        session, review=row, state=state, reason=reason if state else None
    )
    return Decision(decision_view(decision), resolved)


def list_open_flags(
    session: Session, *, limit: int, offset: int, anonymous: bool = False
) -> list[FlagView]:
    """Open flags of named reviews (of anonymous ones if `anonymous`), oldest first; each
    review is "under review" while flagged."""
    flags = open_flags(session, limit=limit, offset=offset, anonymous=anonymous)
    return [flag_view(flag, UNDER_REVIEW) for flag in flags]


def list_under_review(session: Session, *, limit: int, offset: int) -> list[tuple[int, str, str]]:
    """(review id, reason, reason in words) of every review shown "under review", flagged
    or marked by the anomaly signals: what waits for a keep or remove."""
    return [
        (review_id, reason or "", DECISION_REASONS.get(reason or "", reason or ""))
        for review_id, reason in under_review(session, limit=limit, offset=offset)
    ]


def dentist_signals(
    session: Session, *, dentist: str, now: int, settings: SignalSettings
) -> list[Signal]:
    require_dentist(session, dentist=dentist)
    rows = dentist_review_facts(session, dentist=dentist)
    first = first_seen(session, patients=[patient for *_, patient, _ in rows])
    facts = [
        ReviewFact(
            review_id=review_id,
            submitted_at=submitted_at,
            rating=rating,
            # No history: this visit is the wallet's first attested visit anywhere.
            patient_is_new=first.get(patient, visited_at) >= visited_at,
        )
        for review_id, submitted_at, rating, patient, visited_at in rows
    ]
    return compute_signals(facts, now=now, settings=settings)


def mark_signalled(
    session: Session, *, signals: list[Signal], operator: str, now: int
) -> list[int]:
    """Mark the reviews of raised signals "under review" (they stay online); recorded."""
    marked: list[int] = []
    for review_id in sorted({i for s in signals if s.raised for i in s.review_ids}):
        row = _review(session, review_id)
        if row.moderation_state is not None:
            continue
        decide(
            session,
            review_id=review_id,
            action="under_review",
            reason="anomaly",
            note=", ".join(s.name for s in signals if s.raised and review_id in s.review_ids),
            operator=operator,
            now=now,
        )
        marked.append(review_id)
    return marked
