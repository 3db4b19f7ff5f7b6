"""What a public chain does that an instant-mining Anvil does not, on Anvil with interval mining.

Blocks come every second (`--block-time 1`), as on a real chain. Each scenario checks the
promise "an accepted review is anchored and paid exactly once": reorgs, stuck and
replaced transactions, base-fee spikes over the operator's maximum, a queue headed by
reviews that cannot be anchored, and a deadline that passes while the registry is paused.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from sqlalchemy import select
from web3 import Web3

from dentareview.anchoring.batches import BatchAnchorer
from dentareview.anchoring.reviews import Anchorer, AnchorReport
from dentareview.chain.batches import BatchRegistry
from dentareview.chain.transactions import TransactionSender
from dentareview.db.models import BatchRow, ReviewRow
from dentareview.db.queries.aggregates import stored_monthly_aggregates, stored_rating_aggregate
from dentareview.db.queries.reputation import monthly_aggregates, rating_aggregate
from dentareview.db.queries.reviews import get_review
from dentareview.relay.engine import Relay
from dentareview.relay.finality import Finality
from dentareview.relay.settings import RelaySettings
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import deactivate_dentist
from tests.api.system import System, new_wallet
from tests.reliability.figures import record
from tests.support.anvil import dev_account, free_port
from tests.support.wallet import sign_typed

REWARD = 10 * 10**18
GWEI = 10**9


def rpc(w3: Web3, method: str, *params: Any) -> Any:
    response = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in response, response
    return response.get("result")


def post_one_review(system: System, dentist: LocalAccount | None = None) -> tuple[int, str, str]:
    """(review id, visit id, patient address) of a freshly accepted review."""
    dentist = dentist or system.new_dentist()
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit))
    assert response.status_code == 202, response.text
    return int(response.json()["id"]), visit["visitId"], patient.address


def review_view(system: System, review_id: int) -> dict[str, Any]:
    response = system.client.get(f"/v1/reviews/{review_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def run_until(
    anchorer: Anchorer, done: Callable[[], bool], *, timeout: float = 60
) -> tuple[AnchorReport, float]:
    """Anchoring passes until `done()`; the summed report and the seconds it took."""
    total = AnchorReport()
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < timeout, f"not done after {timeout} s: {total}"
        total.add(anchorer.run_once())
        time.sleep(0.2)
    return total, time.monotonic() - started


def is_anchored(system: System, review_id: int) -> Callable[[], bool]:
    return lambda: review_view(system, review_id)["status"] == "anchored"


def assert_reputation_totals_match(system: System) -> None:
    """The stored reputation totals equal a full recomputation from the reviews."""
    with system.sessions() as session:
        dentists = set(session.scalars(select(ReviewRow.dentist)))
        assert dentists
        for dentist in dentists:
            full = rating_aggregate(session, dentist=dentist)
            assert stored_rating_aggregate(session, dentist=dentist) == full
            assert stored_monthly_aggregates(
                session, dentist=dentist, since=0
            ) == monthly_aggregates(session, dentist=dentist, since=0)


def anchors_of(system: System, visit_id: str) -> int:
    """ReviewAnchored events of the visit on the canonical chain."""
    deployment = system.gateway.deployment()
    return len(
        deployment.registry.anchor_events(
            from_block=0,
            to_block=int(system.w3.eth.block_number),
            visit_id=bytes.fromhex(visit_id[2:]),
        )
    )


def test_reorg_of_the_anchoring_block_sends_again_and_pays_once(system: System) -> None:
    anchorer = Anchorer(
        system.sessions, system.gateway, relay=RelaySettings(finality=Finality(depth=3))
    )
    review_id, visit_id, patient = post_one_review(system)
    assert anchorer.run_once().anchored == 1
    first = review_view(system, review_id)
    assert (first["status"], first["final"]) == ("anchored", False)

    # Drop every block from the anchoring one up: the transaction is no longer on the chain.
    depth = int(system.w3.eth.block_number) - first["blockNumber"] + 1
    rpc(system.w3, "anvil_reorg", depth, [])
    started = time.monotonic()
    report, _ = run_until(anchorer, lambda: review_view(system, review_id)["final"])
    to_final = time.monotonic() - started

    final = review_view(system, review_id)
    assert final["status"] == "anchored"
    assert report.reorged >= 1
    assert system.token_balance(patient) == REWARD  # paid exactly once
    assert anchors_of(system, visit_id) == 1
    assert_reputation_totals_match(system)  # unanchored once, anchored again: counted once
    receipt = system.w3.eth.get_transaction_receipt(final["txHash"])
    assert (
        receipt["blockHash"].to_0x_hex()
        == system.w3.eth.get_block(final["blockNumber"])["hash"].to_0x_hex()
    )
    record(
        "reorg of the anchoring block",
        accepted=1,
        reorged_depth=depth,
        anchored_once=anchors_of(system, visit_id) == 1,
        paid=system.token_balance(patient) // REWARD,
        seconds_to_final_after_reorg=round(to_final, 1),
        finality="3 confirmations",
    )


def test_stuck_transaction_is_replaced_at_the_same_nonce(system: System) -> None:
    relay = RelaySettings(replace_after_seconds=2, receipt_timeout_seconds=1.5)
    anchorer = Anchorer(system.sessions, system.gateway, relay=relay)
    review_id, visit_id, patient = post_one_review(system)
    # Mining stops while the relay sends, priced from the latest block; when it resumes,
    # blocks ask 200 gwei and more than the transaction offers: it is stuck.
    rpc(system.w3, "evm_setIntervalMining", 0)
    try:
        first = anchorer.run_once()
        rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(200 * GWEI))
    finally:
        rpc(system.w3, "evm_setIntervalMining", 1)
    assert first.anchored == 0
    with system.sessions() as session:
        row = get_review(session, review_id=review_id)
        assert row is not None and row.sent_tx_hash is not None
        stuck_hash, stuck_nonce = row.sent_tx_hash, row.sent_nonce
    report, seconds = run_until(anchorer, is_anchored(system, review_id))
    view = review_view(system, review_id)
    assert report.replaced >= 1
    assert view["txHash"] != stuck_hash
    mined = system.w3.eth.get_transaction(view["txHash"])
    assert mined["nonce"] == stuck_nonce  # replaced, not sent again at a new nonce
    assert system.token_balance(patient) == REWARD
    assert anchors_of(system, visit_id) == 1
    record(
        "stuck transaction replaced",
        accepted=1,
        replaced_transactions=report.replaced + first.replaced,
        same_nonce=True,
        anchored_once=True,
        paid=1,
        seconds_to_anchor=round(seconds, 1),
    )


def test_base_fee_over_the_maximum_waits_and_then_anchors(system: System) -> None:
    relay = RelaySettings(max_fee_per_gas=50 * GWEI, receipt_timeout_seconds=5)
    anchorer = Anchorer(system.sessions, system.gateway, relay=relay)
    review_id, visit_id, patient = post_one_review(system)
    rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(400 * GWEI))
    spiked = int(system.w3.eth.block_number) + 1
    while int(system.w3.eth.block_number) < spiked:
        time.sleep(0.1)
    nonce_before = system.w3.eth.get_transaction_count(dev_account(0).address, "pending")
    report = anchorer.run_once()
    assert any("exceeds the maximum fee" in error for error in report.errors), report.errors
    assert system.w3.eth.get_transaction_count(dev_account(0).address, "pending") == (
        nonce_before
    )  # nothing sent above the maximum
    health = system.client.get("/health").json()
    assert not health["relay"]["ok"]
    assert "exceeds the maximum fee" in health["relay"]["detail"]  # says why it waits
    assert review_view(system, review_id)["status"] == "pending"
    # Fees fall again.
    rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    _, seconds = run_until(anchorer, is_anchored(system, review_id))
    assert system.token_balance(patient) == REWARD
    assert anchors_of(system, visit_id) == 1
    record(
        "base-fee spike over the maximum fee",
        accepted=1,
        sent_during_spike=0,
        anchored_once=True,
        paid=1,
        seconds_to_anchor_after_fees_fell=round(seconds, 1),
        health_relay_during_spike=health["relay"]["detail"].split(";")[0],
    )


def test_unanchorable_reviews_do_not_hold_back_a_good_one(system: System) -> None:
    anchorer = Anchorer(system.sessions, system.gateway, batch_limit=100)
    blocked = system.new_dentist("Deactivated Dental")
    for _ in range(110):
        post_one_review(system, blocked)
    deactivate_dentist(
        system.sessions, system.gateway.deployment(), address=blocked.address, now=int(time.time())
    )
    good_id, good_visit, patient = post_one_review(system)
    report, seconds = run_until(anchorer, is_anchored(system, good_id))
    assert system.token_balance(patient) == REWARD
    assert anchors_of(system, good_visit) == 1
    pending = system.client.get(
        f"/v1/dentists/{blocked.address}/reviews", params={"includePending": True, "limit": 100}
    ).json()
    assert pending["total"] == 110
    assert all(item["status"] == "pending" for item in pending["items"])
    record(
        "110 unanchorable reviews in front of a good one",
        unanchorable=110,
        good_review_anchored=True,
        seconds_to_anchor_good_one=round(seconds, 1),
        passes_deferred=report.failed,
    )


def test_deadline_passing_during_a_pause_does_not_strand_the_review(system: System) -> None:
    anchorer = Anchorer(system.sessions, system.gateway)
    dentist = system.new_dentist()
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)
    # The service checks the deadline against its clock, the wait below against the
    # chain's: a loaded machine can leave the last block seconds behind the wall clock.
    chain_now = int(system.w3.eth.get_block("latest")["timestamp"])
    deadline = max(chain_now, int(time.time())) + 6
    response = system.post_review(patient, system.review_message(visit, deadline=deadline))
    assert response.status_code == 202, response.text
    review_id = int(response.json()["id"])
    admin = TransactionSender(system.w3, dev_account(0))
    registry = system.gateway.deployment().registry.contract
    admin.transact(registry.functions.pause())
    assert "paused" in " ".join(anchorer.run_once().errors)
    while int(system.w3.eth.get_block("latest")["timestamp"]) <= deadline + 1:
        time.sleep(0.3)
    admin.transact(registry.functions.unpause())
    _, seconds = run_until(anchorer, is_anchored(system, review_id))
    assert system.token_balance(patient.address) == REWARD
    assert anchors_of(system, visit["visitId"]) == 1
    record(
        "deadline passes while the registry is paused",
        accepted=1,
        anchored_after_deadline=True,
        paid=1,
        seconds_to_anchor_after_unpause=round(seconds, 1),
    )


def test_reorg_of_a_batch_root_anchors_the_same_root_again(system: System) -> None:
    anchorer = BatchAnchorer(
        system.sessions,
        system.gateway,
        batch_size=2,
        batch_seconds=3600,
        payout_seconds=3600,
        relay=RelaySettings(finality=Finality(depth=3)),
    )
    dentist = system.new_dentist()
    ids = [post_one_review(system, dentist)[0] for _ in range(2)]
    assert anchorer.run_once().batches == 1
    first = review_view(system, ids[0])
    assert (first["status"], first["final"]) == ("anchored", False)
    depth = int(system.w3.eth.block_number) - first["blockNumber"] + 1
    rpc(system.w3, "anvil_reorg", depth, [])
    total = AnchorReport()
    started = time.monotonic()
    while not all(review_view(system, i)["final"] for i in ids):
        assert time.monotonic() - started < 60, total
        total.add(anchorer.run_once())
        time.sleep(0.2)
    with system.sessions() as session:
        (batch,) = session.scalars(select(BatchRow))
    registry = BatchRegistry(system.gateway.deployment().registry.contract)
    events = registry.batch_events(
        from_block=0, to_block=int(system.w3.eth.block_number), root=bytes.fromhex(batch.root[2:])
    )
    assert len(events) == 1 and events[0].tx_hash == batch.tx_hash
    assert total.reorged == 2
    assert_reputation_totals_match(system)
    record(
        "reorg of a batch root",
        reviews=2,
        reorged_depth=depth,
        root_anchored_once=True,
        seconds_to_final_after_reorg=round(time.monotonic() - started, 1),
    )


class Crash(Exception):
    """The worker process dies here (as SIGKILL would, minus the process)."""


def test_a_crash_in_the_middle_of_a_replacement_pays_once_whichever_version_is_mined(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = RelaySettings(replace_after_seconds=1, receipt_timeout_seconds=1)
    anchorer = Anchorer(system.sessions, system.gateway, relay=relay)
    review_id, visit_id, patient = post_one_review(system)
    rpc(system.w3, "evm_setIntervalMining", 0)
    try:
        anchorer.run_once()  # sent, priced for a cheap block
        rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(200 * GWEI))
    finally:
        rpc(system.w3, "evm_setIntervalMining", 1)
    with system.sessions() as session:
        row = get_review(session, review_id=review_id)
        assert row is not None and row.sent_tx_hash is not None
        original, original_nonce = row.sent_tx_hash, row.sent_nonce
    time.sleep(1.5)  # past its replacement time

    def crash(_relay: Any, _signed: Any) -> None:
        raise Crash("killed after noting the replacement, before broadcasting it")

    with monkeypatch.context() as patch:
        patch.setattr(Relay, "broadcast", crash)  # a replacement leaves by `broadcast`,
        patch.setattr(Relay, "send_signed_many", crash)  # a pipelined send by this one
        with pytest.raises(Crash):
            anchorer.run_once()
    with system.sessions() as session:
        row = get_review(session, review_id=review_id)
        assert row is not None and row.sent_tx_hash not in (None, original)  # noted first
    # The network's fees fall: the *original* version is the one that gets mined.
    rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(1))
    report, seconds = run_until(anchorer, is_anchored(system, review_id))
    view = review_view(system, review_id)
    # Whichever version was mined, it holds the original nonce: nothing was sent twice.
    assert system.w3.eth.get_transaction(view["txHash"])["nonce"] == original_nonce
    assert original_nonce is not None
    assert system.w3.eth.get_transaction_count(dev_account(0).address) == original_nonce + 1
    assert system.token_balance(patient) == REWARD
    assert anchors_of(system, visit_id) == 1
    record(
        "crash in the middle of a replacement",
        accepted=1,
        mined_version="the original" if view["txHash"] == original else "a later version",
        anchored_once=True,
        paid=1,
        reconciled=report.reconciled,
        seconds_to_anchor=round(seconds, 1),
    )


def test_deadline_passing_during_an_outage_does_not_strand_the_review(system: System) -> None:
    """The node is unreachable from the service (a dead endpoint) past the deadline."""
    dentist, patient = system.new_dentist(), new_wallet()
    visit = system.attested_visit(dentist, patient)
    # The service checks the deadline against its clock, the wait below against the
    # chain's: a loaded machine can leave the last block seconds behind the wall clock.
    chain_now = int(system.w3.eth.get_block("latest")["timestamp"])
    deadline = max(chain_now, int(time.time())) + 6
    response = system.post_review(patient, system.review_message(visit, deadline=deadline))
    assert response.status_code == 202, response.text
    review_id = int(response.json()["id"])
    dead = system.settings.model_copy(update={"rpc_url": f"http://127.0.0.1:{free_port()}"})
    during_outage = Anchorer(
        system.sessions, ChainGateway(dead, Web3(Web3.HTTPProvider(dead.rpc_url)))
    )
    while int(system.w3.eth.get_block("latest")["timestamp"]) <= deadline + 1:
        assert during_outage.run_once().errors  # the chain does not answer
        time.sleep(0.5)
    _, seconds = run_until(
        Anchorer(system.sessions, system.gateway), is_anchored(system, review_id)
    )
    assert system.token_balance(patient.address) == REWARD
    assert anchors_of(system, visit["visitId"]) == 1
    record(
        "deadline passes during a chain outage",
        accepted=1,
        anchored_after_deadline=True,
        paid=1,
        seconds_to_anchor_after_outage=round(seconds, 1),
    )


def test_a_v_0_or_1_signature_is_anchored_on_a_mining_chain(system: System) -> None:
    dentist, patient = system.new_dentist(), new_wallet()
    visit = system.attested_visit(dentist, patient)
    message = system.review_message(visit)
    signature = bytes.fromhex(sign_typed(patient, system.eip712(), "Review", message)[2:])
    low_v = "0x" + (signature[:64] + bytes([signature[64] - 27])).hex()
    response = system.client.post("/v1/reviews", json={"message": message, "signature": low_v})
    assert response.status_code == 202, response.text
    review_id = int(response.json()["id"])
    _, seconds = run_until(
        Anchorer(system.sessions, system.gateway), is_anchored(system, review_id)
    )
    assert system.token_balance(patient.address) == REWARD
    record(
        "v = 0/1 signature", accepted=1, anchored=True, paid=1, seconds_to_anchor=round(seconds, 1)
    )
