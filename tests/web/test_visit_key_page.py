"""Attest visits without a wallet prompt each time: the practice's page makes a key in
the browser, the wallet signs once to authorise it (on-chain through the service's
worker), then a CSV of visits is signed with the key: no further wallet prompt."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.web.browser import TestWallet, shoot
from tests.web.conftest import WebSystem
from tests.web.test_dentist_pages import sign_in

PATH = "/v1/practice/visit-signers"


def typed_signatures(wallet: TestWallet) -> int:
    return wallet.methods().count("eth_signTypedData_v4")


def test_one_wallet_prompt_then_a_csv_with_none(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Harbour Dental")
    wallet = TestWallet(dentist, web.rpc_url)
    sign_in(page, web, wallet, "/practice/visits")
    card = page.locator("#visit-key")
    expect(card.get_by_role("heading")).to_have_text("Attest visits without a prompt each time")

    card.get_by_role("button", name="Create a key in this browser").click()
    expect(card).to_contain_text("Key created", timeout=20_000)
    expect(page.locator("#visit-key-state")).to_contain_text("This browser now attests visits")
    assert typed_signatures(wallet) == 1  # the one prompt: the VisitSigner
    keys = web.api_get(PATH, wallet=dentist)["keys"]
    assert len(keys) == 1 and keys[0]["signer"] != dentist.address

    deadline = time.monotonic() + 60  # the service's worker puts it on-chain
    while web.api_get(PATH, wallet=dentist)["keys"][0]["status"] != "active":
        assert time.monotonic() < deadline, "the key never became active"
        time.sleep(0.5)
    page.reload()
    expect(page.locator("#visit-key-state")).to_contain_text("active", timeout=20_000)

    patients = [new_wallet() for _ in range(4)]
    now = int(time.time())
    lines = ["patient,visited_at"] + [
        f"{p.address},{now - 3600 * (i + 1)}" for i, p in enumerate(patients)
    ]
    page.get_by_label("or paste the lines").fill("\n".join(lines))
    page.get_by_role("button", name="Sign and record every visit").click()
    expect(page.locator("#progress-text")).to_have_text("4 of 4 done", timeout=30_000)
    expect(page.locator("#summary")).to_contain_text("4 visits recorded")
    assert typed_signatures(wallet) == 1  # no prompt for any of the four visits
    shoot(page, "practice-visit-key")

    # Stop this key: one more wallet signature, and the service refuses its visits at once.
    card.get_by_role("button", name="Stop this key").click()
    expect(card).to_contain_text("Key stopped", timeout=20_000)
    assert typed_signatures(wallet) == 2
    assert web.api_get(PATH, wallet=dentist)["keys"][0]["status"] == "revoked"
    expect(card.get_by_role("button", name="Create a key in this browser")).to_be_visible()
