"""Start and stop a real Anvil node for tests (installed by `npm ci`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


def anvil_binary() -> str:
    local = PROJECT_ROOT / "node_modules" / ".bin" / "anvil"
    if local.exists():
        return str(local)
    found = shutil.which("anvil")
    if found is None:
        raise RuntimeError("anvil not found: run `npm ci` (see README)")
    return found


def free_port() -> int:
    """A free port on 127.0.0.1 that no other pytest-xdist worker can be handed.

    A test that stops a node (an outage) relies on its port staying dead; the kernel may
    hand that port to the next caller, so each worker only takes ports of its own residue
    modulo the number of workers, and another worker's node never lands on it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    residue = int(worker.removeprefix("gw")) % workers
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port % workers == residue:
            return port


def dev_account(index: int) -> LocalAccount:
    """The index-th account of Anvil's well-known development mnemonic."""
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


def _rpc_ready(url: str) -> bool:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class AnvilNode:
    """One Anvil process; `stop()` and `start()` simulate a chain outage."""

    port: int = field(default_factory=free_port)
    chain_id: int = 31337
    state_path: Path | None = None
    extra_args: list[str] = field(default_factory=list)
    # Recent block states kept in memory: a reorg (`anvil_reorg`) needs the states it
    # goes back to, and a call that Anvil resolves to the latest block while the next is
    # mined needs that block's state (keeping none, such a call failed now and then with
    # "BlockOutOfRangeError: block height is 13 but requested was 8"). Nothing is ever
    # kept on disk.
    states_in_memory: int = 64
    process: subprocess.Popen[bytes] | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            anvil_binary(),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--silent",
            # Without it Anvil caches old block states on disk (~/.foundry/anvil/tmp),
            # gigabytes over a test run, and leaves them behind if killed.
            "--prune-history",
            str(self.states_in_memory),
        ]
        if self.state_path is not None:
            command += ["--state", str(self.state_path), "--state-interval", "1"]
        command += self.extra_args
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if _rpc_ready(self.rpc_url):
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with code {self.process.returncode}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("anvil did not answer within 20 s")

    def stop(self) -> None:
        """SIGINT, as Ctrl-C: Anvil writes its state file before exiting."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
