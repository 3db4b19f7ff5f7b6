"""Fixtures shared by every test: a real Anvil node and its dev accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Browser, sync_playwright
from web3 import Web3

from tests.support.anvil import AnvilNode, dev_account
from tests.support.smtp import smtp_server as smtp_server  # a real SMTP server (aiosmtpd)
from tests.web.browser import CHROMIUM, CHROMIUM_FLAGS, require_build, require_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test worker: Playwright's sync API allows one driver
    per thread, so every package that drives a browser shares this one."""
    require_chromium()
    require_build()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def anvil() -> Iterator[AnvilNode]:
    node = AnvilNode()
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def w3(anvil: AnvilNode) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.rpc_url))


@pytest.fixture(scope="session")
def admin() -> LocalAccount:
    """Anvil account 0: the deployer, admin and (by default) relayer."""
    return dev_account(0)


@pytest.fixture(scope="session")
def relayer() -> LocalAccount:
    return dev_account(1)


@pytest.fixture(scope="session")
def dentist() -> LocalAccount:
    return dev_account(2)


@pytest.fixture(scope="session")
def patient() -> LocalAccount:
    return dev_account(3)
