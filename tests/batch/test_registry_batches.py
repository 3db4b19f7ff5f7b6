"""ReviewRegistry batch mode on-chain: roots, membership checks, aggregate payouts."""

from __future__ import annotations

import os

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from dentareview.domain.merkle import MerkleTree, leaf_hash
from tests.batch.test_merkle import forgeries
from tests.contracts.helpers import DAILY_CAP, REWARD, System, events, revert_of, transact


def new_tree(size: int) -> MerkleTree:
    return MerkleTree.of(os.urandom(32) for _ in range(size))


def anchor(contracts: System, relayer: LocalAccount, tree: MerkleTree, rewarded: int = 0) -> int:
    call = contracts.registry.functions.anchorBatch(tree.root, len(tree), rewarded)
    return int(transact(contracts.w3, relayer, call)["gasUsed"])


def in_batch(contracts: System, root: bytes, digest: bytes, proof: list[bytes]) -> bool:
    return bool(contracts.registry.functions.isReviewInBatch(root, digest, proof).call())


def test_anchoring_records_root_size_time_and_credit(
    contracts: System, relayer: LocalAccount
) -> None:
    tree = new_tree(5)
    call = contracts.registry.functions.anchorBatch(tree.root, 5, 3)
    receipt = transact(contracts.w3, relayer, call)
    block = contracts.w3.eth.get_block(receipt["blockNumber"])

    assert contracts.registry.functions.batchOf(tree.root).call() == (block["timestamp"], 5, 3)
    (event,) = events(contracts.registry, "BatchAnchored", receipt)
    assert dict(event["args"]) == {
        "root": tree.root, "size": 5, "rewarded": 3, "rewardCredit": 3 * REWARD,
    }
    assert contracts.registry.functions.batchRewardCredit().call() == 3 * REWARD
    # The receipt names no patient and no dentist: only the root, the counts and the credit.
    assert all(log["address"] == contracts.registry.address for log in receipt["logs"])


def test_membership_view_accepts_first_middle_last_and_single_leaf(
    contracts: System, relayer: LocalAccount
) -> None:
    for size in (1, 6, 37):
        tree = new_tree(size)
        anchor(contracts, relayer, tree)
        for index in sorted({0, size // 2, size - 1}):
            assert in_batch(contracts, tree.root, tree.values[index], tree.proof(index))
        assert contracts.registry.functions.reviewLeaf(tree.values[0]).call() == leaf_hash(
            tree.values[0]
        )


def test_membership_view_refuses_forged_paths_and_unanchored_roots(
    contracts: System, relayer: LocalAccount
) -> None:
    tree = new_tree(11)
    assert not in_batch(contracts, tree.root, tree.values[3], tree.proof(3))  # not anchored yet
    anchor(contracts, relayer, tree)
    for value, proof in forgeries(tree, 3):
        assert not in_batch(contracts, tree.root, value, proof)
    # A leaf is not a root: a one-leaf "tree" of a member was never anchored.
    assert not in_batch(contracts, leaf_hash(tree.values[3]), tree.values[3], [])


def test_a_root_is_anchored_once_and_malformed_batches_are_refused(
    contracts: System, relayer: LocalAccount
) -> None:
    tree = new_tree(4)
    anchor(contracts, relayer, tree)
    registry, abi = contracts.registry, contracts.registry.abi
    fn = registry.functions.anchorBatch
    assert revert_of(fn(tree.root, 4, 0), relayer.address, abi) == (
        "BatchAlreadyAnchored", tree.root,
    )
    assert revert_of(fn(bytes(32), 4, 0), relayer.address, abi) == ("InvalidBatch",)
    assert revert_of(fn(os.urandom(32), 0, 0), relayer.address, abi) == ("InvalidBatch",)
    assert revert_of(fn(os.urandom(32), 2, 3), relayer.address, abi) == ("InvalidBatch",)


def test_only_the_relayer_anchors_and_pays_and_pause_stops_both(
    contracts: System, admin: LocalAccount, relayer: LocalAccount, patient: LocalAccount
) -> None:
    registry, abi = contracts.registry, contracts.registry.abi
    role = registry.functions.RELAYER_ROLE().call()
    anchor_call = registry.functions.anchorBatch(os.urandom(32), 1, 1)
    pay_call = registry.functions.payRewards(os.urandom(32), [patient.address], [REWARD])
    for call in (anchor_call, pay_call):
        assert revert_of(call, patient.address, abi) == (
            "AccessControlUnauthorizedAccount", patient.address, role,
        )
    anchor(contracts, relayer, new_tree(2), rewarded=2)
    transact(contracts.w3, admin, registry.functions.pause())
    for call in (anchor_call, pay_call):
        assert revert_of(call, relayer.address, abi) == ("EnforcedPause",)


def balance(contracts: System, account: str) -> int:
    return int(contracts.token.functions.balanceOf(account).call())


def test_payout_mints_each_patient_once_within_credit_and_never_twice(
    contracts: System, relayer: LocalAccount
) -> None:
    registry, abi = contracts.registry, contracts.registry.abi
    anchor(contracts, relayer, new_tree(8), rewarded=5)  # credit: 5 rewards
    alice, bob = Account.create().address, Account.create().address
    payout_id = os.urandom(32)
    receipt = transact(
        contracts.w3,
        relayer,
        registry.functions.payRewards(payout_id, [alice, bob], [3 * REWARD, REWARD]),
    )
    assert (balance(contracts, alice), balance(contracts, bob)) == (3 * REWARD, REWARD)
    (paid,) = events(registry, "RewardsPaid", receipt)
    assert dict(paid["args"]) == {"payoutId": payout_id, "recipients": 2, "total": 4 * REWARD}
    assert registry.functions.isPayoutMade(payout_id).call()
    assert registry.functions.batchRewardCredit().call() == REWARD
    assert registry.functions.rewardedToday().call()[1] == 4 * REWARD

    again = registry.functions.payRewards(payout_id, [alice], [REWARD])
    assert revert_of(again, relayer.address, abi) == ("PayoutAlreadyMade", payout_id)
    too_much = registry.functions.payRewards(os.urandom(32), [alice], [2 * REWARD])
    assert revert_of(too_much, relayer.address, abi) == (
        "InsufficientRewardCredit", REWARD, 2 * REWARD,
    )
    empty: list[str] = []
    for patients, amounts in ((empty, []), ([alice], [])):
        bad = registry.functions.payRewards(os.urandom(32), patients, amounts)
        assert revert_of(bad, relayer.address, abi) == ("InvalidPayout",)


def test_payouts_respect_the_daily_cap(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> None:
    from tests.contracts.helpers import deploy_system

    contracts = deploy_system(w3, admin, relayer, dentist, daily_cap=3 * REWARD)
    registry, abi = contracts.registry, contracts.registry.abi
    anchor(contracts, relayer, new_tree(10), rewarded=10)
    patient = Account.create().address
    over = registry.functions.payRewards(os.urandom(32), [patient], [4 * REWARD])
    assert revert_of(over, relayer.address, abi) == ("DailyRewardCapReached", 3 * REWARD)
    transact(w3, relayer, registry.functions.payRewards(os.urandom(32), [patient], [3 * REWARD]))
    one_more = registry.functions.payRewards(os.urandom(32), [patient], [REWARD])
    assert revert_of(one_more, relayer.address, abi) == ("DailyRewardCapReached", 0)
    assert DAILY_CAP > 3 * REWARD  # the default deployment's cap is not the one tested here
