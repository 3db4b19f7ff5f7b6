"""The dashboard's arithmetic: cumulative Bayesian score by month, funnel and retention ratios."""

from __future__ import annotations

from dentareview.domain.practice import MonthInput, funnel, month_points, retention


def test_score_by_month_is_cumulative_and_absent_before_the_first_review() -> None:
    points = month_points(
        ["2026-01", "2026-02", "2026-03", "2026-04"],
        [MonthInput("2026-02", 2, 9, 8, 10, 6), MonthInput("2026-04", 1, 1, 2, 3, 4)],
        count_before=0,
        rating_sum_before=0,
        prior_count=5,
        prior_mean=3.5,
    )
    assert [p.count for p in points] == [0, 2, 0, 1]
    assert points[0].bayesian_score is None and points[0].mean is None
    assert points[1].bayesian_score == round((17.5 + 9) / 7, 4)
    assert points[1].mean == 4.5 and points[1].treatment == 4.0 and points[1].wait_time == 3.0
    assert points[2].bayesian_score == points[1].bayesian_score  # a quiet month keeps it
    assert points[2].mean is None
    assert points[3].cumulative_count == 3
    assert points[3].bayesian_score == round((17.5 + 10) / 8, 4)


def test_reviews_before_the_window_count_in_the_score() -> None:
    (point,) = month_points(
        ["2026-01"], [], count_before=10, rating_sum_before=50, prior_count=5, prior_mean=3.5
    )
    assert point.count == 0 and point.cumulative_count == 10
    assert point.bayesian_score == round((17.5 + 50) / 15, 4)


def test_ratios_are_none_without_a_denominator() -> None:
    assert (
        funnel(visits=0, reviews=0, anchored=0, rewarded=0, median_seconds=None).review_rate is None
    )
    assert (
        funnel(visits=8, reviews=3, anchored=2, rewarded=1, median_seconds=60).review_rate == 0.375
    )
    assert retention(patients=0, repeat_patients=0).share is None
    assert retention(patients=3, repeat_patients=1).share == 0.3333
