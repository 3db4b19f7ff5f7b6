"""Fixtures: the service with private webhook targets allowed (the receiver is on
127.0.0.1), quick retries, an operator, a real webhook receiver and SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from tests.api.conftest import database_url as database_url
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.news.receiver import WebhookReceiver
from tests.support.anvil import AnvilNode
from tests.support.smtp import SmtpServer

OPERATOR = new_wallet()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def news_system(
    anvil: AnvilNode,
    w3: Web3,
    tmp_path: Path,
    database_url: str,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[System]:
    for name, value in {
        "WEBHOOK_ALLOW_PRIVATE": "true",
        "WEBHOOK_TIMEOUT_SECONDS": "1",
        "NEWS_RETRY_BASE_SECONDS": "60",
        "NEWS_MAX_ATTEMPTS": "4",
        "OPERATOR_ADDRESSES": OPERATOR.address,
        **{k.upper(): str(v) for k, v in smtp_server.settings_overrides().items()},
    }.items():
        monkeypatch.setenv(f"DENTAREVIEW_{name}", value)
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)
