"""Business rules for visits, reviews and rewards; every number is a setting.

Pure functions: the caller supplies `now` (unix seconds) and whatever history
the rule needs, and gets either nothing (accepted), a `DentaReviewError`, or a
`RewardDecision`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Final

from dentareview.domain.models import DentistStatus, Review, Visit
from dentareview.domain.ratings import RATING_MAX, RATING_MIN
from dentareview.domain.visible_text import measure
from dentareview.errors import (
    DeadlineTooFar,
    DentistInactive,
    InvalidRating,
    ReviewWindowClosed,
    SelfReview,
    SignatureExpired,
    TextTooLong,
    TextTooShort,
    TooFewWords,
    UnknownDentist,
    ValidationError,
    VisitInFuture,
)
from dentareview.linear_re import compile_linear

DAY: Final = 86_400
DENTIST_COOLDOWN: Final = "DENTIST_COOLDOWN"
PATIENT_LIMIT: Final = "PATIENT_LIMIT"
DENTIST_LIMIT: Final = "DENTIST_LIMIT"

# Unicode category Cc except TAB, LF and CR, which a multi-line review needs.
_CONTROL = compile_linear("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class PolicySettings:
    review_window_days: int = 90
    text_min_chars: int = 50
    text_max_chars: int = 5000
    text_min_words: int = 10
    max_deadline_ahead_seconds: int = 86_400
    # May narrow the scale the registry accepts, never widen it (domain/ratings.py).
    rating_min: int = RATING_MIN
    rating_max: int = RATING_MAX
    reward_cooldown_same_dentist_days: int = 93
    reward_window_days: int = 30
    reward_max_in_window: int = 3
    dentist_daily_reward_limit: int = 20
    dentist_daily_visit_limit: int = 200
    bayesian_prior_count: int = 5
    bayesian_prior_mean: float = 3.5
    # The practice's public reply to a review: its longest text, and how many signed
    # versions (the reply and its edits) one review's reply may have.
    reply_max_chars: int = 2000
    reply_max_versions: int = 20

    def __post_init__(self) -> None:
        # A typo in configuration must stop start-up, not quietly disable a rule.
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"policy {f.name} must not be negative")
        if self.text_min_chars > self.text_max_chars:
            raise ValueError("policy text_min_chars exceeds text_max_chars")
        if not RATING_MIN <= self.rating_min <= self.rating_max <= RATING_MAX:
            raise ValueError(
                f"policy ratings must satisfy {RATING_MIN} <= rating_min <= rating_max <= "
                f"{RATING_MAX}: the registry anchors no other rating"
            )
        if self.reward_max_in_window < 1:
            raise ValueError("policy reward_max_in_window must be at least 1")
        if self.reply_max_chars < 1 or self.reply_max_versions < 1:
            raise ValueError("policy reply_max_chars and reply_max_versions must be at least 1")


def check_visit(
    visit: Visit, *, dentist_status: DentistStatus, now: int, policy: PolicySettings
) -> None:
    """Rules for a visit whose signature already recovered to `visit.dentist`.

    `dentist_status` is the registry state of `visit.dentist`. Order: who
    signed (unknown, then inactive), then the content (self-review, future).
    No visit rule has a setting yet; `policy` keeps every check's signature alike.
    """
    if dentist_status is DentistStatus.UNREGISTERED:
        raise UnknownDentist(f"{visit.dentist} is not a registered dentist", field="dentist")
    if dentist_status is DentistStatus.INACTIVE:
        raise DentistInactive(f"dentist {visit.dentist} is deactivated", field="dentist")
    if visit.patient == visit.dentist:
        raise SelfReview("patient and dentist must be different wallets", field="patient")
    if visit.visited_at > now:
        raise VisitInFuture(
            f"visitedAt {_fmt(visit.visited_at)} is after the current time {_fmt(now)}",
            field="visitedAt",
        )


def check_review(review: Review, visit: Visit, *, now: int, policy: PolicySettings) -> None:
    """Rules for a review whose signature already recovered to `visit.patient`.

    Order, most useful first:
    1. review window: final, nothing the patient can change fixes it;
    2. ratings, in signing order (rating, treatment, bedside, waitTime);
    3. text: control characters, too short, too long, too few words;
    4. deadline: expired, then too far ahead. Last, because fixing anything
       above means signing again, which also yields a fresh deadline.
    """
    if review.visit_id != visit.visit_id:
        raise ValueError("review and visit have different visitIds")
    _check_window(visit, now, policy)
    for field, value in review.ratings().items():
        if not policy.rating_min <= value <= policy.rating_max:
            raise InvalidRating(
                f"{field} must be from {policy.rating_min} to {policy.rating_max}, got {value}",
                field=field,
            )
    check_text(review.text, policy)
    if review.deadline < now:
        raise SignatureExpired(
            f"the signature expired at {_fmt(review.deadline)}; sign the review again",
            field="deadline",
        )
    if review.deadline > now + policy.max_deadline_ahead_seconds:
        raise DeadlineTooFar(
            f"deadline may be at most {policy.max_deadline_ahead_seconds} seconds ahead",
            field="deadline",
        )


def _check_window(visit: Visit, now: int, policy: PolicySettings) -> None:
    closes_at = visit.visited_at + policy.review_window_days * DAY
    if now < visit.visited_at:
        raise ReviewWindowClosed("a visit cannot be reviewed before it took place")
    if now > closes_at:
        raise ReviewWindowClosed(
            f"reviews of this visit closed at {_fmt(closes_at)} "
            f"({policy.review_window_days} days after the visit)"
        )


def check_text(text: str, policy: PolicySettings) -> None:
    """Length rules on the text exactly as signed.

    The text is hashed into the signature, so it cannot be trimmed or
    normalised here. The maximum counts every Unicode code point of the signed
    string (CRLF counts 2, a combining accent counts 1). The minima count only
    what a reader sees (domain.visible_text): invisible and format characters
    do not count, spacing counts once between two words, and a text with no
    visible character is refused whatever the settings. Control characters
    other than TAB, LF and CR are refused: they are invisible to readers, and
    NUL cannot be stored by PostgreSQL.
    """
    bad = _CONTROL.search(text)
    if bad is not None:
        name = "NUL" if bad.group() == "\x00" else f"U+{ord(bad.group()):04X}"
        raise ValidationError(
            f"text contains the control character {name} at position {bad.start()}",
            field="text",
        )
    visible = measure(text)
    if visible.characters == 0:
        raise TextTooShort(
            "text has no visible characters (only spacing, invisible or format characters)",
            field="text",
        )
    if visible.characters < policy.text_min_chars:
        raise TextTooShort(
            f"text has {visible.characters} visible characters; at least "
            f"{policy.text_min_chars} are required (invisible and format characters "
            "do not count, spacing counts once between words)",
            field="text",
        )
    length = len(text)
    if length > policy.text_max_chars:
        raise TextTooLong(
            f"text has {length} characters; at most {policy.text_max_chars} are allowed",
            field="text",
        )
    if visible.words < policy.text_min_words:
        raise TooFewWords(
            f"text has {visible.words} words; at least {policy.text_min_words} are required "
            "(a word of invisible characters does not count)",
            field="text",
        )


@dataclass(frozen=True)
class RewardDecision:
    rewarded: bool
    reason: str | None = None
    reason_code: str | None = None
    # When a review of this dentist by this patient could be rewarded again.
    eligible_again_at: int | None = None


def decide_reward(
    *,
    now: int,
    same_dentist_rewarded_at: Sequence[int],
    patient_rewarded_at: Sequence[int],
    policy: PolicySettings,
    dentist_rewarded_at: Sequence[int] = (),
) -> RewardDecision:
    """Whether a valid review earns the fixed reward.

    `same_dentist_rewarded_at`: times of this patient's rewarded reviews of this
    dentist; `patient_rewarded_at`: times of all of this patient's rewarded
    reviews; `dentist_rewarded_at`: times of the dentist's rewarded reviews, any patient,
    in the last day. A reward at `t` counts against a window of `w` seconds while
    `now < t + w`. The rating is deliberately not an input: the reward may not
    depend on sentiment (16 CFR 465).
    """
    blocks = [
        block
        for block in (
            _dentist_cooldown(now, same_dentist_rewarded_at, policy),
            _patient_limit(now, patient_rewarded_at, policy),
            _dentist_limit(now, dentist_rewarded_at, policy),
        )
        if block is not None
    ]
    if not blocks:
        return RewardDecision(rewarded=True)
    # The limit that lasts longer says when a reward becomes possible again;
    # on a tie max() keeps the first, the more specific dentist cooldown.
    return max(blocks, key=lambda block: block.eligible_again_at or 0)


def _dentist_cooldown(
    now: int, rewarded_at: Sequence[int], policy: PolicySettings
) -> RewardDecision | None:
    cooldown = policy.reward_cooldown_same_dentist_days * DAY
    blocking = [t for t in rewarded_at if now < t + cooldown]
    if not blocking:
        return None
    last = max(blocking)
    reason = (
        f"Not rewarded: a review of this dentist by this patient was already rewarded on "
        f"{_fmt(last)} (at most one per {policy.reward_cooldown_same_dentist_days} days); "
        f"next possible from {_fmt(last + cooldown)}"
    )
    return RewardDecision(False, reason, DENTIST_COOLDOWN, last + cooldown)


def _dentist_limit(
    now: int, rewarded_at: Sequence[int], policy: PolicySettings
) -> RewardDecision | None:
    """A rolling 24 hours of rewarded reviews per dentist: bounds what a dentist reviewing
    himself from wallets of his own can mint (the registry enforces a day counter too)."""
    recent = sorted(t for t in rewarded_at if now < t + DAY)
    limit = policy.dentist_daily_reward_limit
    if len(recent) < limit:
        return None
    free_at = recent[len(recent) - limit] + DAY if limit > 0 else now + DAY
    reason = (
        f"Not rewarded: this dentist's reviews already received {len(recent)} rewards in the "
        f"last 24 hours (at most {limit}); the review is published without a reward"
    )
    return RewardDecision(False, reason, DENTIST_LIMIT, free_at)


def _patient_limit(
    now: int, rewarded_at: Sequence[int], policy: PolicySettings
) -> RewardDecision | None:
    window = policy.reward_window_days * DAY
    recent = sorted(t for t in rewarded_at if now < t + window)
    limit = policy.reward_max_in_window
    if len(recent) < limit:
        return None
    # Possible again once enough of the oldest rewards have left the window.
    free_at = recent[len(recent) - limit] + window
    reason = (
        f"Not rewarded: this patient already received {len(recent)} rewards in the last "
        f"{policy.reward_window_days} days (at most {limit}); next possible from {_fmt(free_at)}"
    )
    return RewardDecision(False, reason, PATIENT_LIMIT, free_at)


def _fmt(timestamp: int) -> str:
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, ValueError, OSError):
        # uint64 reaches far beyond the year 9999 that datetime can show.
        return f"unix time {timestamp}"
