"""Anomaly signals per practice: pure, from review facts alone."""

from __future__ import annotations

from dentareview.domain.moderation import DAY, ReviewFact, Signal, SignalSettings, compute_signals

NOW = 1_800_000_000


def facts(
    n: int, *, start: int, step: int, rating: int, new: bool, first_id: int = 1
) -> list[ReviewFact]:
    return [ReviewFact(first_id + i, start + i * step, rating, new) for i in range(n)]


def by_name(found: list[Signal]) -> dict[str, Signal]:
    return {s.name: s for s in found}


def test_a_steady_practice_raises_nothing() -> None:
    history = facts(40, start=NOW - 200 * DAY, step=5 * DAY, rating=4, new=False)
    signals = by_name(compute_signals(history, now=NOW, settings=SignalSettings()))
    assert not any(s.raised for s in signals.values())


def test_a_shift_to_five_stars_from_new_wallets_is_raised() -> None:
    earlier = facts(20, start=NOW - 200 * DAY, step=6 * DAY, rating=2, new=False)
    recent = facts(10, start=NOW - 20 * DAY, step=DAY, rating=5, new=True, first_id=100)
    signals = by_name(compute_signals(earlier + recent, now=NOW, settings=SignalSettings()))
    assert signals["rating_shift"].raised and signals["rating_shift"].value == 1.0
    assert signals["new_wallets"].raised and signals["new_wallets"].value == 1.0
    assert set(signals["new_wallets"].review_ids) == set(range(100, 110))
    assert not signals["burst"].raised  # one a day is no burst


def test_a_burst_against_the_norm_names_its_hour() -> None:
    steady = facts(30, start=NOW - 300 * DAY, step=10 * DAY, rating=4, new=False)
    burst = facts(8, start=NOW - 2 * DAY, step=60, rating=5, new=False, first_id=500)
    signals = by_name(compute_signals(steady + burst, now=NOW, settings=SignalSettings()))
    assert signals["burst"].raised
    assert set(signals["burst"].review_ids) <= set(range(500, 508))
    assert len(signals["burst"].review_ids) >= 5


def test_too_few_reviews_judge_no_share_or_shift() -> None:
    few = facts(3, start=NOW - DAY, step=DAY // 4, rating=5, new=True)
    signals = by_name(compute_signals(few, now=NOW, settings=SignalSettings()))
    assert not signals["new_wallets"].raised and not signals["rating_shift"].raised
