"""Would you recommend us? in a real browser: the patient answers 0-10 with the review and
the wallet signs it; a patient may skip it; the dentist sees the verified NPS chart."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from eth_account.signers.local import LocalAccount
from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.support.wallet import sign_typed
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, TestWallet, assert_fits_narrowest_phone
from tests.web.conftest import WebSystem
from tests.web.test_dentist_pages import sign_in
from tests.web.test_patient_flow import connect, fill_form, open_invitation

QUESTION = "How likely are you to recommend this practice to a friend or family member?"


def typed_requests(wallet: TestWallet) -> list[dict[str, Any]]:
    """What the wallet signed about the review (the anonymous group's membership, signed
    quietly once the patient signs in, is left out)."""
    signed = [
        json.loads(params[1]) for method, params in wallet.calls if method == "eth_signTypedData_v4"
    ]
    return [s for s in signed if s["primaryType"] != "GroupMembership"]


def answered_by_api(web: WebSystem, dentist: LocalAccount, score: int) -> int:
    """Another patient's visit, review and signed score, as a wallet would send them."""
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    review_id = web.review(patient, visit)
    eip712 = httpx.get(f"{web.url}/v1/eip712", timeout=10).json()
    message = {"visitId": visit["visitId"], "score": score, "deadline": int(time.time()) + 600}
    signature = sign_typed(patient, eip712, "Recommendation", message)
    response = httpx.post(
        f"{web.url}/v1/recommendations",
        json={"message": message, "signature": signature},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return review_id


def test_patient_answers_the_question_and_the_dentist_sees_the_nps_chart(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Lakeside Dental")
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    fill_form(page)
    question = page.get_by_role("group", name=QUESTION)
    expect(question).to_be_visible()
    expect(question).to_contain_text("0 = not at all likely")
    expect(question).to_contain_text("10 = extremely likely")
    expect(question.get_by_role("radio")).to_have_count(11)
    question.locator("label:has(input[value='9'])").click()
    expect(question.get_by_role("radio", name="9", exact=True)).to_be_checked()
    page.get_by_role("button", name="Sign and publish my review").click()

    expect(page.locator("#recommend-done")).to_contain_text("signed and recorded", timeout=15_000)
    signed = typed_requests(wallet)
    assert [s["primaryType"] for s in signed] == ["Review", "Recommendation"]
    assert signed[1]["message"]["score"] == 9
    assert signed[1]["message"]["visitId"] == visit["visitId"]
    expect(page.locator("#status")).to_contain_text("anchored in block", timeout=30_000)

    others = [answered_by_api(web, dentist, score) for score in (10, 10, 6, 8)]
    for review_id in others:
        web.wait_anchored(review_id)

    practice = page.context.browser
    assert practice is not None
    context = practice.new_context(viewport=DESKTOP)
    try:
        board = context.new_page()
        sign_in(board, web, TestWallet(dentist, web.rpc_url))
        card = board.locator("#nps-card")
        # 3 promoters (9, 10, 10), 1 passive (8), 1 detractor (6): +40.
        expect(card.locator("#nps-summary")).to_have_text(
            "Over the months shown, your NPS is +40. Of the 5 patients who answered, 3 "
            "promoters (9–10) would recommend you, 1 passive (7–8) and 1 detractor (0–6)."
        )
        month = time.strftime("%Y-%m", time.gmtime())
        bars = card.locator("svg#nps-chart g[data-nps-month]")
        expect(bars).to_have_count(12)
        current = card.locator(f"g[data-nps-month='{month}']")
        expect(current.locator("text").first).to_have_text("+40")
        expect(current.locator("rect")).to_have_count(3)
        chart = card.locator("svg#nps-chart")
        expect(chart).to_have_attribute("role", "img")
        expect(chart.locator("desc")).to_contain_text("your NPS is +40")
        row = card.locator("#nps-table tbody tr").last
        expect(row.locator("td")).to_have_text([month, "5", "3", "1", "1", "40.0"])
        first = card.locator("#nps-table tbody tr").first
        expect(first.locator("td").nth(1)).to_have_text("fewer than 5")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(SCREENSHOTS / "nps-chart-desktop.png"))
        board.set_viewport_size(PHONE)
        board.wait_for_timeout(150)
        assert_fits_narrowest_phone(board)
        box = chart.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        card.screenshot(path=str(SCREENSHOTS / "nps-chart-phone.png"))
    finally:
        context.close()


def test_a_patient_may_skip_the_question(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Skip Street Dental")
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    fill_form(page)
    question = page.get_by_role("group", name=QUESTION)
    question.locator("label:has(input[value='3'])").click()
    page.get_by_role("button", name="Clear my answer").click()  # changed their mind: skip
    expect(question.locator("input:checked")).to_have_count(0)
    page.get_by_role("button", name="Sign and publish my review").click()

    expect(page.locator("#status")).to_contain_text("anchored in block", timeout=30_000)
    assert [s["primaryType"] for s in typed_requests(wallet)] == ["Review"]
    expect(page.locator("#recommend-status")).to_have_count(0)
