"""Every chain writer through the one outbox lifecycle (`dentareview/anchoring/outbox.py`):
a review (single mode), a batch root, an aggregate payout, a set of statement digests,
a dentist's visit-signing key, practices' anonymous group roots and an anonymous review,
each under the same adversities: SIGKILL at each step of a send, a reorg of the block
that recorded it, a stuck transaction replaced at its nonce, a fee spike over the
maximum, and an outage that takes the node's pool with it. Each must end recorded once,
by one transaction on the chain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from web3 import Web3

from dentareview.anchoring.anonymous import AnonymousSettings
from dentareview.anchoring.batches import BatchAnchorer
from dentareview.anchoring.crash_points import CRASH_AT_VARIABLE, CRASH_STEPS, CrashStep
from dentareview.anchoring.reviews import Anchorer, AnchorReport
from dentareview.chain.anonymous import AnonymousContract
from dentareview.db.models import (
    AnonymousReviewRow,
    BatchRow,
    GroupRootRow,
    PayoutRow,
    ReviewRow,
    SentTransaction,
    StatementAnchorRow,
    VisitSignerRow,
)
from dentareview.relay.finality import Finality
from dentareview.relay.settings import RelaySettings
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.api.test_anonymous_reviews import practice_with_group, proven_body
from tests.api.test_revisions import edit_message, post, reviewed
from tests.api.test_visit_signers import grant
from tests.reliability.figures import record
from tests.reliability.test_real_chain import post_one_review, rpc
from tests.support.anvil import AnvilNode, dev_account
from tests.support.databases import fresh_postgres_schema
from tests.support.siwe import wallet_client

GWEI = 10**9
DENTAREVIEW = str(Path(sys.executable).with_name("dentareview"))
NEVER = 10**6  # seconds: a payout that is never due within a test


@dataclass(frozen=True)
class Writer:
    """One chain writer as the tests drive it."""

    name: str
    mode: str  # the anchor mode whose passes run it
    table: type[SentTransaction]  # where its write-ahead record lives
    event: str  # the registry event that records its effect
    # Crash steps a send of it passes: the pipeline (reviews) broadcasts in steps; one
    # write at a time is signed, noted, then sent and waited for in one call.
    steps: tuple[CrashStep, ...]
    payout_seconds: float = NEVER
    contract: str = "registry"  # or "anonymous": AnonymousReviews emits its event

    def passes(self, system: System, policy: RelaySettings) -> Anchorer | BatchAnchorer:
        anonymous = AnonymousSettings.from_settings(system.settings)
        if self.mode == "single":
            return Anchorer(system.sessions, system.gateway, relay=policy, anonymous=anonymous)
        return BatchAnchorer(
            system.sessions,
            system.gateway,
            batch_size=2,
            batch_seconds=3600,
            payout_seconds=self.payout_seconds,
            relay=policy,
            anonymous=anonymous,
        )


ONE_AT_A_TIME: tuple[CrashStep, ...] = ("signed", "noted", "mined")
WRITERS = {
    writer.name: writer
    for writer in (
        Writer("review", "single", ReviewRow, "ReviewAnchored", CRASH_STEPS),
        Writer("batch", "batch", BatchRow, "BatchAnchored", ONE_AT_A_TIME),
        Writer("payout", "batch", PayoutRow, "RewardsPaid", ONE_AT_A_TIME, payout_seconds=0),
        Writer("statement", "single", StatementAnchorRow, "StatementAnchored", ONE_AT_A_TIME),
        Writer("visit_signer", "single", VisitSignerRow, "VisitSignerSet", ONE_AT_A_TIME),
        Writer("group_root", "single", GroupRootRow, "GroupRootCommitted", ONE_AT_A_TIME,
               contract="anonymous"),
        Writer("anonymous_review", "single", AnonymousReviewRow, "AnonymousReviewAnchored",
               CRASH_STEPS, contract="anonymous"),
    )
}  # fmt: skip
# The anonymous writers' settings: roots and reviews go out at the first pass.
ANONYMOUS_AT_ONCE = {
    "group_root_interval": 0,
    "anonymous_min_delay": 0,
    "anonymous_batch_size": 1,
}
CRASHES = [(name, step) for name, writer in WRITERS.items() for step in writer.steps]


def make_pending(system: System, writer: Writer) -> None:
    """Leave exactly one write of `writer` for the next pass to send."""
    if writer.name == "review":
        post_one_review(system)
        return
    if writer.name == "statement":
        patient, review = reviewed(system)  # anchored: only its edit waits
        answer = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
        assert answer.status_code == 201, answer.text
        return
    if writer.name == "group_root":  # a patient joins a practice's anonymous group
        practice_with_group(system, ["a patient in the outbox tests"], "Outbox Dental")
        return
    if writer.name == "anonymous_review":  # a group committed; only the review waits
        secrets = [f"outbox patient {i}" for i in range(10)]
        practice = practice_with_group(system, secrets, "Anonymous Outbox Dental")
        report = writer.passes(system, RelaySettings()).run_until_idle()
        assert not report.errors, report
        dentist = practice.dentist.address
        found = system.client.get(f"/v1/dentists/{dentist}/group").json()
        members, period = [int(m) for m in found["members"]], int(found["period"])
        body, _ = proven_body(system, secrets[0], members, dentist, period)
        answer = system.client.post("/v1/anonymous-reviews", json=body)
        assert answer.status_code == 202, answer.text
        return
    if writer.name == "visit_signer":  # a dentist authorises a visit-signing key
        dentist = system.new_dentist()
        answer = grant(system, wallet_client(system.client, dentist), dentist, new_wallet().address,
                       int(time.time()) + 3600)  # fmt: skip
        assert answer.status_code == 201, answer.text
        return
    dentist = system.new_dentist()
    for _ in range(2):  # one batch's worth
        post_one_review(system, dentist)
    if writer.name == "payout":  # the root anchored first; only the payout waits
        batch = WRITERS["batch"]
        report = batch.passes(system, RelaySettings()).run_until_idle()
        assert report.batches == 1 and not report.errors, report


def effects(system: System, writer: Writer) -> int:
    """The write's events on the canonical chain."""
    deployment = system.gateway.deployment()
    contract = deployment.registry.contract
    if writer.contract == "anonymous":
        contract = AnonymousContract.of(deployment.w3, deployment.manifest).contract
    return len(getattr(contract.events, writer.event)().get_logs(from_block=0))


def recorded(system: System, writer: Writer, *, final: bool = False) -> bool:
    """The database holds the write as included (and final), and nothing of it pending."""
    table: Any = writer.table
    with system.sessions() as session:
        rows = list(session.scalars(select(table)))
    done = [row for row in rows if row.tx_hash is not None and (row.final or not final)]
    return bool(rows) and len(done) == len(rows)


def operator_sent(system: System, from_block: int) -> int:
    """Transactions of the operator mined from `from_block` on."""
    operator, total = dev_account(0).address, 0
    for number in range(from_block, int(system.w3.eth.block_number) + 1):
        block = system.w3.eth.get_block(number, full_transactions=True)
        total += sum(1 for tx in block["transactions"] if dict(tx)["from"] == operator)
    return total


def passes_until(
    worker: Anchorer | BatchAnchorer,
    done: Callable[[], bool],
    *,
    mine: Web3 | None = None,
    timeout: float = 60,
) -> AnchorReport:
    """Passes until `done()`; with `mine`, a block mined after each (finality advances)."""
    total = AnchorReport()
    started = time.monotonic()
    while not done():
        assert time.monotonic() - started < timeout, f"not done after {timeout} s: {total}"
        total.add(worker.run_once())
        if mine is not None:
            rpc(mine, "evm_mine")
        time.sleep(0.2)
    return total


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[AnvilNode]:
    """A chain of the test's own, mining on each transaction, which it may reorganise,
    stall, price up, or stop and start again (its state kept in a file)."""
    node = AnvilNode(state_path=tmp_path / "anvil-state.json", states_in_memory=256)
    node.start()
    yield node
    node.stop()


@pytest.fixture
def system(chain: AnvilNode, tmp_path: Path) -> Iterator[System]:
    w3 = Web3(Web3.HTTPProvider(chain.rpc_url))
    with fresh_postgres_schema() as url:
        yield from start_system(chain.rpc_url, w3, tmp_path / "data", url, **ANONYMOUS_AT_ONCE)


def _crashing_pass(system: System, writer: Writer, step: CrashStep, log: Path) -> int:
    """`dentareview anchor` in a process of its own, killed at `step`: its exit code."""
    settings = system.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
    env.update(
        DENTAREVIEW_RPC_URL=settings.rpc_url,
        DENTAREVIEW_DATA_DIR=str(settings.data_dir),
        DENTAREVIEW_DATABASE_URL=settings.resolved_database_url,
        DENTAREVIEW_CHAIN_ID=str(system.manifest.chain_id),
        DENTAREVIEW_ANCHOR_MODE=writer.mode,
        DENTAREVIEW_BATCH_SIZE="2",
        DENTAREVIEW_BATCH_SECONDS="3600",
        DENTAREVIEW_BATCH_PAYOUT_SECONDS=str(writer.payout_seconds),
        **{f"DENTAREVIEW_{k.upper()}": str(v) for k, v in ANONYMOUS_AT_ONCE.items()},
        **{CRASH_AT_VARIABLE: step},
    )
    with log.open("wb") as out:
        done = subprocess.run(
            [DENTAREVIEW, "anchor", "--allow-dev-keys"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    return done.returncode


@pytest.mark.parametrize(("name", "step"), CRASHES)
def test_a_crash_at_each_step_records_the_write_once(
    system: System, name: str, step: CrashStep, tmp_path: Path
) -> None:
    writer = WRITERS[name]
    make_pending(system, writer)
    start = int(system.w3.eth.block_number) + 1
    log = tmp_path / "crash.log"
    assert _crashing_pass(system, writer, step, log) == -signal.SIGKILL, log.read_text()
    broadcast = step not in ("signed", "noted")
    assert effects(system, writer) == int(broadcast)  # automine: sent is mined
    assert not recorded(system, writer)  # nothing was recorded before the crash

    passes_until(writer.passes(system, RelaySettings()), lambda: recorded(system, writer))
    assert effects(system, writer) == 1
    assert operator_sent(system, start) == 1  # no second transaction
    record(
        f"outbox {name}: crash at {step}",
        effects=effects(system, writer),
        transactions=operator_sent(system, start),
    )


@pytest.mark.parametrize("name", WRITERS)
def test_a_reorg_of_the_recording_block_records_the_write_again_once(
    system: System, name: str
) -> None:
    writer = WRITERS[name]
    make_pending(system, writer)
    worker = writer.passes(system, RelaySettings(finality=Finality(depth=3)))
    passes_until(worker, lambda: recorded(system, writer))
    assert not recorded(system, writer, final=True)
    table: Any = writer.table
    with system.sessions() as session:
        included = session.scalar(select(func.min(table.block_number)))
    assert included is not None
    rpc(system.w3, "anvil_reorg", int(system.w3.eth.block_number) - included + 1, [])
    assert effects(system, writer) == 0  # the block is gone, and the write with it

    report = passes_until(worker, lambda: recorded(system, writer, final=True), mine=system.w3)
    assert report.reorged >= 1
    assert effects(system, writer) == 1
    record(f"outbox {name}: reorg", reorged=report.reorged, effects=effects(system, writer))


@pytest.mark.parametrize("name", WRITERS)
def test_a_stuck_transaction_is_replaced_at_its_nonce(system: System, name: str) -> None:
    writer = WRITERS[name]
    make_pending(system, writer)
    worker = writer.passes(
        system, RelaySettings(replace_after_seconds=2, receipt_timeout_seconds=1.5)
    )
    # No block is mined while the write is sent: it waits in the pool, past its time.
    rpc(system.w3, "evm_setAutomine", False)
    report = worker.run_once()
    table: Any = writer.table
    with system.sessions() as session:
        noted = session.scalars(select(table).where(table.sent_tx_hash.is_not(None))).first()
        assert noted is not None, "the write was not noted"
        stuck_hash, stuck_nonce = noted.sent_tx_hash, noted.sent_nonce
    started = time.monotonic()
    while report.replaced == 0:
        assert time.monotonic() - started < 60, report
        report.add(worker.run_once())
        time.sleep(0.2)
    assert not recorded(system, writer)
    rpc(system.w3, "evm_setAutomine", True)
    rpc(system.w3, "evm_mine")

    passes_until(worker, lambda: recorded(system, writer))
    with system.sessions() as session:
        included = session.scalars(select(table)).first()
    assert included is not None and included.tx_hash != stuck_hash
    assert system.w3.eth.get_transaction(included.tx_hash)["nonce"] == stuck_nonce
    assert effects(system, writer) == 1
    record(f"outbox {name}: replacement", replaced=report.replaced, same_nonce=True)


@pytest.mark.parametrize("name", WRITERS)
def test_fees_over_the_maximum_send_nothing_until_they_fall(system: System, name: str) -> None:
    writer = WRITERS[name]
    make_pending(system, writer)
    worker = writer.passes(system, RelaySettings(max_fee_per_gas=50 * GWEI))
    rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(400 * GWEI))
    rpc(system.w3, "evm_mine")
    operator = dev_account(0).address
    nonce_before = system.w3.eth.get_transaction_count(operator, "pending")

    spiked = worker.run_once()
    assert any("exceeds the maximum fee" in error for error in spiked.errors), spiked.errors
    assert system.w3.eth.get_transaction_count(operator, "pending") == nonce_before
    assert not recorded(system, writer)

    rpc(system.w3, "anvil_setNextBlockBaseFeePerGas", hex(GWEI))
    rpc(system.w3, "evm_mine")
    passes_until(worker, lambda: recorded(system, writer))
    assert system.w3.eth.get_transaction_count(operator, "pending") == nonce_before + 1
    assert effects(system, writer) == 1


@pytest.mark.parametrize("name", WRITERS)
def test_an_outage_that_loses_the_pool_records_the_write_once(
    chain: AnvilNode, system: System, name: str
) -> None:
    writer = WRITERS[name]
    make_pending(system, writer)
    worker = writer.passes(system, RelaySettings(receipt_timeout_seconds=1))
    start = int(system.w3.eth.block_number) + 1
    rpc(system.w3, "evm_setAutomine", False)
    worker.run_once()  # noted and broadcast, never mined
    chain.stop()  # the node goes away, and its pool with it
    during = worker.run_once()
    assert during.errors and not recorded(system, writer)

    chain.start()
    passes_until(worker, lambda: recorded(system, writer))
    assert effects(system, writer) == 1
    assert operator_sent(system, start) == 1
    record(f"outbox {name}: outage", effects=effects(system, writer))
