"""Signed edits and erasures anchored on a chain that mines every second: exactly once,
through reorgs, a crash between noting and sending, and a stuck transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from dentareview.anchoring.reviews import Anchorer, AnchorReport
from dentareview.anchoring.statements import anchor_statements
from dentareview.db.models import StatementAnchorRow
from dentareview.db.queries.statements import due_statements
from dentareview.relay.engine import Relay, SignedTx
from dentareview.relay.finality import Finality
from dentareview.relay.settings import RelaySettings
from tests.api.system import System
from tests.api.test_revisions import edit_message, erasure_message, post, reviewed
from tests.reliability.figures import record
from tests.reliability.test_real_chain import rpc

GWEI = 10**9


def statement(system: System, digest: str) -> StatementAnchorRow:
    with system.sessions() as session:
        row = session.scalars(
            select(StatementAnchorRow).where(StatementAnchorRow.digest == digest.lower())
        ).one()
        session.expunge(row)
        return row


def on_chain(system: System, digest: str) -> int:
    """StatementAnchored events of `digest` on the canonical chain."""
    registry = system.gateway.deployment().registry
    return len(registry.statement_events(from_block=0, digest=bytes.fromhex(digest[2:])))


def passes_until(anchorer: Anchorer, done: Callable[[], bool], timeout: float = 60) -> AnchorReport:
    total = AnchorReport()
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < timeout, f"not done after {timeout} s: {total}"
        total.add(anchorer.run_once())
        time.sleep(0.2)
    return total


def edited_and_erased(system: System, anchorer: Anchorer) -> tuple[str, str]:
    """The digests of an accepted edit and erasure of an anchored review."""
    patient, review = reviewed(system, anchor=False)
    passes_until(
        anchorer,
        lambda: system.client.get(f"/v1/reviews/{review['id']}").json()["status"] == "anchored",
    )
    edit = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
    assert edit.status_code == 201, edit.text
    erasure = post(system, patient, "erase", review["id"], erasure_message(review))
    assert erasure.status_code == 201, erasure.text
    return edit.json()["digest"], erasure.json()["digest"]


def signed_and_noted(system: System) -> tuple[Relay, SignedTx, set[str]]:
    """What a pass does before it broadcasts: sign one transaction for every due
    statement and commit its hash and nonce on each (the write-ahead record)."""
    deployment = system.gateway.deployment()
    relay = Relay(deployment.sender, deployment.registry, RelaySettings())
    with system.sessions() as session:
        rows = due_statements(session, now=int(time.time()), limit=10)
        call = deployment.registry.anchor_statements([bytes.fromhex(r.digest[2:]) for r in rows])
        signed = relay.sign(call, nonce=relay.next_nonce(), gas=relay.gas(call), fees=relay.fees())
        for row in rows:
            row.sent_tx_hash, row.sent_nonce = signed.tx_hash, signed.nonce
            row.replace_at = int(time.time()) + 60
        session.commit()
        return relay, signed, {row.digest for row in rows}


def test_edits_and_erasures_are_anchored_once_and_again_after_a_reorg(system: System) -> None:
    anchorer = Anchorer(
        system.sessions, system.gateway, relay=RelaySettings(finality=Finality(depth=3))
    )
    edit, erasure = edited_and_erased(system, anchorer)
    assert statement(system, edit).status == "pending"

    passes_until(anchorer, lambda: statement(system, erasure).status == "anchored")
    first = statement(system, edit)
    assert first.block_number == statement(system, erasure).block_number  # one transaction
    registry = system.gateway.deployment().registry
    assert registry.statement_anchored_at(bytes.fromhex(edit[2:])) == first.anchored_at

    depth = int(system.w3.eth.block_number) - int(first.block_number or 0) + 1
    rpc(system.w3, "anvil_reorg", depth, [])
    report = passes_until(
        anchorer, lambda: statement(system, edit).final and statement(system, erasure).final
    )

    assert report.reorged >= 2
    assert (on_chain(system, edit), on_chain(system, erasure)) == (1, 1)
    final = statement(system, edit)
    block = system.w3.eth.get_block(int(final.block_number or 0))
    assert block["hash"].to_0x_hex() == final.block_hash  # the canonical block, recorded
    record("reorg of a statement anchor", statements=2, reorged_depth=depth, anchored_once=True)


def test_a_crash_between_noting_and_sending_sends_once(system: System) -> None:
    anchorer = Anchorer(system.sessions, system.gateway)
    edit, erasure = edited_and_erased(system, anchorer)
    # The process signs and notes the transaction, then dies before broadcasting it.
    relay, signed, digests = signed_and_noted(system)
    assert digests == {edit, erasure}

    passes_until(anchorer, lambda: statement(system, erasure).status == "anchored")

    assert statement(system, edit).status == "anchored"
    assert (on_chain(system, edit), on_chain(system, erasure)) == (1, 1)
    # The noted transaction never left; the one that anchored them took its nonce.
    mined = system.w3.eth.get_transaction(statement(system, edit).tx_hash or "")
    assert mined["nonce"] == signed.nonce


def test_a_crash_after_sending_records_the_anchor_without_a_second_transaction(
    system: System,
) -> None:
    anchorer = Anchorer(system.sessions, system.gateway)
    edit, _ = edited_and_erased(system, anchorer)
    relay, signed, _ = signed_and_noted(system)
    relay.broadcast(signed)  # ... and dies before the receipt is recorded
    nonce_before = relay.next_nonce()

    passes_until(anchorer, lambda: statement(system, edit).status == "anchored")

    assert statement(system, edit).tx_hash == signed.tx_hash
    assert on_chain(system, edit) == 1
    assert relay.next_nonce() == nonce_before  # nothing else was sent


def test_a_stuck_statement_transaction_is_replaced_at_its_nonce(system: System) -> None:
    relay_settings = RelaySettings(replace_after_seconds=2, receipt_timeout_seconds=1.5)
    anchorer = Anchorer(system.sessions, system.gateway, relay=relay_settings)
    edit, _ = edited_and_erased(system, anchorer)
    deployment = system.gateway.deployment()
    rpc(system.w3, "evm_setIntervalMining", 0)
    try:
        with system.sessions() as session:
            relay = Relay(deployment.sender, deployment.registry, relay_settings)
            first = anchor_statements(session, deployment, relay, now=int(time.time()))
        rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(200 * GWEI))
    finally:
        rpc(system.w3, "evm_setIntervalMining", 1)
    assert first.done == 0
    stuck = statement(system, edit)
    assert stuck.sent_tx_hash is not None

    report = passes_until(anchorer, lambda: statement(system, edit).status == "anchored")

    anchored = statement(system, edit)
    assert anchored.tx_hash != stuck.sent_tx_hash
    assert system.w3.eth.get_transaction(anchored.tx_hash or "")["nonce"] == stuck.sent_nonce
    assert on_chain(system, edit) == 1
    assert report.anchored == 0  # no review was waiting: the passes only settled the edit
