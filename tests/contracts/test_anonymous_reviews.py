"""AnonymousReviews on a real Anvil with Semaphore's real verifier and real proofs made with the
public ceremony's proving files: a member of a practice's group reviews it anonymously and is
paid at a fresh address; every other case is refused with its own error."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract

from dentareview.chain.artifacts import load_artifact
from tests.contracts.evm import advance_time
from tests.contracts.helpers import (
    REWARD,
    System,
    deploy_system,
    events,
    revert_of,
    transact,
)
from tests.contracts.semaphore import SemaphoreProof, commitments, message_of, prove, scope_of
from tests.support.anvil import AnvilNode, dev_account

SECRETS = [f"patient of the first practice {i}" for i in range(10)]
OTHER_SECRETS = [f"patient of the second practice {i}" for i in range(10)]
RELAYER_ROLE = keccak(text="RELAYER_ROLE")


@dataclass(frozen=True)
class Anonymous:
    system: System
    contract: Contract

    @property
    def w3(self) -> Web3:
        return self.system.w3

    def period(self) -> int:
        return int(self.contract.functions.currentPeriod().call())

    def revert(self, call: Any, sender: str) -> tuple[Any, ...]:
        return revert_of(call, sender, self.contract.abi)


@dataclass(frozen=True)
class Proven:
    """A review and the proof that binds it, as the relayer submits them."""

    review: tuple[Any, ...]
    proof: SemaphoreProof

    @property
    def points(self) -> list[int]:
        return list(self.proof.points)

    def with_(self, **changes: Any) -> tuple[Any, ...]:
        names = ["dentist", "period", "root", "depth", "nullifier", "digest", "reward_to"]
        values = dict(zip(names, self.review, strict=True))
        values.update(changes)
        return tuple(values[name] for name in names)


@pytest.fixture
def anonymous(
    anvil: AnvilNode, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> Anonymous:
    system = deploy_system(Web3(Web3.HTTPProvider(anvil.rpc_url)), admin, relayer, dentist)
    contract = system.w3.eth.contract(
        address=system.deployed.anonymous_reviews_address,
        abi=load_artifact("AnonymousReviews").abi,
    )
    return Anonymous(system, contract)


def proven(
    dentist: str,
    secret: str,
    members: list[int],
    *,
    period: int,
    digest: bytes | None = None,
    reward_to: str | None = None,
) -> Proven:
    digest = os.urandom(32) if digest is None else digest
    reward_to = Account.create().address if reward_to is None else reward_to
    proof = prove(
        secret, members, scope=scope_of(dentist, period), message=message_of(digest, reward_to)
    )
    review = (
        dentist,
        period,
        proof.merkle_tree_root,
        proof.merkle_tree_depth,
        proof.nullifier,
        digest,
        reward_to,
    )
    return Proven(review, proof)


def commit(anonymous: Anonymous, relayer: LocalAccount, dentist: str, root: int, size: int) -> None:
    call = anonymous.contract.functions.commitGroupRoots([dentist], [root], [size])
    transact(anonymous.w3, relayer, call)


def submit(anonymous: Anonymous, relayer: LocalAccount, item: Proven, review: Any = None) -> Any:
    call = anonymous.contract.functions.submitAnonymousReview(review or item.review, item.points)
    return transact(anonymous.w3, relayer, call)


def test_a_member_reviews_anonymously_and_the_reward_lands_at_a_fresh_address(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    item = proven(dentist.address, SECRETS[3], members, period=anonymous.period())
    commit(anonymous, relayer, dentist.address, item.proof.merkle_tree_root, len(members))
    assert anonymous.contract.functions.latestGroup(dentist.address).call() == [
        item.proof.merkle_tree_root,
        10,
    ]

    receipt = submit(anonymous, relayer, item)

    (anchored,) = events(anonymous.contract, "AnonymousReviewAnchored", receipt)
    _, period, _, _, nullifier, digest, reward_to = item.review
    assert dict(anchored["args"]) == {
        "dentist": dentist.address,
        "period": period,
        "nullifier": nullifier,
        "digest": digest,
        "rewardTo": reward_to,
        "rewarded": True,
    }
    assert anonymous.contract.functions.anchoredAt(digest).call() > 0
    assert anonymous.contract.functions.nullifierUsed(nullifier).call()
    assert anonymous.system.token.functions.balanceOf(reward_to).call() == REWARD
    assert anonymous.contract.functions.mintedToday().call() == REWARD
    assert anonymous.contract.functions.dentistRewardedToday(dentist.address).call()[1] == 1


def test_a_second_review_with_the_same_nullifier_is_refused(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    period = anonymous.period()
    first = proven(dentist.address, SECRETS[0], members, period=period)
    commit(anonymous, relayer, dentist.address, first.proof.merkle_tree_root, len(members))
    submit(anonymous, relayer, first)

    # The same identity, practice and period: another digest and reward address, same nullifier.
    second = proven(dentist.address, SECRETS[0], members, period=period)
    assert second.proof.nullifier == first.proof.nullifier
    call = anonymous.contract.functions.submitAnonymousReview(second.review, second.points)
    assert anonymous.revert(call, relayer.address) == (
        "NullifierAlreadyUsed",
        first.proof.nullifier,
    )


def test_a_proof_for_another_practices_group_is_refused(
    anonymous: Anonymous, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    other = dev_account(3)
    transact(
        anonymous.w3, admin, anonymous.system.registry.functions.registerDentist(other.address)
    )
    own, foreign = commitments(SECRETS), commitments(OTHER_SECRETS)
    period = anonymous.period()
    # A patient of the second practice proves membership of its group but names the first practice.
    item = proven(dentist.address, OTHER_SECRETS[1], foreign, period=period)
    own_root = proven(dentist.address, SECRETS[1], own, period=period).proof.merkle_tree_root
    commit(anonymous, relayer, dentist.address, own_root, len(own))
    commit(anonymous, relayer, other.address, item.proof.merkle_tree_root, len(foreign))

    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    assert anonymous.revert(call, relayer.address) == (
        "UnknownGroupRoot",
        dentist.address,
        item.proof.merkle_tree_root,
    )
    # Nor does naming the second practice with the first's root help: the root is not its own.
    moved = item.with_(root=own_root)
    call = anonymous.contract.functions.submitAnonymousReview(moved, item.points)
    assert anonymous.revert(call, relayer.address)[0] == "InvalidProof"


def test_an_unknown_root_is_refused(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    item = proven(dentist.address, SECRETS[2], members, period=anonymous.period())
    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    assert anonymous.revert(call, relayer.address) == (
        "UnknownGroupRoot",
        dentist.address,
        item.proof.merkle_tree_root,
    )


def test_a_replaced_root_is_usable_for_its_validity_and_refused_after(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    grown = members + commitments(["a patient who joined later"])
    item = proven(dentist.address, SECRETS[4], members, period=anonymous.period())
    newer = proven(dentist.address, SECRETS[4], grown, period=anonymous.period()).proof
    commit(anonymous, relayer, dentist.address, item.proof.merkle_tree_root, len(members))
    commit(anonymous, relayer, dentist.address, newer.merkle_tree_root, len(grown))
    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    call.call({"from": relayer.address})  # still valid: replaced just now
    root = item.proof.merkle_tree_root
    assert anonymous.contract.functions.isRootValid(dentist.address, root).call()

    validity = anonymous.contract.functions.rootValidity().call()
    assert validity == 7 * 24 * 3600
    advance_time(anonymous.w3, validity + 1)

    _, replaced_at, _ = anonymous.contract.functions.groupRoot(dentist.address, root).call()
    assert anonymous.revert(call, relayer.address) == (
        "GroupRootExpired",
        dentist.address,
        root,
        replaced_at,
    )
    assert not anonymous.contract.functions.isRootValid(dentist.address, root).call()
    # The latest root never expires.
    assert anonymous.contract.functions.isRootValid(dentist.address, newer.merkle_tree_root).call()


def test_a_message_other_than_the_one_the_proof_binds_is_refused(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    item = proven(dentist.address, SECRETS[5], members, period=anonymous.period())
    commit(anonymous, relayer, dentist.address, item.proof.merkle_tree_root, len(members))
    for tampered in (
        item.with_(digest=os.urandom(32)),
        item.with_(reward_to=Account.create().address),
    ):
        call = anonymous.contract.functions.submitAnonymousReview(tampered, item.points)
        assert anonymous.revert(call, relayer.address) == ("InvalidProof",)
    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    call.call({"from": relayer.address})  # the untouched review passes


def test_a_group_below_the_minimum_is_refused(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS[:5])
    item = proven(dentist.address, SECRETS[0], members, period=anonymous.period())
    commit(anonymous, relayer, dentist.address, item.proof.merkle_tree_root, len(members))
    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    assert anonymous.contract.functions.minGroupSize().call() == 10
    assert anonymous.revert(call, relayer.address) == ("GroupTooSmall", dentist.address, 5, 10)


def test_only_the_current_and_the_previous_period_are_open(
    anonymous: Anonymous, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    current = anonymous.period()
    old = proven(dentist.address, SECRETS[6], members, period=current - 2)
    previous = proven(dentist.address, SECRETS[6], members, period=current - 1)
    commit(anonymous, relayer, dentist.address, old.proof.merkle_tree_root, len(members))
    call = anonymous.contract.functions.submitAnonymousReview(old.review, old.points)
    assert anonymous.revert(call, relayer.address) == ("PeriodNotOpen", current - 2, current)
    future = old.with_(period=current + 1)
    call = anonymous.contract.functions.submitAnonymousReview(future, old.points)
    assert anonymous.revert(call, relayer.address) == ("PeriodNotOpen", current + 1, current)
    submit(anonymous, relayer, previous)


def test_only_the_relayer_submits_and_commits(
    anonymous: Anonymous, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    members = commitments(SECRETS)
    item = proven(dentist.address, SECRETS[7], members, period=anonymous.period())
    commit(anonymous, relayer, dentist.address, item.proof.merkle_tree_root, len(members))
    stranger = Account.create().address
    for sender in (admin.address, stranger, dentist.address):
        call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
        assert anonymous.revert(call, sender) == (
            "AccessControlUnauthorizedAccount",
            sender,
            RELAYER_ROLE,
        )
        call = anonymous.contract.functions.commitGroupRoots([dentist.address], [1], [10])
        assert anonymous.revert(call, sender)[0] == "AccessControlUnauthorizedAccount"
    call = anonymous.contract.functions.submitAnonymousReview(item.review, item.points)
    call.call({"from": relayer.address})


def test_past_the_practices_daily_limit_the_review_is_anchored_unrewarded(
    anvil: AnvilNode, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    w3 = Web3(Web3.HTTPProvider(anvil.rpc_url))
    system = deploy_system(w3, admin, relayer, dentist, dentist_daily_limit=1)
    contract = w3.eth.contract(
        address=system.deployed.anonymous_reviews_address,
        abi=load_artifact("AnonymousReviews").abi,
    )
    anonymous = Anonymous(system, contract)
    members = commitments(SECRETS)
    period = anonymous.period()
    first = proven(dentist.address, SECRETS[8], members, period=period)
    second = proven(dentist.address, SECRETS[9], members, period=period)
    commit(anonymous, relayer, dentist.address, first.proof.merkle_tree_root, len(members))
    submit(anonymous, relayer, first)

    receipt = submit(anonymous, relayer, second)

    (withheld,) = events(contract, "AnonymousRewardWithheld", receipt)
    assert withheld["args"]["reason"] == 1  # DentistDailyLimit
    (anchored,) = events(contract, "AnonymousReviewAnchored", receipt)
    assert anchored["args"]["rewarded"] is False
    digest, reward_to = second.review[5], second.review[6]
    assert contract.functions.anchoredAt(digest).call() > 0
    assert system.token.functions.balanceOf(reward_to).call() == 0


def test_refusals_that_need_no_proof(
    anonymous: Anonymous, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    contract, points = anonymous.contract, [1] * 8
    review = (dentist.address, anonymous.period(), 5, 4, 6, os.urandom(32), dentist.address)
    call = contract.functions.submitAnonymousReview(review, points)
    assert anonymous.revert(call, relayer.address) == ("UnknownGroupRoot", dentist.address, 5)
    stranger = Account.create().address
    unregistered = (stranger, *review[1:])
    call = contract.functions.submitAnonymousReview(unregistered, points)
    assert anonymous.revert(call, relayer.address) == ("DentistNotActive", stranger)

    call = contract.functions.commitGroupRoots([dentist.address], [5, 6], [10])
    assert anonymous.revert(call, relayer.address) == ("LengthMismatch",)
    call = contract.functions.commitGroupRoots([dentist.address], [0], [10])
    assert anonymous.revert(call, relayer.address) == ("InvalidGroupRoot", dentist.address, 0, 10)

    transact(anonymous.w3, admin, contract.functions.pause())
    call = contract.functions.submitAnonymousReview(review, points)
    assert anonymous.revert(call, relayer.address) == ("EnforcedPause",)
    transact(anonymous.w3, admin, contract.functions.unpause())

    transact(anonymous.w3, admin, contract.functions.setMinGroupSize(2))
    commit(anonymous, relayer, dentist.address, 5, 2)
    bad_depth = (*review[:3], 33, *review[4:])
    call = contract.functions.submitAnonymousReview(bad_depth, points)
    assert anonymous.revert(call, relayer.address) == ("MerkleTreeDepthNotSupported", 33)
    call = contract.functions.submitAnonymousReview(review, points)
    assert anonymous.revert(call, relayer.address) == ("InvalidProof",)


def test_one_transaction_commits_many_practices(
    anonymous: Anonymous, relayer: LocalAccount
) -> None:
    dentists = [Account.create().address for _ in range(3)]
    call = anonymous.contract.functions.commitGroupRoots(dentists, [11, 12, 13], [10, 20, 30])
    receipt = transact(anonymous.w3, relayer, call)
    committed = events(anonymous.contract, "GroupRootCommitted", receipt)
    assert [(e["args"]["dentist"], e["args"]["root"], e["args"]["size"]) for e in committed] == [
        (dentists[0], 11, 10),
        (dentists[1], 12, 20),
        (dentists[2], 13, 30),
    ]
    assert anonymous.contract.functions.latestGroup(dentists[2]).call() == [13, 30]
