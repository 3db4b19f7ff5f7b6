"""The practice's replies in a real browser: reply, the PHI warning before signing, sign
anyway, edit the reply (a new signed version), and the public profile showing it."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.support.wallet import sign_typed
from tests.web.browser import TestWallet, shoot
from tests.web.conftest import WebSystem
from tests.web.test_dentist_pages import sign_in
from tests.web.test_my_reviews import sign_in as sign_in_as_patient

LEAKY = "Dear Sarah, we hope your root canal from March 3 has healed well."
THANKS = "Thank you for your kind words, we look forward to seeing you again."
BETTER = "Thank you for the kind words. We have also shortened our waiting times since."
SURE = "We are sorry about your wait at 3pm; we have changed how we book."


def wait_reply_anchored(web: WebSystem, review_id: int, timeout: float = 30) -> None:
    """The service's worker anchors every reply version's digest (anchorStatements)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        versions = web.api_get(f"/v1/reviews/{review_id}/replies")["versions"]
        if versions and all(v["anchor"]["status"] == "anchored" for v in versions):
            return
        time.sleep(0.2)
    raise AssertionError(f"the reply to review {review_id} was not anchored in {timeout} s")


def signatures(wallet: TestWallet) -> int:
    return wallet.methods().count("eth_signTypedData_v4")


def test_reply_warning_edit_and_the_public_profile(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Seaside Dental")
    review_ids = []
    for rating in (5, 2):
        patient = new_wallet()
        review_ids.append(web.review(patient, web.visit(dentist, patient), rating=rating))
    for review_id in review_ids:
        web.wait_anchored(review_id)
    newest, oldest = review_ids[1], review_ids[0]
    wallet = TestWallet(dentist, web.rpc_url)
    sign_in(page, web, wallet, "/practice/reviews")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews and replies")
    expect(page.locator("#replies-summary")).to_contain_text("2 without a reply")

    # A reply that names the patient, a treatment and a date: warned before any signature.
    card = page.locator(f"[data-review-id='{newest}']")
    card.get_by_role("button", name="Reply").click()
    card.get_by_label("Your public reply").fill(LEAKY)
    card.get_by_role("button", name="Check and sign").click()
    warnings = card.locator("#phi-warnings")
    expect(warnings).to_be_visible()
    expect(warnings).to_contain_text("may disclose a patient's health information in 3 places")
    expect(warnings.locator("li[data-code=PERSON_NAME]")).to_contain_text("Dear Sarah")
    expect(warnings.locator("li[data-code=TREATMENT]")).to_contain_text("your root canal")
    expect(warnings.locator("li[data-code=VISIT_DATE]")).to_contain_text("March 3")
    expect(card.get_by_role("button", name="Sign anyway")).to_be_visible()
    assert signatures(wallet) == 0
    shoot(page, "practice-reply-warning")

    # The dentist revises: no warning, the wallet signs a ReviewReply, it is published.
    card.get_by_label("Your public reply").fill(THANKS)
    expect(card.get_by_role("button", name="Check and sign")).to_be_visible()
    card.get_by_role("button", name="Check and sign").click()
    card = page.locator(f"[data-review-id='{newest}']")
    expect(card.get_by_role("status")).to_contain_text("Your reply is published")
    expect(card.locator(".reply .reply-text")).to_have_text(THANKS)
    assert signatures(wallet) == 1
    signed = [p for m, p in wallet.calls if m == "eth_signTypedData_v4"][0]
    assert '"primaryType":"ReviewReply"' in signed[1].replace(" ", "")
    reply = web.api_get(f"/v1/reviews/{newest}/replies")
    assert [v["text"] for v in reply["versions"]] == [THANKS]

    # Edit the reply: prefilled, signed as a new version naming the first.
    card.get_by_role("button", name="Edit reply").click()
    text = card.get_by_label("Edit your public reply")
    expect(text).to_have_value(THANKS)
    text.fill(BETTER)
    card.get_by_role("button", name="Check and sign").click()
    card = page.locator(f"[data-review-id='{newest}']")
    expect(card.get_by_role("status")).to_contain_text("Your reply is updated (version 2)")
    expect(card.locator(".reply [data-edited=true]")).to_have_text("edited")
    history = web.api_get(f"/v1/reviews/{newest}/replies")["versions"]
    assert [v["text"] for v in history] == [THANKS, BETTER]
    assert history[1]["previousDigest"] == history[0]["digest"]

    # The other review: the dentist reads the warning and signs anyway (it warns only).
    other = page.locator(f"[data-review-id='{oldest}']")
    other.get_by_role("button", name="Reply").click()
    other.get_by_label("Your public reply").fill(SURE)
    other.get_by_role("button", name="Check and sign").click()
    expect(other.locator("#phi-warnings li[data-code=VISIT_TIME]")).to_contain_text("at 3pm")
    other.get_by_role("button", name="Sign anyway").click()
    other = page.locator(f"[data-review-id='{oldest}']")
    expect(other.locator(".reply .reply-text")).to_have_text(SURE)
    expect(page.locator("#replies-summary")).to_contain_text("0 without a reply")
    shoot(page, "practice-replies")

    # The dashboard counts them.
    page.goto(f"{web.url}/practice")
    expect(page.locator("[data-figure=reply-rate] .figure-value")).to_have_text("100%")
    expect(page.locator("[data-figure=reply-rate]")).to_contain_text("2 of 2 reviews")

    # The public profile shows the reply under its review, marked edited, once anchored.
    wait_reply_anchored(web, newest)
    page.goto(f"{web.url}/dentists/{dentist.address}")
    shown = page.locator(f"#reviews [data-review-id='{newest}'] .reply")
    expect(shown).to_contain_text("Reply from the practice")
    expect(shown.locator(".reply-text")).to_have_text(BETTER)
    expect(shown.locator("[data-edited=true]")).to_have_text("edited")
    expect(shown.locator("[data-anchor]")).to_contain_text("anchored in block")
    plain = page.locator(f"#reviews [data-review-id='{oldest}'] .reply")
    expect(plain.locator(".reply-text")).to_have_text(SURE)
    expect(plain.locator("[data-edited=true]")).to_have_count(0)
    shoot(page, "profile-reply")


def test_another_wallet_cannot_reply_and_is_told_in_words(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Hillside Dental")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient))
    web.wait_anchored(review_id)
    other = web.new_dentist("Rival Dental")
    wallet = TestWallet(other, web.rpc_url)
    sign_in(page, web, wallet, "/practice/reviews")
    # The rival's own page lists none of Hillside's reviews.
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews and replies")
    expect(page.locator(f"[data-review-id='{review_id}']")).to_have_count(0)
    expect(page.locator("#practice-reviews")).to_contain_text("No review yet")


def test_the_patient_reads_the_practices_reply_on_my_reviews(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Riverside Dental")
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    review_id = web.review(patient, visit)
    review = web.wait_anchored(review_id)
    message = {
        "visitId": visit["visitId"],
        "reviewDigest": review["digest"],
        "previousDigest": "0x" + "00" * 32,
        "text": THANKS,
        "deadline": int(time.time()) + 3600,
    }
    signature = sign_typed(dentist, web.stack.eip712, "ReviewReply", message)
    posted = httpx.post(
        f"{web.url}/v1/reviews/{review_id}/reply",
        json={"message": message, "signature": signature},
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    sign_in_as_patient(page, web, TestWallet(patient, web.rpc_url))
    card = page.locator(f"[data-review-id='{review_id}']")
    expect(card.locator(".reply")).to_contain_text("Reply from the practice")
    expect(card.locator(".reply .reply-text")).to_have_text(THANKS)
