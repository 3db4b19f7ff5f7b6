"""Batch mode end to end over HTTP: reviews batched, rewards paid in aggregate on-chain."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import select
from web3 import Web3

from dentareview.anchoring.batches import BatchAnchorer
from dentareview.db.models import PayoutRow
from dentareview.relay.engine import Relay
from dentareview.services.batch_proofs import batch_proof
from tests.api.system import System, new_wallet
from tests.batch.conftest import start_batch_system
from tests.batch.test_batch_anchoring import Crash, registry
from tests.support.anvil import AnvilNode
from tests.support.siwe import wallet_client

REWARD = 10 * 10**18


def review(system: System, dentist: LocalAccount, patient: LocalAccount) -> int:
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit))
    assert response.status_code == 202, response.text
    assert response.json()["rewarded"] is True
    return int(response.json()["id"])


def rewards(system: System, patient: LocalAccount) -> dict[str, Any]:
    body: dict[str, Any] = (
        wallet_client(system.client, patient).get(f"/v1/patients/{patient.address}/rewards").json()
    )
    return body


def wait_until(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def live_system(anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str) -> Iterator[System]:
    """Batch mode with the service's own worker running, as `make run` would."""
    yield from start_batch_system(
        anvil.rpc_url,
        w3,
        tmp_path / "data",
        database_url,
        anchor_worker=True,
        anchor_interval_seconds=0.2,
        batch_size=3,
    )


def test_reviews_are_batched_and_rewards_paid_on_chain_over_http(live_system: System) -> None:
    alice, bob = new_wallet(), new_wallet()
    first, second = live_system.new_dentist("First"), live_system.new_dentist("Second")
    ids = [review(live_system, first, alice), review(live_system, second, alice)]
    ids.append(review(live_system, first, bob))

    wait_until(lambda: rewards(live_system, alice)["paid"] == str(2 * REWARD))
    wait_until(lambda: rewards(live_system, bob)["paid"] == str(REWARD))
    assert rewards(live_system, alice)["onChainBalance"] == str(2 * REWARD)
    assert live_system.token_balance(bob.address) == REWARD

    views = [live_system.client.get(f"/v1/reviews/{i}").json() for i in ids]
    assert {v["status"] for v in views} == {"anchored"} and len({v["txHash"] for v in views}) == 1
    # The root transaction says nothing about who reviewed whom.
    receipt = live_system.w3.eth.get_transaction_receipt(views[0]["txHash"])
    raw = Web3.to_json(receipt).lower()  # type: ignore[arg-type]
    for wallet in (alice, bob, first, second):
        assert wallet.address[2:].lower() not in raw
    with live_system.sessions() as session:
        proof = batch_proof(session, review_id=ids[1])
    assert proof is not None and proof.size == 3
    nodes = [bytes.fromhex(p[2:]) for p in proof.proof]
    assert registry(live_system).is_review_in_batch(
        bytes.fromhex(proof.root[2:]), bytes.fromhex(proof.digest[2:]), nodes
    )
    with live_system.sessions() as session:
        (payout,) = session.scalars(select(PayoutRow))
    assert (payout.recipients, payout.total, payout.status) == (2, 3 * REWARD, "paid")


@pytest.mark.parametrize("after_sending", [False, True], ids=["before sending", "after sending"])
def test_a_crash_during_a_payout_pays_once(
    batch_system: System, monkeypatch: pytest.MonkeyPatch, after_sending: bool
) -> None:
    dentist, patients = batch_system.new_dentist(), [new_wallet(), new_wallet()]
    for patient in patients:
        review(batch_system, dentist, patient)

    send = Relay.send

    def crash(relay: Relay, call: Any, *, note: Any) -> Any:
        """Dies in the middle of sending the payout (and only the payout)."""
        if call.fn_name != "payRewards":
            return send(relay, call, note=note)
        signed = relay.sign(call, nonce=relay.next_nonce(), gas=relay.gas(call), fees=relay.fees())
        note(signed)
        if after_sending:
            relay.broadcast(signed)
        raise Crash("payout")

    worker = BatchAnchorer(
        batch_system.sessions,
        batch_system.gateway,
        batch_size=2,
        batch_seconds=3600,
        payout_seconds=0,
    )
    with monkeypatch.context() as patch:
        patch.setattr(Relay, "send", crash)
        with pytest.raises(Crash):
            worker.run_until_idle()
    if after_sending:  # the node mines it by itself, maybe a moment after the crash
        with batch_system.sessions() as session:
            (payout,) = session.scalars(select(PayoutRow))
        assert payout.sent_tx_hash is not None
        batch_system.w3.eth.wait_for_transaction_receipt(payout.sent_tx_hash)  # type: ignore[arg-type]
    expected = REWARD if after_sending else 0
    assert [batch_system.token_balance(p.address) for p in patients] == [expected] * 2

    report = worker.run_until_idle()
    assert report.errors == [] and report.payouts == 1
    assert [batch_system.token_balance(p.address) for p in patients] == [REWARD] * 2
    assert worker.run_until_idle().touched == 0
    assert registry(batch_system).reward_credit() == 0


def test_payouts_wait_for_the_daily_cap(tmp_path: Path, database_url: str) -> None:
    node = AnvilNode()  # its own chain: this test moves time forward
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        for system in start_batch_system(
            node.rpc_url, w3, tmp_path / "data", database_url, daily_reward_cap=2 * REWARD
        ):
            dentist, patients = system.new_dentist(), [new_wallet() for _ in range(3)]
            for patient in patients:
                review(system, dentist, patient)
            worker = BatchAnchorer(
                system.sessions,
                system.gateway,
                batch_size=3,
                batch_seconds=3600,
                payout_seconds=0,
            )
            report = worker.run_until_idle()
            assert (report.anchored, report.payouts, report.errors) == (3, 1, [])
            balances = [system.token_balance(p.address) for p in patients]
            assert sorted(balances) == [0, REWARD, REWARD]
            assert registry(system).reward_credit() == REWARD
            assert worker.run_until_idle().payouts == 0  # today's cap is spent

            w3.provider.make_request("evm_increaseTime", [86_400])  # type: ignore[arg-type]
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            assert worker.run_until_idle().payouts == 1
            assert [system.token_balance(p.address) for p in patients] == [REWARD] * 3
    finally:
        node.stop()
