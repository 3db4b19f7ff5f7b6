"""A dentist's reputation, combined from aggregates.

The database sums and counts (one row for the totals, one per month), so the
cost here does not grow with the number of reviews. Only anchored reviews
enter the aggregates; pending ones are reported apart as a count.

Means are exact fractions rounded half up to 4 decimals, so the API shows the
same number whatever the database's float arithmetic, and a person can check
it by hand.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from typing import Final

from dentareview.domain.ratings import STARS

HISTOGRAM_KEYS: Final = tuple(STARS)
DECIMALS: Final = 4


@dataclass(frozen=True)
class RatingAggregate:
    count: int = 0
    rating_sum: int = 0
    treatment_sum: int = 0
    bedside_sum: int = 0
    wait_time_sum: int = 0
    histogram: Mapping[int, int] = field(default_factory=dict)  # overall rating -> count


@dataclass(frozen=True)
class MonthlyAggregate:
    month: str  # "YYYY-MM", UTC, of the anchoring time
    count: int
    rating_sum: int


@dataclass(frozen=True)
class RatedReview:
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    anchored_at: int


@dataclass(frozen=True)
class TrendPoint:
    month: str
    count: int
    mean: float | None


@dataclass(frozen=True)
class Reputation:
    count: int
    mean: float | None
    # None only with no reviews and no prior (prior_count 0).
    bayesian_score: float | None
    treatment_mean: float | None
    bedside_mean: float | None
    wait_time_mean: float | None
    histogram: Mapping[int, int]
    trend: tuple[TrendPoint, ...]
    pending_count: int


def month_of(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m")


def month_start(month: str) -> int:
    """Unix time of the first second of a "YYYY-MM" month (UTC)."""
    return int(datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC).timestamp())


def trend_months(now: int, n: int = 12) -> list[str]:
    """The `n` calendar months ending with `now`'s month, oldest first.

    The database layer aggregates from `month_start(trend_months(now)[0])`.
    """
    current = datetime.fromtimestamp(now, UTC)
    index = current.year * 12 + current.month - 1  # months since year 0
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - n + 1, index + 1)]


def aggregate_reviews(
    reviews: Iterable[RatedReview],
) -> tuple[RatingAggregate, list[MonthlyAggregate]]:
    """What the database computes, in memory: for small inputs and tests."""
    items = list(reviews)
    total = RatingAggregate(
        count=len(items),
        rating_sum=sum(r.rating for r in items),
        treatment_sum=sum(r.treatment for r in items),
        bedside_sum=sum(r.bedside for r in items),
        wait_time_sum=sum(r.wait_time for r in items),
        histogram=dict(Counter(r.rating for r in items)),
    )
    counts: Counter[str] = Counter()
    sums: Counter[str] = Counter()
    for r in items:
        counts[month_of(r.anchored_at)] += 1
        sums[month_of(r.anchored_at)] += r.rating
    monthly = [MonthlyAggregate(m, counts[m], sums[m]) for m in sorted(counts)]
    return total, monthly


def compute_reputation(
    total: RatingAggregate,
    monthly: Sequence[MonthlyAggregate],
    *,
    now: int,
    prior_count: int,
    prior_mean: float,
    pending_count: int = 0,
) -> Reputation:
    """Combine aggregates of anchored reviews into the public reputation.

    bayesian_score = (prior_count * prior_mean + rating_sum) / (prior_count + count):
    with few reviews it stays near the prior, so one 5-star review does not
    outrank a hundred 4.8s. Months outside the 12-month trend are ignored.
    """
    if prior_count < 0 or total.count < 0 or pending_count < 0:
        raise ValueError("counts must not be negative")
    count = total.count
    bayesian = bayesian_score(
        count, total.rating_sum, prior_count=prior_count, prior_mean=prior_mean
    )
    by_month: Counter[str] = Counter()
    sum_by_month: Counter[str] = Counter()
    for m in monthly:
        by_month[m.month] += m.count
        sum_by_month[m.month] += m.rating_sum
    return Reputation(
        count=count,
        mean=_mean(total.rating_sum, count),
        bayesian_score=bayesian,
        treatment_mean=_mean(total.treatment_sum, count),
        bedside_mean=_mean(total.bedside_sum, count),
        wait_time_mean=_mean(total.wait_time_sum, count),
        histogram=_histogram(total.histogram),
        trend=tuple(
            TrendPoint(m, by_month[m], _mean(sum_by_month[m], by_month[m]))
            for m in trend_months(now)
        ),
        pending_count=pending_count,
    )


def bayesian_score(
    count: int, rating_sum: int, *, prior_count: int, prior_mean: float
) -> float | None:
    """(prior_count * prior_mean + rating_sum) / (prior_count + count); None with no weight."""
    prior_weight = prior_count + count
    if not prior_weight:
        return None
    # str() so that a prior of 3.7 means 37/10, not the nearest binary float.
    prior_total = prior_count * Fraction(str(prior_mean))
    return _round(Fraction(prior_total + rating_sum) / prior_weight)


def _histogram(counts: Mapping[int, int]) -> dict[int, int]:
    # Keys 1..5 always present so clients can draw bars without guessing;
    # any other rating the data holds is kept rather than silently dropped.
    keys = sorted(set(HISTOGRAM_KEYS) | set(counts))
    return {k: counts.get(k, 0) for k in keys}


def _mean(total: int, count: int) -> float | None:
    return _round(Fraction(total, count)) if count else None


def _round(value: Fraction) -> float:
    scale = 10**DECIMALS
    return math.floor(value * scale + Fraction(1, 2)) / scale
