"""Batch-mode fixtures: fresh contracts, or the whole service in batch mode, per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.chain_access import ChainGateway
from dentareview.services.deploy import deploy
from tests.api.system import System
from tests.contracts.helpers import System as Contracts
from tests.contracts.helpers import deploy_system
from tests.support.anvil import AnvilNode
from tests.support.databases import DatabaseKind, fresh_database


@pytest.fixture
def contracts(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount, dentist: LocalAccount
) -> Contracts:
    return deploy_system(w3, admin, relayer, dentist)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    kind: DatabaseKind = request.param
    with fresh_database(kind, tmp_path) as url:
        yield url


def start_batch_system(
    rpc_url: str, w3: Web3, data_dir: Path, database_url: str, **settings: Any
) -> Iterator[System]:
    """The whole service in batch mode over HTTP (its worker only if asked)."""
    config = Settings(
        rpc_url=rpc_url,
        data_dir=data_dir,
        database_url=database_url,
        anchor_mode="batch",
        **{"anchor_worker": False, "batch_payout_seconds": 0, **settings},
    )
    manifest, _ = deploy(config, w3)
    upgrade_database(database_url)
    app = create_app(config)
    engine = make_engine(database_url)
    try:
        with TestClient(app) as client:
            yield System(
                settings=config,
                client=client,
                manifest=manifest,
                w3=w3,
                sessions=make_session_factory(engine),
                gateway=ChainGateway(config),
            )
    finally:
        engine.dispose()


@pytest.fixture
def batch_system(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str
) -> Iterator[System]:
    yield from start_batch_system(anvil.rpc_url, w3, tmp_path / "data", database_url)
