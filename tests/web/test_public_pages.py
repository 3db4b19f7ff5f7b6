"""Public pages in a real browser: directory, profile, in-browser verification of a
single-mode review (genuine and tampered), and the widget on another origin."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.system import new_wallet
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, shoot, static_site
from tests.web.conftest import WebSystem

TEXTS = [
    "Booked on a Monday and seen the same week. The dentist took time to explain the crown "
    "options and the costs before starting, no surprises.",
    "Friendly reception and a very careful cleaning. I was a little nervous but the "
    "hygienist checked on me often and the visit ran on time.",
    "Good treatment but I waited forty minutes past my appointment without any "
    "explanation, which spoiled an otherwise pleasant visit.",
]


@dataclass
class Reviewed:
    name: str
    address: str
    review_ids: list[int]


@pytest.fixture(scope="module")
def reviewed(web: WebSystem) -> Reviewed:
    """A practice with three anchored reviews, buried deep enough to be final."""
    name = "Maple Street Dental Care"
    dentist = web.new_dentist(name)
    ids = []
    for text, rating in zip(TEXTS, (5, 4, 3), strict=True):
        patient = new_wallet()
        ids.append(web.review(patient, web.visit(dentist, patient), text=text, rating=rating))
    for review_id in ids:
        web.wait_anchored(review_id)
    web.mine(70)
    return Reviewed(name, dentist.address, ids)


def test_directory_and_profile_show_the_reviews(
    page: Page, web: WebSystem, reviewed: Reviewed
) -> None:
    page.goto(web.url + "/")
    page.get_by_label("Search by practice name, city or postal code").fill("maple street")
    page.get_by_role("button", name="Search").click()
    card = page.locator("li.card", has_text=reviewed.name)
    expect(card).to_contain_text("3 reviews")
    expect(card).to_contain_text("✓ verified reviews")
    expect(card).to_contain_text("3.7")  # (5 * 3.5 + 12) / 8 = 3.6875, one decimal shown
    shoot(page, "directory")

    card.get_by_role("link", name=reviewed.name).click()
    expect(page).to_have_url(f"{web.url}/dentists/{reviewed.address}")
    expect(page.get_by_role("heading", level=1)).to_have_text(reviewed.name)
    expect(page.get_by_test_id("score")).to_have_text("3.7")
    reviews = page.locator("#reviews article")
    expect(reviews).to_have_count(3)
    # Newest first, each with its anchoring badge and a link to its verification page.
    expect(reviews.first).to_contain_text(TEXTS[2])
    expect(reviews.first.locator(".badge")).to_have_text("✓ Verified visit")
    expect(reviews.first.get_by_role("link", name="Verify this review")).to_have_attribute(
        "href", f"/verify/{reviewed.review_ids[2]}"
    )
    expect(page.locator("canvas")).to_be_visible()
    # The trend is drawn once it comes near the screen, not before.
    drawn = "() => !!document.querySelector('.chart-box canvas').getAttribute('style')"
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    page.reload()
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    assert page.evaluate(drawn) is False
    page.locator(".chart-box canvas").scroll_into_view_if_needed()
    page.wait_for_function(drawn)
    page.set_viewport_size(DESKTOP)
    shoot(page, "profile")


def test_profile_first_load_time(browser: Browser, web: WebSystem, reviewed: Reviewed) -> None:
    """Cold cache, local service: navigation start to the page shown (the chart is drawn
    once it comes near the screen)."""
    timings, navigation = [], {}
    for _ in range(3):
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        started = time.monotonic()
        page.goto(f"{web.url}/dentists/{reviewed.address}")
        page.locator("main[data-ready=true]").wait_for()
        timings.append(round((time.monotonic() - started) * 1000))
        navigation = page.evaluate(
            """() => {
              const n = performance.getEntriesByType("navigation")[0];
              const r = performance.getEntriesByType("resource");
              return {
                domContentLoadedMs: Math.round(n.domContentLoadedEventEnd),
                loadMs: Math.round(n.loadEventEnd),
                readyMs: Math.round(performance.now()),
                resources: r.length,
              };
            }"""
        )
        context.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report = {"drawnMs": timings, "lastNavigation": navigation}
    (SCREENSHOTS / "profile-load.json").write_text(json.dumps(report))
    assert min(timings) < 5000, report


def test_verification_page_passes_a_genuine_review(
    page: Page, web: WebSystem, reviewed: Reviewed
) -> None:
    page.goto(f"{web.url}/verify/{reviewed.review_ids[0]}")
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=20_000)
    expect(verdict).to_have_text("✓ Verified: genuine, unchanged, anchored and final.")
    checks = page.locator("[data-check]")
    names = [checks.nth(i).get_attribute("data-check") for i in range(checks.count())]
    assert names == [
        "chain",
        "domain",
        "digest",
        "review-signature",
        "visit-signature",
        "dentist",
        "anchor-event",
        "signatures-on-chain",
        "anchored-at",
        "reward",
        "finality",
    ]
    expect(page.locator("[data-check][data-verdict=fail]")).to_have_count(0)
    # The public proof names no patient: the signatures are the registry's word, shown so.
    for name in ("review-signature", "visit-signature"):
        expect(page.locator(f"[data-check={name}]")).to_have_attribute("data-verdict", "info")
    shoot(page, "verify-pass")


def test_verification_page_fails_a_tampered_proof(
    page: Page, web: WebSystem, reviewed: Reviewed
) -> None:
    page.goto(f"{web.url}/verify/{reviewed.review_ids[1]}")
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "pass", timeout=20_000)
    proof = json.loads(page.get_by_label("Proof (JSON)").input_value())
    proof["review"]["message"]["rating"] = 1  # a practice's rival lowers the rating
    page.get_by_label("Proof (JSON)").fill(json.dumps(proof, indent=2))
    page.get_by_role("button", name="Check this proof").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "fail")
    expect(verdict).to_contain_text("Not verified")
    expect(page.locator("[data-check=digest]")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=digest]")).to_contain_text("text or ratings were changed")
    # What is shown is what the proof says, not what the server said.
    expect(page.locator("#proof-review .stars")).to_have_attribute("aria-label", "1 out of 5 stars")
    shoot(page, "verify-tampered")

    # A proof pasted on the bare page, with another dentist swapped in, fails too.
    genuine = json.loads(json.dumps(proof))
    genuine["review"]["message"]["rating"] = 4
    genuine["dentist"] = new_wallet().address
    page.goto(f"{web.url}/verify")
    page.get_by_label("Proof (JSON)").fill(json.dumps(genuine))
    page.get_by_role("button", name="Check this proof").click()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail", timeout=20_000)
    expect(page.locator("[data-check=digest]")).to_have_attribute("data-verdict", "pass")
    expect(page.locator("[data-check=dentist]")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=anchor-event]")).to_have_attribute("data-verdict", "fail")


def test_pending_reviews_are_shown_apart(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Pending Lane Dental")
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    web.rpc("evm_setAutomine", [False])  # the relay's transaction waits in the mempool
    try:
        review_id = web.review(patient, visit, text=TEXTS[0])
        page.goto(f"{web.url}/dentists/{dentist.address}")
        expect(page.locator("#reviews")).to_contain_text("No verified review yet.")
        pending = page.locator("#pending article")
        expect(pending).to_have_count(1)
        expect(pending.locator(".badge")).to_have_text("Verified visit · waiting to be recorded")
        expect(pending.get_by_role("link", name="Verify this review")).to_have_count(0)
        expect(page.get_by_text("1 more waiting to be recorded (not counted yet).")).to_be_visible()
        expect(page.get_by_test_id("score")).to_have_count(0)  # no score from no review
        expect(page.locator("#score-sentence")).to_have_text("No verified reviews yet.")
        shoot(page, "profile-pending", phone=False)
    finally:
        web.rpc("evm_setAutomine", [True])
        web.rpc("evm_mine", [])
    web.wait_anchored(review_id, timeout=60)
    page.reload()
    expect(page.locator("#reviews article")).to_have_count(1)
    expect(page.locator("#pending")).to_have_count(0)


@pytest.fixture
def other_origin(tmp_path: Path, web: WebSystem, reviewed: Reviewed) -> Iterator[str]:
    """A practice's own site: a plain HTML page on another port that embeds the widget."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Maple Street</title>"
        "</head><body style='font-family:sans-serif;margin:24px'>"
        "<h1>Maple Street Dental Care</h1><p>Opening hours: Mon–Fri 8–18.</p>"
        f"<script src='{web.url}/widget.js' data-dentist='{reviewed.address}' async></script>"
        "</body></html>"
    )
    with static_site(tmp_path) as origin:
        yield origin


def test_widget_renders_on_another_origin(
    page: Page, web: WebSystem, reviewed: Reviewed, other_origin: str
) -> None:
    assert other_origin != web.url
    page.goto(other_origin + "/")
    widget = page.locator(".dentareview-widget")
    expect(widget).to_contain_text("3 verified reviews of Maple Street Dental Care")
    expect(widget).to_contain_text("3.7")
    items = widget.locator("li")
    expect(items).to_have_count(3)
    expect(items.first).to_contain_text(TEXTS[2][:40])
    link = items.first.get_by_role("link")
    expect(link).to_have_attribute("href", f"{web.url}/verify/{reviewed.review_ids[2]}")
    # The disclosure travels with the reviews onto the practice's own site.
    expect(widget).to_contain_text("Every reviewer gets the same reward, whatever their rating.")
    # It opens in the widget's language (the host page's, here English).
    expect(widget.get_by_role("link", name="How reviews work")).to_have_attribute(
        "href", f"{web.url}/how-reviews-work?lang=en"
    )
    shoot(page, "widget")
