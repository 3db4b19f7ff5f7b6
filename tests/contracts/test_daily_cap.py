"""The daily reward cap: over it, reviews are anchored and rewards queued, paid on a later day.

These tests move the chain's clock forward, so they run on their own chain (an Anvil
node, or a py-evm chain) and leave the session's node (and its clock) alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3

from tests.contracts.evm import EVMS, PYEVM, advance_time, pyevm_web3
from tests.contracts.helpers import (
    REWARD,
    System,
    deploy_system,
    events,
    latest_timestamp,
    revert_of,
    signed_submission,
    transact,
)
from tests.support.anvil import AnvilNode, dev_account

DAY = 86_400


@pytest.fixture(scope="module", params=EVMS)
def clock_chain(request: pytest.FixtureRequest) -> Iterator[Web3]:
    if request.param == PYEVM:
        yield pyevm_web3()
        return
    node = AnvilNode()
    node.start()
    try:
        yield Web3(Web3.HTTPProvider(node.rpc_url))
    finally:
        node.stop()


@pytest.fixture
def capped(
    clock_chain: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> System:
    """A registry whose cap allows two rewards a day."""
    return deploy_system(clock_chain, admin, relayer, dentist, daily_cap=2 * REWARD)


def next_day(w3: Web3) -> None:
    advance_time(w3, DAY)


def review(system: System, relayer: LocalAccount, dentist: LocalAccount, patient: Any) -> Any:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    return transact(system.w3, relayer, system.registry.functions.submitReview(*submission.args()))


def balance(system: System, account: LocalAccount) -> int:
    return int(system.token.functions.balanceOf(account.address).call())


def pay_error(system: System, caller: str, patient: LocalAccount) -> tuple[Any, ...]:
    call = system.registry.functions.payQueuedReward(patient.address)
    return revert_of(call, caller, system.registry.abi)


def test_over_the_cap_the_review_is_anchored_and_its_reward_paid_next_day(
    capped: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    registry = capped.registry.functions
    first, second, late = dev_account(20), dev_account(21), dev_account(22)
    review(capped, relayer, dentist, first)
    review(capped, relayer, dentist, second)
    today = latest_timestamp(capped.w3) // DAY
    assert registry.rewardedToday().call() == [today, 2 * REWARD]

    receipt = review(capped, relayer, dentist, late)

    (anchored,) = events(capped.registry, "ReviewAnchored", receipt)
    assert anchored.args.patient == late.address
    assert anchored.args.reward == 0
    assert registry.anchoredAt(bytes(anchored.args.digest)).call() > 0
    (queued,) = events(capped.registry, "RewardQueued", receipt)
    assert (queued.args.patient, queued.args.amount) == (late.address, REWARD)
    assert events(capped.token, "Transfer", receipt) == []
    assert balance(capped, late) == 0
    assert registry.queuedReward(late.address).call() == REWARD
    assert pay_error(capped, relayer.address, late) == ("DailyRewardCapReached", 0)

    next_day(capped.w3)
    assert registry.rewardedToday().call() == [today + 1, 0]
    receipt = transact(capped.w3, relayer, registry.payQueuedReward(late.address))

    (paid,) = events(capped.registry, "QueuedRewardPaid", receipt)
    assert (paid.args.patient, paid.args.amount) == (late.address, REWARD)
    assert balance(capped, late) == REWARD
    assert registry.queuedReward(late.address).call() == 0
    assert registry.rewardedToday().call() == [today + 1, REWARD]
    assert pay_error(capped, relayer.address, late) == ("NothingQueued", late.address)
    # The queued payment counts against the new day's cap: one review reward remains.
    review(capped, relayer, dentist, dev_account(23))
    receipt = review(capped, relayer, dentist, dev_account(24))
    (anchored,) = events(capped.registry, "ReviewAnchored", receipt)
    assert anchored.args.reward == 0


def test_queued_rewards_are_paid_whole_or_not_at_all(
    capped: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    registry = capped.registry.functions
    patient = dev_account(25)
    review(capped, relayer, dentist, dev_account(26))
    review(capped, relayer, dentist, dev_account(27))
    review(capped, relayer, dentist, patient)
    review(capped, relayer, dentist, patient)
    assert registry.queuedReward(patient.address).call() == 2 * REWARD

    next_day(capped.w3)
    review(capped, relayer, dentist, dev_account(28))
    assert pay_error(capped, relayer.address, patient) == ("DailyRewardCapReached", REWARD)
    assert registry.queuedReward(patient.address).call() == 2 * REWARD

    next_day(capped.w3)
    transact(capped.w3, relayer, registry.payQueuedReward(patient.address))
    assert balance(capped, patient) == 2 * REWARD


def test_cap_changes_apply_to_what_was_already_minted_today(
    capped: System, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    registry = capped.registry.functions
    review(capped, relayer, dentist, dev_account(29))
    review(capped, relayer, dentist, dev_account(30))

    # Lowered below what was minted: nothing more today, and the minted amount is kept.
    transact(capped.w3, admin, registry.setDailyRewardCap(REWARD))
    _, minted = registry.rewardedToday().call()
    assert minted == 2 * REWARD
    (anchored,) = events(
        capped.registry, "ReviewAnchored", review(capped, relayer, dentist, dev_account(31))
    )
    assert anchored.args.reward == 0

    # Raised to three rewards a day: exactly one more today.
    transact(capped.w3, admin, registry.setDailyRewardCap(3 * REWARD))
    rewards = [
        events(capped.registry, "ReviewAnchored", review(capped, relayer, dentist, p))[
            0
        ].args.reward
        for p in (dev_account(32), dev_account(33))
    ]
    assert rewards == [REWARD, 0]
    _, minted = registry.rewardedToday().call()
    assert minted == 3 * REWARD

    # A new day starts from the current cap.
    next_day(capped.w3)
    rewards = [
        events(capped.registry, "ReviewAnchored", review(capped, relayer, dentist, p))[
            0
        ].args.reward
        for p in (dev_account(34), dev_account(35), dev_account(36), dev_account(37))
    ]
    assert rewards == [REWARD, REWARD, REWARD, 0]


def test_paying_queued_rewards_needs_the_relayer_and_no_pause(
    capped: System, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    registry = capped.registry.functions
    patient = dev_account(38)
    for p in (dev_account(39), dev_account(40), patient):
        review(capped, relayer, dentist, p)
    next_day(capped.w3)

    relayer_role = bytes(registry.RELAYER_ROLE().call())
    assert pay_error(capped, admin.address, patient) == (
        "AccessControlUnauthorizedAccount",
        admin.address,
        relayer_role,
    )
    transact(capped.w3, admin, registry.pause())
    assert pay_error(capped, relayer.address, patient) == ("EnforcedPause",)
    transact(capped.w3, admin, registry.unpause())
    transact(capped.w3, relayer, registry.payQueuedReward(patient.address))
    assert balance(capped, patient) == REWARD
