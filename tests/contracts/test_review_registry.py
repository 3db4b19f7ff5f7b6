"""ReviewRegistry on a real Anvil node, with signatures made the way a wallet makes them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from tests.contracts.helpers import (
    REWARD,
    Submission,
    System,
    deploy_system,
    digest,
    events,
    latest_timestamp,
    revert_of,
    sign,
    signed_submission,
    transact,
)
from tests.support.anvil import dev_account

DEFAULT_ADMIN_ROLE = b"\x00" * 32
RELAYER_ROLE = keccak(text="RELAYER_ROLE")


def changes(field: str, value: Any) -> dict[str, Any]:
    return {field: value}


def submit(system: System, relayer: LocalAccount, submission: Submission, **kwargs: Any) -> Any:
    receipt = transact(
        system.w3, relayer, system.registry.functions.submitReview(*submission.args(**kwargs))
    )
    return receipt


def anchored_events(system: System, receipt: Any) -> list[Any]:
    return list(events(system.registry, "ReviewAnchored", receipt))


def submit_error(
    system: System, relayer: LocalAccount, args: tuple[Any, ...], sender: str | None = None
) -> tuple[Any, ...]:
    call = system.registry.functions.submitReview(*args)
    return revert_of(call, sender or relayer.address, system.registry.abi)


def review_digest(system: System, submission: Submission) -> bytes:
    return digest(
        "Review",
        submission.review.message(),
        chain_id=system.chain_id,
        registry=system.registry_address,
    )


# --------------------------------------------------------------------------- happy path


def test_review_is_anchored_and_rewarded_once(
    system: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    patient = dev_account(10)
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    balance_before = system.token.functions.balanceOf(patient.address).call()
    expected = review_digest(system, submission)

    receipt = submit(system, relayer, submission)

    (event,) = anchored_events(system, receipt)
    assert bytes(event.args.digest) == expected
    assert bytes(event.args.visitId) == submission.visit.visit_id
    assert event.args.patient == patient.address
    assert event.args.dentist == dentist.address
    assert event.args.reward == REWARD
    transfers = events(system.token, "Transfer", receipt)
    assert [(t.args["from"], t.args.to, t.args.value) for t in transfers] == [
        ("0x" + "00" * 20, patient.address, REWARD)
    ]
    assert system.token.functions.balanceOf(patient.address).call() == balance_before + REWARD
    block = system.w3.eth.get_block(receipt["blockNumber"])
    registry = system.registry.functions
    assert registry.anchoredAt(expected).call() == block["timestamp"]
    assert bytes(registry.reviewDigestOf(submission.visit.visit_id).call()) == expected
    assert registry.isVisitReviewed(submission.visit.visit_id).call() is True

    # The same signed review cannot be replayed for a second reward.
    assert submit_error(system, relayer, submission.args()) == (
        "VisitAlreadyReviewed",
        submission.visit.visit_id,
    )
    assert system.token.functions.balanceOf(patient.address).call() == balance_before + REWARD


def test_unreviewed_visit_and_unknown_digest_read_as_zero(system: System) -> None:
    registry = system.registry.functions
    assert registry.isVisitReviewed(b"\x01" * 32).call() is False
    assert bytes(registry.reviewDigestOf(b"\x01" * 32).call()) == b"\x00" * 32
    assert registry.anchoredAt(b"\x02" * 32).call() == 0


# --------------------------------------------------------------------------- digests


def test_eth_account_digests_equal_the_contract_digests(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(
        system.w3, system.registry_address, dentist, patient, text="Ünïcode ✓ text " * 10
    )
    registry = system.registry.functions
    visit = submission.visit
    review_args = submission.review.args()
    chain_id, address = system.chain_id, system.registry_address
    expected_review = digest(
        "Review", submission.review.message(), chain_id=chain_id, registry=address
    )
    expected_visit = digest("Visit", visit.message(), chain_id=chain_id, registry=address)

    assert bytes(registry.reviewDigest(visit.visit_id, review_args).call()) == expected_review
    assert bytes(registry.visitDigest(visit.args()).call()) == expected_visit
    returned = registry.submitReview(*submission.args()).call({"from": relayer.address})
    assert bytes(returned) == expected_review

    receipt = submit(system, relayer, submission)
    (event,) = anchored_events(system, receipt)
    assert bytes(event.args.digest) == expected_review
    assert bytes(registry.reviewDigestOf(visit.visit_id).call()) == expected_review


def test_struct_hashes_and_domain_separator_follow_eip712(system: System) -> None:
    registry = system.registry.functions
    visit_type = "Visit(bytes32 visitId,address patient,address dentist,uint64 visitedAt)"
    review_type = (
        "Review(bytes32 visitId,uint8 rating,uint8 treatment,uint8 bedside,uint8 waitTime,"
        "string text,uint64 deadline)"
    )
    assert bytes(registry.VISIT_TYPEHASH().call()) == keccak(text=visit_type)
    assert bytes(registry.REVIEW_TYPEHASH().call()) == keccak(text=review_type)
    domain_type = (
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    expected_separator = keccak(
        keccak(text=domain_type)
        + keccak(text="DentaReview")
        + keccak(text="1")
        + system.chain_id.to_bytes(32, "big")
        + bytes(12)
        + bytes.fromhex(system.registry_address[2:])
    )
    assert bytes(registry.domainSeparator().call()) == expected_separator
    fields, name, version, chain_id, contract, _, _ = registry.eip712Domain().call()
    assert (name, version, chain_id, contract) == (
        "DentaReview",
        "1",
        system.chain_id,
        system.registry_address,
    )


# --------------------------------------------------------------------------- rewards


def test_one_star_and_five_star_reviews_earn_the_same_reward(
    system: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    rewards = []
    for rating, patient in ((1, dev_account(11)), (5, dev_account(12))):
        submission = signed_submission(
            system.w3,
            system.registry_address,
            dentist,
            patient,
            rating=rating,
            sub_ratings=(rating, rating, rating),
        )
        before = system.token.functions.balanceOf(patient.address).call()
        (event,) = anchored_events(system, submit(system, relayer, submission))
        after = system.token.functions.balanceOf(patient.address).call()
        rewards.append((event.args.reward, after - before))
    assert rewards == [(REWARD, REWARD), (REWARD, REWARD)]


def test_non_rewardable_review_is_anchored_without_reward(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    before = system.token.functions.balanceOf(patient.address).call()
    supply = system.token.functions.totalSupply().call()

    receipt = submit(system, relayer, submission, rewardable=False)

    (event,) = anchored_events(system, receipt)
    assert event.args.reward == 0
    assert events(system.token, "Transfer", receipt) == []
    assert system.token.functions.balanceOf(patient.address).call() == before
    assert system.token.functions.totalSupply().call() == supply
    assert system.registry.functions.queuedReward(patient.address).call() == 0
    assert system.registry.functions.anchoredAt(bytes(event.args.digest)).call() > 0


def test_zero_reward_amount_anchors_without_minting(
    system: System, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    transact(system.w3, admin, system.registry.functions.setRewardAmount(0))
    patient = dev_account(13)
    receipt = submit(
        system, relayer, signed_submission(system.w3, system.registry_address, dentist, patient)
    )
    (event,) = anchored_events(system, receipt)
    assert event.args.reward == 0
    assert events(system.token, "Transfer", receipt) == []


# --------------------------------------------------------------------------- reverts


def test_unregistered_dentist_is_refused(
    system: System, relayer: LocalAccount, patient: LocalAccount
) -> None:
    stranger = dev_account(14)
    submission = signed_submission(system.w3, system.registry_address, stranger, patient)
    assert submit_error(system, relayer, submission.args()) == (
        "DentistNotActive",
        stranger.address,
    )


def test_deactivated_dentist_is_refused_until_registered_again(
    system: System,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
) -> None:
    registry = system.registry.functions
    receipt = transact(system.w3, admin, registry.deactivateDentist(dentist.address))
    (event,) = events(system.registry, "DentistDeactivated", receipt)
    assert event.args.dentist == dentist.address
    assert registry.dentistStatus(dentist.address).call() == 2

    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    assert submit_error(system, relayer, submission.args()) == (
        "DentistNotActive",
        dentist.address,
    )

    receipt = transact(system.w3, admin, registry.registerDentist(dentist.address))
    (event,) = events(system.registry, "DentistRegistered", receipt)
    assert event.args.dentist == dentist.address
    assert registry.dentistStatus(dentist.address).call() == 1
    submit(system, relayer, submission)


def test_deactivating_an_inactive_dentist_reverts(
    system: System, admin: LocalAccount, dentist: LocalAccount
) -> None:
    registry = system.registry.functions
    stranger = dev_account(15).address
    assert revert_of(registry.deactivateDentist(stranger), admin.address, system.registry.abi) == (
        "DentistNotRegistered",
        stranger,
    )
    transact(system.w3, admin, registry.deactivateDentist(dentist.address))
    assert revert_of(
        registry.deactivateDentist(dentist.address), admin.address, system.registry.abi
    ) == ("DentistNotRegistered", dentist.address)
    assert revert_of(
        registry.registerDentist("0x" + "00" * 20), admin.address, system.registry.abi
    ) == ("ZeroAddress",)


def test_review_signed_by_someone_else_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    impostor = dev_account(16)
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    forged = sign(
        impostor,
        "Review",
        submission.review.message(),
        chain_id=system.chain_id,
        registry=system.registry_address,
    )
    assert submit_error(system, relayer, replace(submission, review_signature=forged).args()) == (
        "NotVisitPatient",
        impostor.address,
        patient.address,
    )


def test_visit_signed_by_someone_else_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    impostor = dev_account(17)
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    forged = sign(
        impostor,
        "Visit",
        submission.visit.message(),
        chain_id=system.chain_id,
        registry=system.registry_address,
    )
    assert submit_error(system, relayer, replace(submission, visit_signature=forged).args()) == (
        "InvalidVisitSignature",
        impostor.address,
    )


@pytest.mark.parametrize(
    "field, value",
    [("rating", 1), ("treatment", 1), ("bedside", 1), ("wait_time", 1), ("deadline", None)],
)
def test_review_field_changed_after_signing_is_refused(
    system: System,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
    field: str,
    value: int | None,
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    if value is None:
        value = submission.review.deadline + 1
    tampered = replace(submission, review=replace(submission.review, **changes(field, value)))
    name, recovered, expected_patient = submit_error(system, relayer, tampered.args())
    assert (name, expected_patient) == ("NotVisitPatient", patient.address)
    assert recovered != patient.address


def test_review_text_changed_after_signing_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    tampered = replace(
        submission, review=replace(submission.review, text=submission.review.text + ".")
    )
    name, recovered, _ = submit_error(system, relayer, tampered.args())
    assert name == "NotVisitPatient"
    assert recovered != patient.address


def test_visit_field_changed_after_signing_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    tampered = replace(
        submission, visit=replace(submission.visit, visited_at=submission.visit.visited_at - 1)
    )
    name, recovered = submit_error(system, relayer, tampered.args())
    assert name == "InvalidVisitSignature"
    assert recovered != dentist.address


def test_review_of_another_visit_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    """A patient's review cannot be moved onto another visit of the same patient."""
    first = signed_submission(system.w3, system.registry_address, dentist, patient)
    second = signed_submission(system.w3, system.registry_address, dentist, patient)
    moved = replace(
        second,
        review=replace(first.review, visit_id=second.visit.visit_id),
        review_signature=first.review_signature,
    )
    name, recovered, _ = submit_error(system, relayer, moved.args())
    assert name == "NotVisitPatient"
    assert recovered != patient.address


def test_malformed_signature_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    short = replace(submission, review_signature=submission.review_signature[:64])
    # Not a 65-byte ECDSA signature, and the patient's account has no ERC-1271 code.
    zero = "0x0000000000000000000000000000000000000000"
    assert submit_error(system, relayer, short.args()) == ("NotVisitPatient", zero, patient.address)


def test_review_accepted_before_its_deadline_anchors_after_it(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    """An outage or a pause must not strand a review the service accepted in time."""
    deadline = latest_timestamp(system.w3) - 10
    submission = signed_submission(
        system.w3, system.registry_address, dentist, patient, deadline=deadline
    )
    assert submit_error(system, relayer, submission.args(accepted_at=deadline + 1)) == (
        "SignatureExpired",
        deadline,
    )
    receipt = submit(system, relayer, submission, accepted_at=deadline - 5)
    assert receipt["status"] == 1


def test_expired_deadline_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    # Accepted at the chain's time, not the wall clock's: py-evm's clock runs ahead of it.
    now = latest_timestamp(system.w3)
    deadline = now - 1
    submission = signed_submission(
        system.w3, system.registry_address, dentist, patient, deadline=deadline
    )
    args = submission.args(accepted_at=now)
    assert submit_error(system, relayer, args) == ("SignatureExpired", deadline)


def test_caller_without_relayer_role_is_refused(
    system: System, admin: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    for caller in (admin.address, patient.address):
        assert submit_error(system, admin, submission.args(), sender=caller) == (
            "AccessControlUnauthorizedAccount",
            caller,
            RELAYER_ROLE,
        )


def test_paused_registry_refuses_reviews_until_unpaused(
    system: System,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
) -> None:
    registry = system.registry.functions
    transact(system.w3, admin, registry.pause())
    assert registry.paused().call() is True
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    assert submit_error(system, relayer, submission.args()) == ("EnforcedPause",)
    transact(system.w3, admin, registry.unpause())
    submit(system, relayer, submission)


def test_signature_for_another_chain_is_refused(
    system: System, relayer: LocalAccount, dentist: LocalAccount, patient: LocalAccount
) -> None:
    other_chain = system.chain_id + 1
    genuine = signed_submission(system.w3, system.registry_address, dentist, patient)
    foreign = signed_submission(
        system.w3, system.registry_address, dentist, patient, chain_id=other_chain
    )
    name, recovered = submit_error(system, relayer, foreign.args())
    assert name == "InvalidVisitSignature" and recovered != dentist.address
    # A genuine visit with a review signed for the other chain is refused as well.
    review_elsewhere = sign(
        patient,
        "Review",
        genuine.review.message(),
        chain_id=other_chain,
        registry=system.registry_address,
    )
    name, recovered, _ = submit_error(
        system, relayer, replace(genuine, review_signature=review_elsewhere).args()
    )
    assert name == "NotVisitPatient" and recovered != patient.address


def test_signature_for_another_registry_is_refused(
    system: System,
    w3: Web3,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
) -> None:
    other = deploy_system(w3, admin, relayer, dentist)
    meant_for_other = signed_submission(w3, other.registry_address, dentist, patient)
    name, recovered = submit_error(system, relayer, meant_for_other.args())
    assert name == "InvalidVisitSignature" and recovered != dentist.address

    genuine = signed_submission(w3, system.registry_address, dentist, patient)
    review_for_other = sign(
        patient,
        "Review",
        genuine.review.message(),
        chain_id=system.chain_id,
        registry=other.registry_address,
    )
    name, recovered, _ = submit_error(
        system, relayer, replace(genuine, review_signature=review_for_other).args()
    )
    assert name == "NotVisitPatient" and recovered != patient.address
    # The signature is valid where it was meant to go.
    submit(other, relayer, meant_for_other)


@pytest.mark.parametrize("field", ["rating", "treatment", "bedside", "wait_time"])
@pytest.mark.parametrize("value", [0, 6, 255])
def test_rating_outside_one_to_five_is_refused(
    system: System,
    relayer: LocalAccount,
    dentist: LocalAccount,
    patient: LocalAccount,
    field: str,
    value: int,
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, patient)
    review = replace(submission.review, **changes(field, value))
    resigned = sign(
        patient,
        "Review",
        review.message(),
        chain_id=system.chain_id,
        registry=system.registry_address,
    )
    bad = replace(submission, review=review, review_signature=resigned)
    assert submit_error(system, relayer, bad.args()) == ("InvalidRating",)


def test_self_review_is_refused(
    system: System, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    submission = signed_submission(system.w3, system.registry_address, dentist, dentist)
    assert submit_error(system, relayer, submission.args()) == ("SelfReview", dentist.address)


# --------------------------------------------------------------------------- roles and settings


def test_relayer_cannot_administer(
    system: System, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    registry = system.registry.functions
    calls = [
        registry.registerDentist(dev_account(18).address),
        registry.deactivateDentist(dentist.address),
        registry.setRewardAmount(1),
        registry.setDailyRewardCap(1),
        registry.pause(),
        registry.grantRole(RELAYER_ROLE, dev_account(18).address),
    ]
    for call in calls:
        assert revert_of(call, relayer.address, system.registry.abi) == (
            "AccessControlUnauthorizedAccount",
            relayer.address,
            DEFAULT_ADMIN_ROLE,
        )


def test_relayer_cannot_mint_tokens_directly(system: System, relayer: LocalAccount) -> None:
    minter_role = bytes(system.token.functions.MINTER_ROLE().call())
    call = system.token.functions.mint(relayer.address, 1)
    assert revert_of(call, relayer.address, system.token.abi) == (
        "AccessControlUnauthorizedAccount",
        relayer.address,
        minter_role,
    )


def test_roles_are_separate_after_deployment(
    system: System, admin: LocalAccount, relayer: LocalAccount
) -> None:
    registry = system.registry.functions
    token = system.token.functions
    minter_role = bytes(token.MINTER_ROLE().call())
    assert registry.hasRole(DEFAULT_ADMIN_ROLE, admin.address).call() is True
    assert registry.hasRole(RELAYER_ROLE, relayer.address).call() is True
    assert registry.hasRole(DEFAULT_ADMIN_ROLE, relayer.address).call() is False
    assert registry.hasRole(RELAYER_ROLE, admin.address).call() is False
    assert token.hasRole(minter_role, system.registry_address).call() is True
    assert token.hasRole(minter_role, admin.address).call() is False
    assert token.hasRole(DEFAULT_ADMIN_ROLE, admin.address).call() is True
    assert registry.rewardToken().call() == system.token.address


def test_admin_changes_reward_and_cap(system: System, admin: LocalAccount) -> None:
    registry = system.registry.functions
    receipt = transact(system.w3, admin, registry.setRewardAmount(7))
    (event,) = events(system.registry, "RewardAmountChanged", receipt)
    assert (event.args.previousAmount, event.args.newAmount) == (REWARD, 7)
    assert registry.rewardAmount().call() == 7

    previous_cap = registry.dailyRewardCap().call()
    receipt = transact(system.w3, admin, registry.setDailyRewardCap(70))
    (event,) = events(system.registry, "DailyRewardCapChanged", receipt)
    assert (event.args.previousCap, event.args.newCap) == (previous_cap, 70)
    assert registry.dailyRewardCap().call() == 70

    too_big = 2**96
    assert revert_of(registry.setRewardAmount(too_big), admin.address, system.registry.abi) == (
        "SafeCastOverflowedUintDowncast",
        96,
        too_big,
    )


def test_token_metadata(system: System) -> None:
    token = system.token.functions
    assert (token.name().call(), token.symbol().call(), token.decimals().call()) == (
        "DentaReview Token",
        "DRT",
        18,
    )
    assert token.totalSupply().call() == 0
