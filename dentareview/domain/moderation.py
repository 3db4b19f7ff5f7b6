"""Flags, operator decisions and anomaly signals: the fixed lists and the pure rules.

A flagged review stays online, shown "under review", until an operator decides: keep it
(the flags are resolved) or remove it with a reason from the same fixed list. Every
decision is recorded with the operator's wallet, and is public on the review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from dentareview.domain.ratings import STARS

FlagReason = Literal[
    "harmful_or_illegal",
    "personal_information",
    "advertising",
    "not_genuine",
    "wrong_business",
]
FLAG_REASONS: Final[dict[str, str]] = {
    "harmful_or_illegal": "harmful or illegal content",
    "personal_information": "personal information",
    "advertising": "advertising",
    "not_genuine": "not a genuine experience",
    "wrong_business": "about another business",
}
# What an operator may give as the reason of a decision: a flag reason, or these.
DecisionReason = Literal[
    "harmful_or_illegal",
    "personal_information",
    "advertising",
    "not_genuine",
    "wrong_business",
    "no_violation",
    "anomaly",
]
DECISION_REASONS: Final[dict[str, str]] = {
    **FLAG_REASONS,
    "no_violation": "no violation found",
    "anomaly": "unusual activity for this practice (anomaly signals)",
}
DecisionAction = Literal["keep", "remove", "under_review"]

# A review's moderation state: none, or one of these.
ModerationState = Literal["under_review", "removed"]
UNDER_REVIEW: Final = "under_review"
REMOVED: Final = "removed"


def public_label(state: str, reason: str | None) -> str:
    if state == REMOVED:
        return f"removed by moderation: {DECISION_REASONS.get(reason or '', reason or '')}"
    return "under review"


# ------------------------------------------------------------------ anomaly signals

HOUR: Final = 3600
DAY: Final = 86_400


@dataclass(frozen=True)
class SignalSettings:
    recent_days: int = 30  # the window the signals look at
    new_wallet_share: float = 0.5  # at or above: signal
    min_reviews: int = 5  # below this many recent reviews no share or shift is judged
    burst_factor: float = 3.0  # an hour with this many times the practice's norm...
    burst_min: int = 5  # ...and at least this many reviews
    shift_distance: float = 0.4  # total variation distance of the rating histograms
    min_history_days: int = 7  # the burst norm is averaged over this much at least


@dataclass(frozen=True)
class ReviewFact:
    """What the signals need of one review: no text, no wallet."""

    review_id: int
    submitted_at: int
    rating: int
    patient_is_new: bool  # no earlier attested visit or review anywhere


@dataclass(frozen=True)
class Signal:
    name: Literal["new_wallets", "burst", "rating_shift"]
    raised: bool
    value: float
    threshold: float
    detail: str
    review_ids: tuple[int, ...]  # the reviews it concerns (marked "under review" on request)


def _histogram(ratings: Sequence[int]) -> dict[int, float]:
    counts = Counter(ratings)
    total = len(ratings) or 1
    return {star: counts.get(star, 0) / total for star in STARS}


def compute_signals(
    facts: Sequence[ReviewFact], *, now: int, settings: SignalSettings
) -> list[Signal]:
    since = now - settings.recent_days * DAY
    recent = [f for f in facts if f.submitted_at >= since]
    earlier = [f for f in facts if f.submitted_at < since]
    signals = []

    new = [f for f in recent if f.patient_is_new]
    share = len(new) / len(recent) if recent else 0.0
    signals.append(
        Signal(
            "new_wallets",
            len(recent) >= settings.min_reviews and share >= settings.new_wallet_share,
            round(share, 3),
            settings.new_wallet_share,
            f"{len(new)} of {len(recent)} reviews in {settings.recent_days} days come from "
            "wallets with no earlier visit or review",
            tuple(f.review_id for f in new),
        )
    )

    hours = Counter(f.submitted_at // HOUR for f in facts)
    # The practice's reviews per hour over its history, a week at least: a young
    # practice's first hour is not its norm.
    first = min((f.submitted_at for f in facts), default=now)
    span_hours = max(settings.min_history_days * 24, (now - first) // HOUR)
    norm = len(facts) / span_hours
    recent_hours = {h: n for h, n in hours.items() if h * HOUR >= since}
    peak_hour, peak = max(recent_hours.items(), key=lambda item: item[1], default=(0, 0))
    threshold = max(float(settings.burst_min), settings.burst_factor * norm)
    signals.append(
        Signal(
            "burst",
            peak >= threshold,
            float(peak),
            round(threshold, 3),
            f"busiest hour: {peak} reviews; the practice's norm is {norm:.3f} an hour",
            tuple(f.review_id for f in recent if f.submitted_at // HOUR == peak_hour)
            if peak >= threshold
            else (),
        )
    )

    before, after = _histogram([f.rating for f in earlier]), _histogram([f.rating for f in recent])
    distance = 0.5 * sum(abs(before[s] - after[s]) for s in STARS) if earlier else 0.0
    judged = len(recent) >= settings.min_reviews and len(earlier) >= settings.min_reviews
    signals.append(
        Signal(
            "rating_shift",
            judged and distance >= settings.shift_distance,
            round(distance, 3),
            settings.shift_distance,
            f"rating distribution of the last {settings.recent_days} days against the "
            f"earlier one: total variation distance {distance:.3f} "
            f"({len(recent)} recent, {len(earlier)} earlier reviews)",
            tuple(f.review_id for f in recent) if judged else (),
        )
    )
    return signals
