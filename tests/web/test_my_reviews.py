"""My reviews in a real browser: a patient signs in with their wallet (SIWE) and sees
their own reviews, rewards and full proofs; another wallet sees none of it; signed out,
the page asks to sign in."""

from __future__ import annotations

import json
import re
import time
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


EDITED_TEXT = (
    "Coming back after a month: the crown feels a little high when I bite, and the "
    "follow-up appointment took three weeks to get."
)


def test_patient_edits_then_erases_a_review_signed_with_their_wallet(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Lakeside Dental")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient), rating=4)
    original = web.wait_anchored(review_id)
    wallet = TestWallet(patient, web.rpc_url)
    sign_in(page, web, wallet)
    card = page.locator(f"article[data-review-id='{review_id}']")

    # Edit: the form starts from the latest text and ratings, with live counters.
    card.get_by_role("button", name="Edit").click()
    form = card.get_by_role("form", name="Edit your review")
    expect(form.locator("textarea")).to_have_value(original["text"])
    expect(form.locator("input[name=rating][value='4']")).to_be_checked()
    form.locator("textarea").fill("Too short")
    expect(form.locator(".counters")).to_contain_text("9 of at least")
    form.locator("textarea").fill(EDITED_TEXT)
    form.locator("input[name=rating][value='2']").check(force=True)
    form.get_by_role("button", name="Sign and save my edit").click()

    expect(card.locator("[data-state=edited]")).to_contain_text("edited by its author")
    expect(card.locator(".review-text")).to_have_text(EDITED_TEXT)
    expect(card.locator(".stars")).to_have_attribute("aria-label", "2 out of 5 stars")
    expect(card).to_contain_text("The reward is not paid again")
    shown = web.api_get(f"/v1/reviews/{review_id}")
    assert shown["text"] == EDITED_TEXT and shown["rating"] == 2
    assert shown["state"] == "edited" and shown["digest"] == original["digest"]
    method, (signer, payload) = wallet.calls[-1]
    signed = json.loads(payload)
    assert method == "eth_signTypedData_v4" and signer == patient.address
    assert signed["primaryType"] == "ReviewEdit"
    assert set(signed["types"]) == {"EIP712Domain", "ReviewEdit"}
    assert signed["message"]["previousDigest"] == original["digest"]

    # Erase: the confirmation says what is deleted and what is kept.
    card.get_by_role("button", name="Erase").click()
    confirm = card.get_by_role("group", name="Erase this review?")
    expect(confirm).to_contain_text("Deleted: the text of this review and of every edited version")
    expect(confirm).to_contain_text("Kept, as the proof that you asked for it")
    shoot(page, "my-reviews-erase", phone=False)
    confirm.get_by_role("button", name="Sign and erase").click()

    expect(card.locator("[data-state=erased]")).to_contain_text("erased by its author")
    expect(card.locator(".review-text")).to_have_count(0)
    expect(card).not_to_contain_text(EDITED_TEXT)
    assert json.loads(wallet.calls[-1][1][1])["primaryType"] == "ReviewErasure"
    public = web.api_get(f"/v1/reviews/{review_id}")
    assert public["state"] == "erased" and public["stateLabel"] == "erased by its author"
    assert public["text"] == "" and public["rating"] is None
    page.goto(f"{web.url}/dentists/{dentist.address}")
    item = page.locator(f"article[data-review-id='{review_id}']")
    expect(item).to_contain_text("Erased by its author.")
    expect(page.locator("main")).not_to_contain_text(EDITED_TEXT)
    expect(page.locator("main")).not_to_contain_text(original["text"])
    shoot(page, "my-reviews-erased-public", phone=False)

    # The verification page checks the erased review's public proof: the signed request,
    # and that the registry anchored both changes.
    deadline = time.monotonic() + 30

    def revisions() -> list[dict[str, object]]:
        return list(web.api_get(f"/v1/reviews/{review_id}/proof")["author"]["revisions"])

    while not all("anchor" in r for r in revisions()):
        assert time.monotonic() < deadline, "the edit and the erasure were not anchored"
        time.sleep(0.5)
    page.goto(f"{web.url}/verify/{review_id}")
    verdict = page.locator("#verdict")
    expect(verdict).not_to_have_attribute("data-verdict", "fail", timeout=20_000)
    expect(page.locator("#verdict")).to_be_visible()
    for name in ("digest", "author", "author-anchors", "anchor-event"):
        expect(page.locator(f"[data-check={name}]")).to_have_attribute("data-verdict", "pass")
    expect(page.locator("[data-check=author]")).to_contain_text("Erased by its author")
    expect(page.locator("#erased-note")).to_be_visible()
    shoot(page, "verify-erased", phone=True)
    proof = json.loads(page.get_by_label("Proof (JSON)").input_value())
    proof["author"]["revisions"][1]["message"]["deadline"] += 1  # a forged erasure request
    page.get_by_label("Proof (JSON)").fill(json.dumps(proof))
    page.get_by_role("button", name="Check this proof").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=author]")).to_have_attribute("data-verdict", "fail")
