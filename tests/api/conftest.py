"""Fixtures: a fresh deployment and database per test, the app over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
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
from tests.api.system import System
from tests.support.anvil import AnvilNode
from tests.support.databases import fresh_postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dentareview.db'}"
        return
    with fresh_postgres_schema() as url:
        yield url


def start_system(
    rpc_url: str, w3: Web3, data_dir: Path, database_url: str, **overrides: Any
) -> Iterator[System]:
    settings = Settings(
        rpc_url=rpc_url,
        data_dir=data_dir,
        database_url=database_url,
        anchor_worker=False,
        **overrides,
    )
    manifest, _ = deploy(settings, w3)
    upgrade_database(database_url)
    app = create_app(settings, run_anchor_worker=False)
    engine = make_engine(database_url)
    try:
        with TestClient(app) as client:
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


@pytest.fixture
def system(anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str) -> Iterator[System]:
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


@pytest.fixture
def own_chain(tmp_path: Path) -> Iterator[AnvilNode]:
    """A chain of the test's own, which it may stop (an outage) and start again."""
    node = AnvilNode(state_path=tmp_path / "anvil-state.json")
    node.start()
    yield node
    node.stop()


@pytest.fixture
def outage_system(own_chain: AnvilNode, tmp_path: Path, database_url: str) -> Iterator[System]:
    """The service on `own_chain`."""
    w3 = Web3(Web3.HTTPProvider(own_chain.rpc_url))
    yield from start_system(own_chain.rpc_url, w3, tmp_path / "data", database_url)
