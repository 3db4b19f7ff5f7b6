"""Two `dentareview anchor --watch` processes on one PostgreSQL database and one chain:
exactly one anchors, the other stands by; SIGKILL the active one and the standby
anchors the next review within TAKEOVER_SECONDS, with nothing sent twice."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from dentareview.api.app import create_app
from tests.api.system import new_wallet
from tests.reliability.figures import record
from tests.reliability.service import (
    DENTAREVIEW,
    Stack,
    anchors_per_visit,
    operator_txs,
    postgres_stack,
)
from tests.support.anvil import AnvilNode

# Interval 0.2 s (Stack.env): the standby retries the lease five times a second, and
# PostgreSQL drops a killed process's lock as soon as the kernel closes its socket.
TAKEOVER_SECONDS = 5.0


@pytest.fixture
def stack(own_chain: AnvilNode, tmp_path: Path) -> Iterator[Stack]:
    with postgres_stack(own_chain, tmp_path / "data") as s:
        yield s


class Worker:
    """`dentareview anchor --watch` in a process group of its own."""

    def __init__(self, stack: Stack, log_path: Path) -> None:
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [DENTAREVIEW, "anchor", "--watch"],
                env=stack.env(PYTHONUNBUFFERED="1"),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, words: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while words not in self.log():
            assert self.process.poll() is None, self.log()
            assert time.monotonic() < deadline, f"no {words!r} in: {self.log()[-2000:]}"
            time.sleep(0.05)

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@contextmanager
def workers(stack: Stack, tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    first = Worker(stack, tmp_path / "first.log")
    started: list[Worker] = [first]
    try:
        first.wait_for("now the active anchoring worker")
        second = Worker(stack, tmp_path / "second.log")
        started.append(second)
        second.wait_for("standing by")
        yield first, second
    finally:
        for worker in started:
            worker.kill()


def _post_review(stack: Stack, client: TestClient, dentist: LocalAccount) -> str:
    patient = new_wallet()
    visit = stack.signed_visit(dentist, patient)
    assert client.post("/v1/visits", json=visit).status_code == 201
    answer = client.post("/v1/reviews", json=stack.signed_review(patient, visit["message"]))
    assert answer.status_code == 202, answer.text
    return str(visit["message"]["visitId"])


def test_the_standby_takes_over_when_the_active_worker_is_killed(
    stack: Stack, tmp_path: Path
) -> None:
    dentist = stack.new_dentist()
    start = int(stack.w3.eth.block_number) + 1
    nonce_before = int(stack.w3.eth.get_transaction_count(stack.operator))
    app = create_app(stack.settings, run_anchor_worker=False)  # the API alone
    with TestClient(app) as client, workers(stack, tmp_path) as (active, standby):
        first = _post_review(stack, client, dentist)
        stack.wait_all_anchored(timeout=30)
        active.wait_for("anchored 1")  # the log line follows the pass that anchored it
        assert "anchored 1" not in standby.log()

        active.kill()  # SIGKILL: no clean-up, no lock released by hand
        killed_at = time.monotonic()
        second = _post_review(stack, client, dentist)
        stack.wait_all_anchored(timeout=30)
        takeover = time.monotonic() - killed_at
        assert "now the active anchoring worker" in standby.log()
        standby.wait_for("anchored 1")

    txs = operator_txs(stack, from_block=start)
    anchors = anchors_per_visit(stack, from_block=start)
    record(
        "standby_takeover",
        takeover_seconds=round(takeover, 2),
        txs_total=txs.total,
        nonce_used=txs.nonce - nonce_before,
        duplicates=txs.total - 2,
    )
    assert takeover < TAKEOVER_SECONDS
    assert txs.total == txs.submit_reviews == 2 and txs.reverted == 0
    assert txs.nonce - nonce_before == 2  # nothing else was signed, not even replaced
    assert {first: 1, second: 1} == {v: anchors.get(v) for v in (first, second)}


def test_two_watchers_never_anchor_side_by_side(stack: Stack, tmp_path: Path) -> None:
    """A burst while both run: only the active one sends, each review once."""
    dentist = stack.new_dentist()
    start = int(stack.w3.eth.block_number) + 1
    app = create_app(stack.settings, run_anchor_worker=False)
    with TestClient(app) as client, workers(stack, tmp_path) as (active, standby):
        visits = [_post_review(stack, client, dentist) for _ in range(6)]
        stack.wait_all_anchored(timeout=60)
        assert "anchored" not in standby.log().replace("active anchoring", "")
    txs = operator_txs(stack, from_block=start)
    anchors = anchors_per_visit(stack, from_block=start)
    assert txs.total == txs.submit_reviews == 6 and txs.reverted == 0
    assert all(anchors.get(v) == 1 for v in visits)
