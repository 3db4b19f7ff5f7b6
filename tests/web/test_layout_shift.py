"""Public pages hold still while they load, on a phone: the layout shift Chromium records
(the same measure as Lighthouse's CLS) stays under 0.1 on every public page, and the
invitation page's first view fetches no wallet library (viem comes only once the patient
chooses a wallet or a passkey). bench/results/lighthouse.md has Lighthouse's own figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.api.system import new_wallet
from tests.web.browser import PHONE
from tests.web.conftest import WebSystem

# Layout shift: the sum over the page's shifts not caused by the reader, measured for a
# second after the page says it is ready (charts, details and fonts have arrived by then).
SHIFT = """() => new Promise((done) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(total), 1000);
})"""
SCRIPT_BYTES = """() => performance.getEntriesByType("resource")
  .filter((r) => r.name.endsWith(".js"))
  .reduce((sum, r) => sum + r.transferSize, 0)"""


@dataclass
class Site:
    dentist: str
    review_id: int
    visit_id: str


@pytest.fixture(scope="module")
def site(web: WebSystem) -> Site:
    dentist = web.new_dentist("Still Waters Dental")
    patient = new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient))
    web.wait_anchored(review_id)
    invited = web.visit(dentist, new_wallet())
    return Site(dentist.address, review_id, invited["visitId"])


PAGES = {
    "directory": lambda s: "/",
    "search": lambda s: "/?q=Still",
    "profile": lambda s: f"/dentists/{s.dentist}",
    "verification": lambda s: f"/verify/{s.review_id}",
    "invitation": lambda s: f"/invite/{s.visit_id}",
    "how reviews work": lambda s: "/how-reviews-work",
    "my reviews": lambda s: "/me",
}


def open_cold(browser: Browser, url: str) -> Any:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url)
    expect(page.locator("main[data-ready=true]")).to_be_attached(timeout=20_000)
    return context, page


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_public_page_does_not_shift_while_it_loads(
    browser: Browser, web: WebSystem, site: Site, name: str
) -> None:
    context, page = open_cold(browser, web.url + PAGES[name](site))
    try:
        shift = page.evaluate(SHIFT)
        assert shift < 0.1, f"{name}: layout shift {shift:.3f}"
    finally:
        context.close()


def test_the_invitation_first_view_fetches_no_wallet_library(
    browser: Browser, web: WebSystem, site: Site
) -> None:
    context, page = open_cold(browser, f"{web.url}/invite/{site.visit_id}")
    try:
        page.wait_for_load_state("networkidle")
        scripts = page.evaluate(SCRIPT_BYTES)
        # viem alone is about 100 KB gzipped; the page's own code and messages are under 30.
        assert 0 < scripts < 50_000, f"{scripts} bytes of JavaScript on first view"
    finally:
        context.close()


DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll("[id]")].map((element) => element.id);
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}"""


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_two_elements_of_a_page_share_an_id(
    browser: Browser, web: WebSystem, site: Site, name: str
) -> None:
    """A label names its field by id: the shell's language switcher and a page's own
    "language" filter once shared one, and the filter's label named the switcher."""
    context, page = open_cold(browser, web.url + PAGES[name](site))
    try:
        assert page.evaluate(DUPLICATE_IDS) == [], name
    finally:
        context.close()
