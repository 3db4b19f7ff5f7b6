"""Fixtures: the real app over HTTP on a fresh deployment (tests/api's System)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.chain_access import ChainGateway
from dentareview.services.deploy import deploy
from tests.api.conftest import start_system
from tests.api.system import System
from tests.reliability.figures import summary_lines
from tests.support.anvil import AnvilNode
from tests.support.databases import fresh_postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dentareview.db'}"
        return
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def system(anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str) -> Iterator[System]:
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


@pytest.fixture
def sqlite_system(anvil: AnvilNode, w3: Web3, tmp_path: Path) -> Iterator[System]:
    """For checks that do not depend on the database."""
    url = f"sqlite:///{tmp_path / 'dentareview.db'}"
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", url)


@contextmanager
def custom_system(
    anvil: AnvilNode,
    w3: Web3,
    data_dir: Path,
    database_url: str,
    *,
    relayer: str | None = None,
    **overrides: Any,
) -> Iterator[System]:
    """Like tests/api's system, with settings of the test's choosing (limits, the cap)
    and optionally a relayer account apart from the admin."""
    settings = Settings(
        rpc_url=anvil.rpc_url,
        data_dir=data_dir,
        database_url=database_url,
        anchor_worker=False,
        **overrides,
    )
    manifest, _ = deploy(settings, w3, relayer=relayer)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with TestClient(create_app(settings, run_anchor_worker=False)) as client:
            yield System(
                settings=settings,
                client=client,
                manifest=manifest,
                w3=w3,
                sessions=make_session_factory(engine),
                gateway=ChainGateway(settings),
            )
    finally:
        engine.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = summary_lines()
    if lines:
        terminalreporter.section("reliability and security figures")
        for line in lines:
            terminalreporter.write_line(line)
