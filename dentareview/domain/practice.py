"""A practice's dashboard, combined from aggregates (pure: no clock, no storage).

- **Score over time**: for each month, the Bayesian score of every anchored review up to
  the end of that month (what the public profile showed then), with that month's count
  and means of the overall rating and the three sub-ratings.
- **Funnel**: visits attested → reviews written → anchored → rewarded, and the median
  time from the visit to the review.
- **Replies**: the share of the practice's reviews (not erased by their author) with a
  reply, and the median time from a review to its first reply.
- **Verified retention**: of the practice's distinct patients (wallets it attested a
  visit for), the share with two attested visits at most 12 months apart. Counts only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from dentareview.domain.reputation import DECIMALS, bayesian_score

RETENTION_WINDOW_DAYS: Final = 365
DASHBOARD_MONTHS: Final = 12


@dataclass(frozen=True)
class MonthInput:
    month: str
    count: int
    rating_sum: int
    treatment_sum: int
    bedside_sum: int
    wait_time_sum: int


@dataclass(frozen=True)
class MonthPoint:
    month: str
    count: int
    mean: float | None
    treatment: float | None
    bedside: float | None
    wait_time: float | None
    cumulative_count: int
    bayesian_score: float | None


@dataclass(frozen=True)
class Funnel:
    visits: int
    reviews: int
    anchored: int
    rewarded: int
    review_rate: float | None  # reviews / visits
    median_seconds_to_review: int | None


@dataclass(frozen=True)
class Replies:
    reviews: int  # reviews a reply can answer (not erased by their author)
    replied: int
    rate: float | None  # replied / reviews
    median_seconds_to_reply: int | None


@dataclass(frozen=True)
class Retention:
    patients: int
    repeat_patients: int
    share: float | None
    window_days: int


def ratio(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return round(part / whole, DECIMALS)


def _mean(total: int, count: int) -> float | None:
    return round(float(Fraction(total, count)), DECIMALS) if count else None


def month_points(
    months: Sequence[str],
    sums: Sequence[MonthInput],
    *,
    count_before: int,
    rating_sum_before: int,
    prior_count: int,
    prior_mean: float,
) -> list[MonthPoint]:
    """One point per month in `months` (months without reviews included), oldest first."""
    by_month = {s.month: s for s in sums}
    count, rating_sum = count_before, rating_sum_before
    points: list[MonthPoint] = []
    for month in months:
        s = by_month.get(month, MonthInput(month, 0, 0, 0, 0, 0))
        count += s.count
        rating_sum += s.rating_sum
        points.append(
            MonthPoint(
                month=month,
                count=s.count,
                mean=_mean(s.rating_sum, s.count),
                treatment=_mean(s.treatment_sum, s.count),
                bedside=_mean(s.bedside_sum, s.count),
                wait_time=_mean(s.wait_time_sum, s.count),
                cumulative_count=count,
                # No score before the first review: the prior alone says nothing.
                bayesian_score=bayesian_score(
                    count, rating_sum, prior_count=prior_count, prior_mean=prior_mean
                )
                if count
                else None,
            )
        )
    return points


def funnel(
    *, visits: int, reviews: int, anchored: int, rewarded: int, median_seconds: int | None
) -> Funnel:
    return Funnel(visits, reviews, anchored, rewarded, ratio(reviews, visits), median_seconds)


def replies(*, reviews: int, replied: int, median_seconds: int | None) -> Replies:
    return Replies(reviews, replied, ratio(replied, reviews), median_seconds)


def retention(*, patients: int, repeat_patients: int) -> Retention:
    return Retention(
        patients, repeat_patients, ratio(repeat_patients, patients), RETENTION_WINDOW_DAYS
    )
