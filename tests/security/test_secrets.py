"""No answer, health report, CLI output or log line carries the RPC URL's secrets.

Provider URLs carry API keys (https://eth-mainnet.example/v2/KEY, ?apikey=KEY, or
user:password@host). Each case puts a fake token in every part of the URL that
can hold one and looks for it everywhere the service speaks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web3 import Web3

from dentareview.anchoring.reviews import Anchorer
from dentareview.api.app import create_app
from dentareview.cli import app as cli
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.redaction import display_url, protect_url, scrub
from dentareview.services.chain_access import ChainGateway
from dentareview.services.deploy import deploy
from tests.api.system import new_wallet
from tests.support.anvil import AnvilNode, free_port

TOKEN = "FAKE-PROVIDER-TOKEN-7f3a9c"


def secret_url(base: str, *, in_path: bool = True) -> str:
    """`base` (scheme://host:port) with the token in the user-info, the path and the query."""
    scheme, host = base.split("://", 1)
    path = f"/v2/{TOKEN}" if in_path else "/"
    return f"{scheme}://user:{TOKEN}@{host}{path}?apikey={TOKEN}"


def dead_url() -> str:
    return secret_url(f"http://127.0.0.1:{free_port()}")


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def _app(settings: Settings) -> TestClient:
    upgrade_database(settings.resolved_database_url)
    return TestClient(create_app(settings, run_anchor_worker=False))


def _requests(client: TestClient) -> list[str]:
    """Every route a chain problem can reach; the raw answers, headers included."""
    wallet = new_wallet().address
    answers = [
        client.get("/health"),
        client.get("/v1/chain"),
        client.get("/v1/eip712"),
        client.get("/v1/reviews/1"),
        client.get("/v1/reviews/1/proof"),
        client.get(f"/v1/patients/{wallet}/rewards"),
        client.get(f"/v1/dentists/{wallet}/reputation"),
        client.post("/v1/visits", json={"message": {}, "signature": "0x"}),
        client.post("/v1/reviews", json={"message": {}, "signature": "0x"}),
    ]
    return [f"{r.status_code} {dict(r.headers)} {r.text}" for r in answers]


def _assert_clean(texts: list[str], logs: pytest.LogCaptureFixture) -> None:
    for text in [*texts, logs.text, *(str(r.exc_info) for r in logs.records if r.exc_info)]:
        assert TOKEN not in text, text


def test_nothing_shows_the_url_when_the_chain_is_down_and_not_deployed(
    tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    settings = Settings(rpc_url=dead_url(), data_dir=tmp_path, anchor_worker=False)
    with _app(settings) as client:
        texts = _requests(client)
        health = client.get("/health").json()
        chain = client.get("/v1/chain").json()
    assert health["chain"]["ok"] is False
    assert chain["error"]["code"] == "NOT_DEPLOYED"
    _assert_clean(texts, logs)


def test_nothing_shows_the_url_when_the_chain_is_down_but_deployed(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    deployed = Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path, anchor_worker=False)
    manifest, _ = deploy(deployed, w3)
    settings = Settings(
        rpc_url=dead_url(), data_dir=tmp_path, chain_id=manifest.chain_id, anchor_worker=False
    )
    with _app(settings) as client:
        texts = _requests(client)
    engine = make_engine(settings.resolved_database_url)
    try:
        report = Anchorer(make_session_factory(engine), ChainGateway(settings)).run_once()
    finally:
        engine.dispose()
    assert report.errors, "the anchorer should say the chain is unavailable"
    _assert_clean([*texts, *report.errors], logs)


def test_nothing_shows_the_url_when_the_chain_answers(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    """Anvil ignores credentials and the query (it answers at / only): a live provider URL."""
    settings = Settings(
        rpc_url=secret_url(anvil.rpc_url, in_path=False), data_dir=tmp_path, anchor_worker=False
    )
    deploy(settings, Web3(Web3.HTTPProvider(settings.rpc_url)))
    with _app(settings) as client:
        texts = _requests(client)
        assert client.get("/health").json()["chain"]["ok"] is True
    _assert_clean(texts, logs)


def test_an_unexpected_chain_failure_logs_no_url(
    tmp_path: Path, logs: pytest.LogCaptureFixture, anvil: AnvilNode, w3: Web3
) -> None:
    """Tracebacks are logged (the worker's `log.exception`, the 500 handler) and the
    requests library names the URL in its messages: the logged text must not."""
    deployed = Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path, anchor_worker=False)
    manifest, _ = deploy(deployed, w3)
    settings = Settings(
        rpc_url=dead_url(), data_dir=tmp_path, chain_id=manifest.chain_id, anchor_worker=False
    )
    with _app(settings) as client:
        texts = _requests(client)
    logging.getLogger("dentareview.test").exception(
        "failed", exc_info=ConnectionError(f"cannot reach {settings.rpc_url}")
    )
    _assert_clean(texts, logs)


@pytest.mark.parametrize(
    "args",
    [
        ["deploy"],
        ["dentist", "add", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--name", "X"],
        ["audit"],
    ],
    ids=["deploy", "dentist add", "audit"],
)
def test_the_cli_does_not_print_the_url(
    args: list[str], tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    result = CliRunner().invoke(cli, [*args, "--rpc-url", dead_url(), "--data-dir", str(tmp_path)])
    assert result.exit_code != 0
    _assert_clean([result.output, json.dumps(str(result.exception))], logs)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef",
            "https://mainnet.infura.io/…",
        ),
        ("https://eth-mainnet.g.alchemy.com/v2/" + TOKEN, "https://eth-mainnet.g.alchemy.com/…"),
        ("https://user:" + TOKEN + "@node.example:8545", "https://node.example:8545"),
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("not a url " + TOKEN, "(the configured node URL)"),
    ],
)
def test_a_url_is_shown_without_its_credentials(url: str, shown: str) -> None:
    assert display_url(url) == shown
    protect_url(url)
    assert TOKEN not in scrub(f"failed: {url} and {url.split('://')[-1]}")
