"""The verification page and My reviews in Polish, in a real browser: the verdict, the
review's plain words and each check read in the reader's language, the protocol names stay
as they are, and no English verdict is left behind."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.web.browser import TestWallet
from tests.web.conftest import WebSystem

ENGLISH_VERDICTS = re.compile(
    r"Verified: genuine|Not verified|Waiting for anchoring|Genuine and unchanged"
    r"|checks again on its own|Still waiting|Check again later"
)


def test_the_verdict_of_an_anchored_review_reads_in_polish(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Gabinet Pod Lipami")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient), rating=4)
    web.wait_anchored(review_id)
    web.mine(70)  # final

    page.goto(f"{web.url}/verify/{review_id}?lang=pl")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=30_000)
    expect(verdict).to_have_text(
        "✓ Potwierdzona: prawdziwa, niezmieniona, zapisana publicznie i ostateczna."
    )
    assert page.evaluate("document.documentElement.lang") == "pl"
    expect(page.get_by_role("heading", level=1)).to_have_text("Czy ta opinia jest prawdziwa?")
    expect(page.locator("#proof-review")).to_contain_text("Opinia o gabinecie Gabinet Pod Lipami")
    expect(page.locator("#proof-review .stars[role=img]")).to_have_attribute(
        "aria-label",
        re.compile(r"^(?!.*out of).*\b4\b"),  # the stars' name, in Polish
    )

    # Behind "Details for auditors": the plain words in Polish, the protocol's names as they are.
    expect(page.locator("#auditor-details summary")).to_have_text(
        "Szczegóły dla audytorów: każde sprawdzenie z hashami i blokami"
    )
    expect(page.locator("[data-check=digest] .name")).to_have_text("Opinia niezmieniona")
    expect(page.locator("[data-check=digest] .pill")).to_have_text("OK")
    anchor = page.locator("[data-check=anchor-event]")
    expect(anchor).to_contain_text("Zapisana w blockchainie")
    expect(anchor).to_contain_text("ReviewAnchored")
    expect(page.locator("[data-check=domain]")).to_contain_text("DentaReview w wersji 1")

    shown = page.locator("main").inner_text()
    assert not ENGLISH_VERDICTS.search(shown), shown

    # A changed proof fails, in Polish too.
    proof = web.api_get(f"/v1/reviews/{review_id}/proof")
    proof["review"]["message"]["rating"] = 1
    page.goto(f"{web.url}/verify?lang=pl")
    page.get_by_label("Dowód (JSON)").fill(json.dumps(proof))
    page.get_by_role("button", name="Sprawdź ten dowód").click()
    expect(verdict).to_have_attribute("data-verdict", "fail", timeout=30_000)
    expect(verdict).to_contain_text("✗ Niepotwierdzona:")
    expect(verdict).to_contain_text("Nie ufaj tej opinii w tej postaci.")
    expect(page.locator("[data-check=digest]")).to_contain_text("tekst lub oceny zostały zmienione")
    assert page.evaluate("document.documentElement.lang") == "pl"
    shown = page.locator("main").inner_text()
    assert not ENGLISH_VERDICTS.search(shown), shown


def test_my_reviews_and_its_verification_read_in_polish(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Uśmiech Nad Wisłą")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient), rating=5)
    web.wait_anchored(review_id)
    web.mine(70)  # final

    # The reader chose Polish once (the switcher keeps it): every page after that is Polish.
    page.add_init_script("window.localStorage.setItem('dentareview.lang', 'pl')")
    TestWallet(patient, web.rpc_url).attach(page)
    page.goto(f"{web.url}/me")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    page.locator("#signin button:not(#signin-passkey)").first.click()
    expect(page.locator("#signed-in-as")).to_have_text(patient.address)
    assert page.evaluate("document.documentElement.lang") == "pl"
    expect(page.get_by_role("heading", level=1)).to_have_text("Moje opinie")
    card = page.locator(f"article[data-review-id='{review_id}']")
    expect(card.locator(".badge")).to_contain_text("zapisana publicznie w bloku")
    expect(card.locator(".reward")).to_contain_text("Nagroda:")
    expect(page.get_by_role("heading", name="Moje nagrody")).to_be_visible()

    card.get_by_role("button", name="Sprawdź", exact=True).click()
    page.wait_for_url(re.compile(r"/verify\?proof=full$"))
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=30_000)
    expect(verdict).to_have_text(
        "✓ Potwierdzona: prawdziwa, niezmieniona, zapisana publicznie i ostateczna."
    )
    expect(page.locator("[data-check=review-signature] .name")).to_have_text(
        "Podpisana przez pacjenta"
    )
    shown = page.locator("main").inner_text()
    assert not ENGLISH_VERDICTS.search(shown), shown
