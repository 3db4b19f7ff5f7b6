"""A practice's details in a real browser: the dentist fills in the Practice details card
on the practice page, and a visitor finds the practice in the directory by its city,
with a language and the new-patients filter, through a link that keeps the search."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.support.siwe import signed_in
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, TestWallet, shoot
from tests.web.conftest import WebSystem


def test_a_dentist_sets_details_and_a_visitor_finds_the_practice_by_city(
    browser: Browser, page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Tagus Dental Clinic")
    # Another practice in the same city, not taking new patients: the filter leaves it out.
    other = web.new_dentist("Alfama Smiles")
    with httpx.Client(base_url=web.url, timeout=10) as client:
        signed_in(client, other)
        saved = client.put(
            "/v1/practice/details",
            json={
                "city": "Lisboa",
                "country": "PT",
                "languages": ["pt"],
                "acceptingNewPatients": False,
            },
        )
        assert saved.status_code == 200, saved.text

    TestWallet(dentist, web.rpc_url).attach(page)
    page.goto(f"{web.url}/practice")
    page.get_by_role("button", name="Sign in with wallet").click()
    card = page.locator("#details-card")
    expect(card.get_by_text("Nothing saved yet.")).to_be_visible(timeout=20_000)

    card.get_by_label("Street and number").fill("Rua Augusta 27")
    card.get_by_label("Postal code").fill("1100-048")
    card.get_by_label("City or town").fill("Lisboa")
    card.get_by_label("Country").fill("pt")
    expect(card.locator("#details-country-name")).to_have_text("Portugal")
    card.get_by_label("Phone").fill("21 342 1234")
    card.get_by_label("Website").fill("http://tagus.example.pt")
    card.get_by_label("Opening hours").fill("Mon–Fri 9:00–19:00\nSat 9:00–13:00")
    card.get_by_label("Portuguese").check()
    card.get_by_label("English").check()
    card.get_by_label("Yes").check()

    # A refusal is shown by its field, in words, and nothing is saved.
    card.get_by_role("button", name="Save details").click()
    expect(card.locator("#details-website-error")).to_contain_text("starting with https://")
    expect(card.get_by_label("Website")).to_have_attribute("aria-invalid", "true")
    expect(card.get_by_role("alert").filter(has_text="Nothing was saved")).to_be_visible()

    card.get_by_label("Website").fill("https://tagus.example.pt")
    card.get_by_role("button", name="Save details").click()
    expect(card.locator("#details-saved")).to_contain_text("Saved.")
    expect(card.get_by_label("Phone")).to_have_value("+351 21 342 1234")  # as saved
    expect(card.get_by_label("Country")).to_have_value("PT")
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):  # the card alone
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        card.screenshot(path=str(SCREENSHOTS / f"practice-details-card-{label}.png"))
    page.set_viewport_size(DESKTOP)
    shoot(page, "practice-details", phone=False)  # and the page fits a 360 px phone

    # A visitor, with no wallet, finds it by city with the filters, in a link.
    visitor_context = browser.new_context(viewport=PHONE)
    visitor = visitor_context.new_page()
    visitor.goto(f"{web.url}/")
    visitor.get_by_label("Search by practice name, city or postal code").fill("lisboa")
    expect(visitor.locator("#language option[value=pt]")).to_have_count(1)
    visitor.get_by_label("Language spoken").select_option("pt")
    visitor.get_by_label("Only practices accepting new patients").check()
    visitor.get_by_role("button", name="Search").click()
    visitor.wait_for_url("**/?*")
    query = parse_qs(urlsplit(visitor.url).query)
    assert query == {"q": ["lisboa"], "language": ["pt"], "acceptingNewPatients": ["true"]}
    results = visitor.locator("li.card")
    expect(results).to_have_count(1)
    found = results.first
    expect(found).to_contain_text("Tagus Dental Clinic")
    expect(found).to_contain_text("Lisboa, Portugal")
    expect(found).to_contain_text("Accepting new patients")
    expect(found).to_contain_text("Speaks English, Portuguese")
    expect(visitor.locator("#result-count")).to_have_text(
        "1 dentist matching “lisboa” with these filters"
    )
    # The form shows the search it came from.
    expect(visitor.get_by_label("Language spoken")).to_have_value("pt")
    expect(visitor.get_by_label("Only practices accepting new patients")).to_be_checked()
    shoot(visitor, "directory-filters")

    # Without the filter, the other practice in the city is there too, saying it is full.
    visitor.goto(f"{web.url}/?q=LISBOA&sort=name")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("Alfama Smiles")
    expect(results.nth(0)).to_contain_text("Not taking new patients")
    # By postal code, as a patient may type it.
    visitor.goto(f"{web.url}/?q=1100")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Tagus Dental Clinic")
    visitor_context.close()
