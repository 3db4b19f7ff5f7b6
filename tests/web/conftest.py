"""One chain, one deployment and one real `dentareview serve` for the browser tests, and
one headless Chromium."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Browser, Page

from dentareview.services.dentists import register_dentist
from tests.api.system import new_wallet
from tests.reliability.service import Service, Stack, deployed_stack, running
from tests.support.anvil import AnvilNode
from tests.support.siwe import signed_in
from tests.web.browser import (
    DESKTOP,
    require_chromium,
)


@dataclass
class WebSystem:
    """The service over HTTP, its chain and its database."""

    stack: Stack
    service: Service

    @property
    def url(self) -> str:
        return self.service.url

    @property
    def rpc_url(self) -> str:
        return self.stack.chain.rpc_url

    def new_dentist(self, name: str) -> LocalAccount:
        dentist = new_wallet()
        register_dentist(
            self.stack.sessions,
            self.stack.gateway.deployment(),
            address=dentist.address,
            name=name,
            now=int(time.time()),
        )
        return dentist

    def visit(self, dentist: LocalAccount, patient: LocalAccount) -> dict[str, Any]:
        signed = self.stack.signed_visit(dentist, patient)
        response = httpx.post(f"{self.url}/v1/visits", json=signed, timeout=10)
        assert response.status_code == 201, response.text
        message: dict[str, Any] = signed["message"]
        return message

    def review(self, patient: LocalAccount, visit: dict[str, Any], **fields: Any) -> int:
        signed = self.stack.signed_review(patient, visit, **fields)
        response = httpx.post(f"{self.url}/v1/reviews", json=signed, timeout=10)
        assert response.status_code == 202, response.text
        review_id: int = response.json()["id"]
        return review_id

    def wait_anchored(self, review_id: int, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body: dict[str, Any] = httpx.get(f"{self.url}/v1/reviews/{review_id}").json()
            if body["status"] == "anchored":
                return body
            time.sleep(0.2)
        raise AssertionError(f"review {review_id} not anchored within {timeout} s")

    def api_get(self, path: str, *, wallet: LocalAccount | None = None) -> Any:
        """GET a path of the service's API, signed in as `wallet` if given; the JSON body."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            if wallet is not None:
                signed_in(client, wallet)
            response = client.get(path)
        assert response.status_code == 200, response.text
        return response.json()

    def rpc(self, method: str, params: list[Any]) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
        answer = httpx.post(self.rpc_url, json=body, timeout=10).json()
        assert "error" not in answer, answer
        return answer["result"]

    def mine(self, blocks: int) -> None:
        """Bury the anchors: Anvil reports `finalized` as 64 blocks below the head."""
        self.rpc("anvil_mine", [hex(blocks)])


@contextmanager
def web_system(data_dir: Path, **env: str) -> Iterator[WebSystem]:
    """A fresh Anvil, contracts, a SQLite database and the service with its worker."""
    chain = AnvilNode()
    chain.start()
    try:
        database_url = f"sqlite:///{data_dir / 'dentareview.db'}"
        with deployed_stack(chain, data_dir, database_url) as stack:
            service = Service(stack.env(**env), log_path=data_dir / "service.log")
            with running(service):
                yield WebSystem(stack, service)
    finally:
        chain.stop()


@pytest.fixture(scope="package")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    """Single mode: the chain checks both signatures of each review."""
    require_chromium()
    with web_system(tmp_path_factory.mktemp("web")) as system:
        yield system


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()
