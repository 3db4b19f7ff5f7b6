"""ERC-1271 smart-contract accounts, and the registry's own per-dentist daily reward limit."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount
from web3 import Web3

from tests.contracts.helpers import (
    REWARD,
    deploy_smart_account,
    deploy_system,
    events,
    revert_of,
    signed_submission,
    transact,
)
from tests.support.anvil import dev_account


def test_smart_account_dentist_and_patient_anchor_and_are_paid(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    system = deploy_system(w3, admin, relayer, dentist)
    owner_of_practice, owner_of_patient = dev_account(6), dev_account(7)
    practice = deploy_smart_account(w3, admin, owner_of_practice.address)
    wallet = deploy_smart_account(w3, admin, owner_of_patient.address)
    transact(w3, admin, system.registry.functions.registerDentist(practice.address))
    submission = signed_submission(
        w3,
        system.registry_address,
        owner_of_practice,
        owner_of_patient,
        dentist_address=practice.address,
        patient_address=wallet.address,
    )
    receipt = transact(w3, relayer, system.registry.functions.submitReview(*submission.args()))
    [anchored] = events(system.registry, "ReviewAnchored", receipt)
    assert anchored["args"]["patient"] == wallet.address
    assert anchored["args"]["dentist"] == practice.address
    assert system.token.functions.balanceOf(wallet.address).call() == REWARD


def test_smart_account_that_does_not_accept_the_signature_is_refused(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    system = deploy_system(w3, admin, relayer, dentist)
    owner = dev_account(7)
    wallet = deploy_smart_account(w3, admin, owner.address)
    submission = signed_submission(
        w3, system.registry_address, dentist, owner, patient_address=wallet.address
    )
    transact(w3, owner, wallet.functions.transferOwnership(dev_account(8).address))
    name, recovered, patient = revert_of(
        system.registry.functions.submitReview(*submission.args()),
        relayer.address,
        system.registry.abi,
    )
    assert (name, recovered, patient) == ("NotVisitPatient", owner.address, wallet.address)


def test_dentist_daily_limit_anchors_past_it_without_reward(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    """A dishonest dentist reviewing himself from wallets of his own (or a leaked relayer
    key) gets at most the limit's rewards a day through his visits."""
    system = deploy_system(w3, admin, relayer, dentist, dentist_daily_limit=2)
    paid = []
    for index in range(3):
        patient = dev_account(10 + index)
        submission = signed_submission(w3, system.registry_address, dentist, patient)
        receipt = transact(
            w3, relayer, system.registry.functions.submitReview(*submission.args())
        )
        [anchored] = events(system.registry, "ReviewAnchored", receipt)
        paid.append(anchored["args"]["reward"])
        limited = events(system.registry, "DentistRewardLimitReached", receipt)
        assert bool(limited) == (index == 2)
    assert paid == [REWARD, REWARD, 0]
    day, rewarded = system.registry.functions.dentistRewardedToday(dentist.address).call()
    assert rewarded == 2 and day == w3.eth.get_block("latest")["timestamp"] // 86_400
    # Another dentist is not held back by the first one's limit.
    other = dev_account(9)
    transact(w3, admin, system.registry.functions.registerDentist(other.address))
    submission = signed_submission(w3, system.registry_address, other, dev_account(14))
    receipt = transact(w3, relayer, system.registry.functions.submitReview(*submission.args()))
    assert events(system.registry, "ReviewAnchored", receipt)[0]["args"]["reward"] == REWARD


def test_only_admin_sets_the_dentist_limit(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    system = deploy_system(w3, admin, relayer, dentist)
    call = system.registry.functions.setDentistDailyRewardLimit(5)
    assert revert_of(call, relayer.address, system.registry.abi)[0] == (
        "AccessControlUnauthorizedAccount"
    )
    transact(w3, admin, call)
    assert system.registry.functions.dentistDailyRewardLimit().call() == 5
