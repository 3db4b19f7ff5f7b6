"""The whole system as separate processes: Anvil, PostgreSQL and `dentareview serve`.

The service runs exactly as in production (uvicorn workers, each with its anchoring
thread), so the tests can kill it with SIGKILL, stop its chain, and fire requests at
it from many threads.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from dentareview.chain.deployments import Manifest
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.models import ReviewRow, RewardPaymentRow
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import EIP712_TYPES, domain_dict
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import register_dentist
from dentareview.services.deploy import deploy
from tests.api.system import System, new_wallet
from tests.support.anvil import AnvilNode, free_port
from tests.support.databases import fresh_postgres_schema
from tests.support.wallet import sign_typed

DENTAREVIEW = str(Path(sys.executable).with_name("dentareview"))


@dataclass
class Stack:
    """Contracts deployed on a chain and a migrated database: what a service runs on."""

    chain: AnvilNode
    w3: Web3
    settings: Settings
    manifest: Manifest
    sessions: sessionmaker[Session]
    gateway: ChainGateway
    eip712: dict[str, Any] = field(default_factory=dict)

    @property
    def operator(self) -> str:
        return self.gateway.deployment().sender.address

    def env(self, **extra: str) -> dict[str, str]:
        """The service's environment: ours, minus any DENTAREVIEW_* we did not choose."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
        env.update(
            DENTAREVIEW_RPC_URL=self.settings.rpc_url,
            DENTAREVIEW_DATA_DIR=str(self.settings.data_dir),
            DENTAREVIEW_DATABASE_URL=self.settings.resolved_database_url,
            DENTAREVIEW_CHAIN_ID=str(self.manifest.chain_id),
            DENTAREVIEW_ANCHOR_INTERVAL_SECONDS="0.2",
            DENTAREVIEW_RPC_TIMEOUT_SECONDS="3",
            DENTAREVIEW_ANCHOR_MODE="single",  # these tests count per-review transactions
        )
        env.update(extra)
        return env

    def new_dentist(self) -> LocalAccount:
        dentist = new_wallet()
        register_dentist(
            self.sessions,
            self.gateway.deployment(),
            address=dentist.address,
            name="Bright Smiles",
            now=int(time.time()),
        )
        return dentist

    def signed_visit(self, dentist: LocalAccount, patient: LocalAccount) -> dict[str, Any]:
        message = System.visit_message(dentist, patient)
        return {"message": message, "signature": sign_typed(dentist, self.eip712, "Visit", message)}

    def signed_review(self, patient: LocalAccount, visit: dict[str, Any], **fields: Any) -> Any:
        message = System.review_message(visit, **fields)
        return {
            "message": message,
            "signature": sign_typed(patient, self.eip712, "Review", message),
        }

    def pending_count(self) -> int:
        with self.sessions() as session:
            stmt = select(func.count()).select_from(ReviewRow).where(ReviewRow.status == "pending")
            return int(session.scalar(stmt) or 0)

    def wait_all_anchored(self, timeout: float = 60) -> float:
        """Seconds until no review is pending; fails after `timeout`."""
        started = time.monotonic()
        while self.pending_count():
            assert time.monotonic() - started < timeout, f"{self.pending_count()} still pending"
            time.sleep(0.1)
        return time.monotonic() - started

    def payments_by_status(self) -> dict[str, int]:
        with self.sessions() as session:
            rows = session.execute(
                select(RewardPaymentRow.status, func.count()).group_by(RewardPaymentRow.status)
            )
            return {str(status): int(count) for status, count in rows}


@contextmanager
def deployed_stack(chain: AnvilNode, data_dir: Path, database_url: str) -> Iterator[Stack]:
    w3 = Web3(Web3.HTTPProvider(chain.rpc_url))
    settings = Settings(
        rpc_url=chain.rpc_url, data_dir=data_dir, database_url=database_url, anchor_worker=False
    )
    manifest, _ = deploy(settings, w3)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        stack = Stack(
            chain, w3, settings, manifest, make_session_factory(engine), ChainGateway(settings)
        )
        domain = Eip712Domain(
            chain_id=manifest.chain_id, verifying_contract=manifest.registry.address
        )
        stack.eip712 = {"domain": domain_dict(domain), "types": EIP712_TYPES}
        yield stack
    finally:
        engine.dispose()


@contextmanager
def postgres_stack(chain: AnvilNode, data_dir: Path) -> Iterator[Stack]:
    """A deployment on `chain` with a fresh PostgreSQL schema of its own."""
    with fresh_postgres_schema() as url, deployed_stack(chain, data_dir, url) as stack:
        yield stack


class Service:
    """`dentareview serve` in its own process group, so a SIGKILL takes every worker."""

    def __init__(self, env: dict[str, str], *, workers: int = 1, log_path: Path) -> None:
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 40, may_exit: bool = False) -> Service:
        """Wait until it answers; with `may_exit`, an early exit (a crash test) is fine."""
        command = [DENTAREVIEW, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if may_exit:
                    return self
                raise RuntimeError(f"service exited with {self.process.returncode}: {self.log()}")
            try:
                httpx.get(f"{self.url}/health", timeout=2)  # 200, or 503 while the chain is down
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"service did not answer within {timeout} s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def wait_exit(self, timeout: float) -> int:
        """The exit code (negative: killed by that signal) once it ends by itself."""
        assert self.process is not None
        code = self.process.wait(timeout)
        self._reap_group()
        return code

    def kill(self) -> None:
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._reap_group()
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()
        self._reap_group()

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.process is not None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def _reap_group(self) -> None:
        # Workers left behind by a killed supervisor share its process group.
        self._signal_group(signal.SIGKILL)


@contextmanager
def running(service: Service) -> Iterator[Service]:
    service.start()
    try:
        yield service
    finally:
        service.stop()


def fire(
    send: Callable[[httpx.Client, int], httpx.Response], count: int, *, threads: int = 50
) -> list[tuple[int, dict[str, Any]]]:
    """`count` requests from `threads` threads released together by a barrier."""
    barrier = threading.Barrier(min(threads, count))
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    with httpx.Client(timeout=60, limits=limits) as client:

        def one(index: int) -> tuple[int, dict[str, Any]]:
            if index < barrier.parties:
                barrier.wait()
            response = send(client, index)
            return response.status_code, response.json()

        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(one, range(count)))


@dataclass(frozen=True)
class OperatorTxs:
    """Every transaction the operator's account sent, read from the blocks themselves."""

    total: int
    nonce: int
    reverted: int
    submit_reviews: int


def operator_txs(stack: Stack, *, from_block: int = 0) -> OperatorTxs:
    w3, operator = stack.w3, stack.operator
    registry = stack.gateway.deployment().registry
    total = reverted = submits = 0
    for number in range(from_block, int(w3.eth.block_number) + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            assert not isinstance(tx, bytes)
            if tx["from"] != operator:
                continue
            total += 1
            reverted += int(w3.eth.get_transaction_receipt(tx["hash"])["status"] == 0)
            if tx["to"] == registry.address:
                function, _ = registry.contract.decode_function_input(tx["input"])
                submits += int(function.fn_name == "submitReview")
    return OperatorTxs(total, int(w3.eth.get_transaction_count(operator)), reverted, submits)


def anchors_per_visit(stack: Stack, *, from_block: int = 0) -> dict[str, int]:
    registry = stack.gateway.deployment().registry
    events = registry.anchor_events(from_block=from_block, to_block=int(stack.w3.eth.block_number))
    counts: dict[str, int] = {}
    for event in events:
        counts[event.visit_id] = counts.get(event.visit_id, 0) + 1
    return counts


def rewards_minted(stack: Stack, *, from_block: int = 0) -> int:
    """How many reward mints the token saw (Transfer from the zero address)."""
    token = stack.gateway.deployment().token
    logs = token.events.Transfer().get_logs(
        from_block=from_block,
        to_block=int(stack.w3.eth.block_number),
        argument_filters={"from": "0x" + "00" * 20},
    )
    return len(logs)
