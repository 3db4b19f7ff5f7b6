"""My reviews in a real browser: a patient signs in with their wallet (SIWE) and sees
their own reviews, rewards and full proofs; another wallet sees none of it; signed out,
the page asks to sign in."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.web.browser import TestWallet, shoot
from tests.web.conftest import WebSystem


def sign_in(page: Page, web: WebSystem, wallet: TestWallet) -> None:
    wallet.attach(page)
    page.goto(f"{web.url}/me")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    expect(page.get_by_role("heading", name="Sign in with your wallet")).to_be_visible()
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#signed-in-as")).to_have_text(wallet.account.address)


def test_patient_sees_own_review_reward_and_full_proof(
    page: Page, web: WebSystem, tmp_path: Path
) -> None:
    dentist = web.new_dentist("Seaside Smiles")
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    review_id = web.review(patient, visit, rating=4)
    web.wait_anchored(review_id)
    web.mine(70)  # bury the anchor below Anvil's `finalized`
    chain = web.api_get("/v1/chain")
    reward = int(chain["rewardAmount"]) // 10 ** chain["tokenDecimals"]
    symbol = chain["tokenSymbol"]

    # Signed out: the page asks to sign in, and shows nothing else.
    wallet = TestWallet(patient, web.rpc_url)
    sign_in(page, web, wallet)
    assert "personal_sign" in wallet.methods()
    expect(page.get_by_role("link", name="My reviews")).to_have_attribute("aria-current", "page")

    card = page.locator(f"article[data-review-id='{review_id}']")
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name="Seaside Smiles")).to_have_attribute(
        "href", f"/dentists/{dentist.address}"
    )
    expect(card.locator(".badge")).to_have_attribute("data-status", "final")
    expect(card.locator(".badge")).to_contain_text("anchored in block")
    expect(card.locator(".stars")).to_have_attribute("aria-label", "4 out of 5 stars")
    expect(card.locator(".reward")).to_have_text(f"Reward: {reward} {symbol}, paid to your wallet.")
    expect(page.locator("[data-figure=earned] .figure-value")).to_have_text(f"{reward} {symbol}")
    expect(page.locator("[data-figure=paid] .figure-value")).to_have_text(f"{reward} {symbol}")
    expect(page.locator("[data-figure=balance] .figure-value")).to_have_text(f"{reward} {symbol}")
    shoot(page, "my-reviews")

    # The full proof downloads as a JSON file that names the patient's wallet.
    with page.expect_download() as download:
        card.get_by_role("button", name="Download my full proof").click()
    saved = tmp_path / "proof.json"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"dentareview-review-{review_id}-full-proof.json"
    proof = json.loads(saved.read_text())
    assert proof["kind"] == "full" and proof["reviewId"] == review_id
    assert proof["visit"]["message"]["patient"] == patient.address
    expect(card).to_contain_text("It names your wallet")

    # Verify opens the verification page with the full proof, and it passes in full.
    card.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/verify\?proof=full$"))
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=20_000)
    for name in ("review-signature", "visit-signature"):
        expect(page.locator(f"[data-check={name}]")).to_have_attribute("data-verdict", "pass")
    assert json.loads(page.locator("#proof").input_value())["visit"]["message"]["patient"] == (
        patient.address
    )
    shoot(page, "my-reviews-verify", phone=False)

    # Signed out, the page asks to sign in again and the session is gone.
    page.goto(f"{web.url}/me")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in with your wallet")).to_be_visible()
    expect(page.locator("article.own-review")).to_have_count(0)
    expect(page.locator("#rewards")).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.get(f"{web.url}/v1/me/reviews", cookies=cookies, timeout=10)
    assert answer.status_code == 401
    shoot(page, "my-reviews-signed-out", phone=False)


def test_another_wallet_sees_none_of_it(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Harbourside Dental")
    patient, stranger = new_wallet(), new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient))
    web.wait_anchored(review_id)

    wallet = TestWallet(stranger, web.rpc_url)
    sign_in(page, web, wallet)
    expect(page.locator("#no-reviews")).to_be_visible()
    expect(page.locator("article.own-review")).to_have_count(0)
    expect(page.get_by_role("heading", name="My reviews (0)")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Harbourside Dental")
    expect(page.locator("[data-figure=earned] .figure-value")).to_contain_text("0 ")
    # Nor can it take the patient's full proof by asking for it.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.get(f"{web.url}/v1/me/reviews/{review_id}/proof", cookies=cookies, timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "FORBIDDEN"
    shoot(page, "my-reviews-empty", phone=False)
