"""The whole flow against a Hardhat node (`npx hardhat node`), the design's other local chain."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from tests.api.conftest import start_system
from tests.api.system import System
from tests.audit.helpers import post_review, proof_of, verify
from tests.support.anvil import PROJECT_ROOT, free_port

HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"
REWARD = 10 * 10**18


@pytest.fixture(scope="module")
def hardhat_rpc() -> Iterator[str]:
    if not HARDHAT.exists():
        pytest.skip("node_modules is missing: run `npm ci`")
    port = free_port()
    process = subprocess.Popen(
        [str(HARDHAT), "node", "--hostname", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"HARDHAT_DISABLE_TELEMETRY_PROMPT": "true", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(Web3.HTTPProvider(url))
    deadline = time.monotonic() + 60
    while not w3.is_connected():
        assert process.poll() is None, "hardhat node exited"
        assert time.monotonic() < deadline, "hardhat node did not answer within 60 s"
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def system(hardhat_rpc: str, tmp_path: Path) -> Iterator[System]:
    w3 = Web3(Web3.HTTPProvider(hardhat_rpc))
    yield from start_system(hardhat_rpc, w3, tmp_path / "data", f"sqlite:///{tmp_path / 'db'}")


def test_visit_review_anchor_reward_and_proof_on_a_hardhat_node(
    system: System, tmp_path: Path
) -> None:
    posted = post_review(system)
    report = system.anchor()
    assert report.anchored == 1, report
    view = system.client.get(f"/v1/reviews/{posted.id}").json()
    # One confirmation by default: the pass after the anchoring one marks it final.
    assert (view["status"], view["final"]) == ("anchored", True)
    assert system.token_balance(posted.patient.address) == REWARD
    proof = proof_of(system, posted)
    result = verify(system, proof, tmp_path, "--registry", system.manifest.registry.address)
    assert result.exit_code == 0, result.output
