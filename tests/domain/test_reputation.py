from __future__ import annotations

import pytest

from dentareview.domain.reputation import (
    MonthlyAggregate,
    RatedReview,
    RatingAggregate,
    TrendPoint,
    aggregate_reviews,
    compute_reputation,
    month_start,
    trend_months,
)

NOW = 1_739_620_800  # 2025-02-15 12:00:00 UTC: the trend runs 2024-03 .. 2025-02

# rating, treatment, bedside, wait_time, anchored_at
REVIEWS = [
    RatedReview(5, 5, 4, 3, 1_710_028_800),  # 2024-03-10 00:00:00
    RatedReview(4, 4, 5, 2, 1_711_929_599),  # 2024-03-31 23:59:59, last second of March
    RatedReview(2, 3, 2, 1, 1_711_929_600),  # 2024-04-01 00:00:00, first second of April
    RatedReview(5, 5, 5, 5, 1_735_689_599),  # 2024-12-31 23:59:59, last second of 2024
    RatedReview(3, 2, 1, 4, 1_735_689_600),  # 2025-01-01 00:00:00, first second of 2025
    RatedReview(4, 4, 4, 4, 1_739_617_200),  # 2025-02-15 11:00:00
    RatedReview(2, 1, 1, 1, 1_709_208_000),  # 2024-02-29 12:00:00, before the trend window
]

# Worked out by hand from REVIEWS:
#   rating    5+4+2+5+3+4+2 = 25 -> 25/7 = 3.571428.. -> 3.5714
#   treatment 5+4+3+5+2+4+1 = 24 -> 24/7 = 3.428571.. -> 3.4286
#   bedside   4+5+2+5+1+4+1 = 22 -> 22/7 = 3.142857.. -> 3.1429
#   wait time 3+2+1+5+4+4+1 = 20 -> 20/7 = 2.857142.. -> 2.8571
#   bayesian  (5 * 3.5 + 25) / (5 + 7) = 42.5 / 12 = 3.541666.. -> 3.5417
EXPECTED_TOTAL = RatingAggregate(
    count=7,
    rating_sum=25,
    treatment_sum=24,
    bedside_sum=22,
    wait_time_sum=20,
    histogram={2: 2, 3: 1, 4: 2, 5: 2},
)
EXPECTED_TREND = (
    TrendPoint("2024-03", 2, 4.5),  # (5 + 4) / 2
    TrendPoint("2024-04", 1, 2.0),
    TrendPoint("2024-05", 0, None),
    TrendPoint("2024-06", 0, None),
    TrendPoint("2024-07", 0, None),
    TrendPoint("2024-08", 0, None),
    TrendPoint("2024-09", 0, None),
    TrendPoint("2024-10", 0, None),
    TrendPoint("2024-11", 0, None),
    TrendPoint("2024-12", 1, 5.0),
    TrendPoint("2025-01", 1, 3.0),
    TrendPoint("2025-02", 1, 4.0),
)


def test_aggregate_reviews_by_hand() -> None:
    total, monthly = aggregate_reviews(REVIEWS)
    assert total == EXPECTED_TOTAL
    assert monthly == [
        MonthlyAggregate("2024-02", 1, 2),
        MonthlyAggregate("2024-03", 2, 9),
        MonthlyAggregate("2024-04", 1, 2),
        MonthlyAggregate("2024-12", 1, 5),
        MonthlyAggregate("2025-01", 1, 3),
        MonthlyAggregate("2025-02", 1, 4),
    ]


def test_reputation_by_hand() -> None:
    total, monthly = aggregate_reviews(REVIEWS)
    rep = compute_reputation(
        total, monthly, now=NOW, prior_count=5, prior_mean=3.5, pending_count=2
    )
    assert rep.count == 7
    assert rep.mean == 3.5714
    assert rep.bayesian_score == 3.5417
    assert (rep.treatment_mean, rep.bedside_mean, rep.wait_time_mean) == (3.4286, 3.1429, 2.8571)
    assert rep.histogram == {1: 0, 2: 2, 3: 1, 4: 2, 5: 2}
    assert list(rep.histogram) == [1, 2, 3, 4, 5]
    assert rep.trend == EXPECTED_TREND
    assert rep.pending_count == 2


def test_database_style_aggregates_give_the_same_result() -> None:
    # As a GROUP BY would return them: window only, unordered, a month split in two rows.
    monthly = [
        MonthlyAggregate("2025-02", 1, 4),
        MonthlyAggregate("2024-03", 1, 5),
        MonthlyAggregate("2024-12", 1, 5),
        MonthlyAggregate("2024-03", 1, 4),
        MonthlyAggregate("2025-01", 1, 3),
        MonthlyAggregate("2024-04", 1, 2),
    ]
    rep = compute_reputation(EXPECTED_TOTAL, monthly, now=NOW, prior_count=5, prior_mean=3.5)
    assert rep.trend == EXPECTED_TREND
    assert rep.pending_count == 0


def test_no_reviews_shows_the_prior() -> None:
    rep = compute_reputation(
        RatingAggregate(), [], now=NOW, prior_count=5, prior_mean=3.5, pending_count=1
    )
    assert (rep.count, rep.mean, rep.bayesian_score) == (0, None, 3.5)
    assert (rep.treatment_mean, rep.bedside_mean, rep.wait_time_mean) == (None, None, None)
    assert rep.histogram == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert [p.count for p in rep.trend] == [0] * 12
    assert all(p.mean is None for p in rep.trend)
    assert rep.pending_count == 1


def test_no_reviews_and_no_prior_has_no_score() -> None:
    rep = compute_reputation(RatingAggregate(), [], now=NOW, prior_count=0, prior_mean=3.5)
    assert rep.bayesian_score is None


def test_means_round_half_up_exactly() -> None:
    # 20021 / 20000 = 1.00105 exactly; round() on the float gives 1.001.
    total = RatingAggregate(count=20_000, rating_sum=20_021)
    rep = compute_reputation(total, [], now=NOW, prior_count=0, prior_mean=0)
    assert rep.mean == 1.0011
    # (3 * 3.7 + 20021) / 20003 = 20032.1 / 20003 = 1.0014548..
    rep = compute_reputation(total, [], now=NOW, prior_count=3, prior_mean=3.7)
    assert rep.bayesian_score == 1.0015


def test_negative_counts_refused() -> None:
    with pytest.raises(ValueError):
        compute_reputation(RatingAggregate(), [], now=NOW, prior_count=-1, prior_mean=3.5)


def test_trend_months_cross_the_year() -> None:
    january = 1_736_899_200  # 2025-01-15 00:00:00 UTC
    assert trend_months(january) == [
        "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07",
        "2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01",
    ]  # fmt: skip
    assert trend_months(1_735_689_599, n=2) == ["2024-11", "2024-12"]  # last second of 2024
    assert trend_months(1_735_689_600, n=1) == ["2025-01"]


def test_month_start() -> None:
    assert month_start("2024-03") == 1_709_251_200  # 2024-03-01 00:00:00 UTC
    assert month_start(trend_months(NOW)[0]) == 1_709_251_200
