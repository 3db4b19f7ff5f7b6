"""Fixtures: a chain of the module's own (its nonces and blocks are ours to count), and
one that mines a block every second, as a public chain does, with the service on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from tests.api.conftest import start_system
from tests.api.system import System
from tests.reliability.figures import summary_lines
from tests.support.anvil import AnvilNode
from tests.support.databases import fresh_postgres_schema


@pytest.fixture(scope="module")
def own_chain() -> Iterator[AnvilNode]:
    node = AnvilNode()
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def mining_chain() -> Iterator[AnvilNode]:
    node = AnvilNode(extra_args=["--block-time", "1"], states_in_memory=256)
    node.start()
    yield node
    node.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def system(
    request: pytest.FixtureRequest, mining_chain: AnvilNode, tmp_path: Path
) -> Iterator[System]:
    w3 = Web3(Web3.HTTPProvider(mining_chain.rpc_url))
    if request.param == "sqlite":
        yield from start_system(
            mining_chain.rpc_url, w3, tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite'}"
        )
        return
    with fresh_postgres_schema() as url:
        yield from start_system(mining_chain.rpc_url, w3, tmp_path / "data", url)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = summary_lines()
    if lines:
        terminalreporter.section("reliability and security figures")
        for line in lines:
            terminalreporter.write_line(line)
