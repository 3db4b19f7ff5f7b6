"""The pure rules of anonymous reviews: values built as AnonymousReviews builds them, the
wire's field elements, and the publication rule."""

from __future__ import annotations

import os
import random

import pytest
from eth_account import Account

from dentareview.domain.anonymous import (
    SNARK_SCALAR_FIELD,
    PublicationRule,
    Queued,
    check_period,
    due_batch,
    message_of,
    parse_field_element,
    parse_uint256,
    period_at,
    scope_of,
    semaphore_hash,
)
from dentareview.errors import PeriodNotOpen, ValidationError
from tests.contracts import semaphore

RULE = PublicationRule(batch_size=3, min_delay=3600, max_delay=86_400)


def test_scope_and_message_are_the_contracts() -> None:
    # tests/contracts/semaphore.py builds them as the contract tests prove against it.
    dentist, reward_to, digest = Account.create().address, Account.create().address, os.urandom(32)
    assert scope_of(dentist, 20_000) == semaphore.scope_of(dentist, 20_000)
    assert message_of(digest, reward_to) == semaphore.message_of(digest, reward_to)
    assert semaphore_hash(2**256 - 1) < SNARK_SCALAR_FIELD
    assert period_at(90 * 86_400 * 7 + 5, 90 * 86_400) == 7


@pytest.mark.parametrize("value", ["0", str(SNARK_SCALAR_FIELD), "-1", "0x10", " 1", "1.0", "١٢"])
def test_a_field_element_is_a_nonzero_decimal_below_the_modulus(value: str) -> None:
    with pytest.raises(ValidationError):
        parse_field_element(value, "commitment")


def test_field_elements_and_uint256_in_range_are_read() -> None:
    assert parse_field_element(str(SNARK_SCALAR_FIELD - 1), "c") == SNARK_SCALAR_FIELD - 1
    assert parse_uint256(str(2**256 - 1), "p") == 2**256 - 1
    with pytest.raises(ValidationError):
        parse_uint256(str(2**256), "p")


def test_the_current_and_previous_periods_are_open() -> None:
    check_period(10, current=10)
    check_period(9, current=10)
    for period in (8, 11):
        with pytest.raises(PeriodNotOpen):
            check_period(period, current=10)


def queued(arrivals: list[int]) -> list[Queued]:
    return [
        Queued(f"r{i}", RULE.publish_after(at), RULE.publish_by(at))
        for i, at in enumerate(arrivals)
    ]


def test_nothing_is_published_before_the_minimum_delay() -> None:
    items = queued([1000, 1000, 1000])
    assert due_batch(items, rule=RULE, now=1000 + 3599, rng=random.Random(1)) == []
    assert sorted(due_batch(items, rule=RULE, now=1000 + 3600, rng=random.Random(1))) == [
        "r0",
        "r1",
        "r2",
    ]


def test_a_small_batch_waits_until_its_oldest_reached_the_maximum_delay() -> None:
    items = queued([0, 50])
    assert due_batch(items, rule=RULE, now=86_399, rng=random.Random(1)) == []
    assert sorted(due_batch(items, rule=RULE, now=86_400, rng=random.Random(1))) == ["r0", "r1"]


def test_a_batch_is_shuffled() -> None:
    items = queued([0] * 12)
    orders = {tuple(due_batch(items, rule=RULE, now=3600, rng=random.Random(s))) for s in range(8)}
    assert len(orders) > 1
    assert all(sorted(order) == sorted(item.key for item in items) for order in orders)
