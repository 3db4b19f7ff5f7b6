"""The practice's visits page: each visit's short link, copied in one click."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.api.system import new_wallet
from tests.web.browser import TestWallet
from tests.web.conftest import WebSystem
from tests.web.test_dentist_pages import sign_in

SHORT = re.compile(r"^http://127\.0\.0\.1:\d+/i/([0-9a-z]{13})$")


def test_the_short_link_is_copied_in_one_click_and_opens_the_invitation(
    page: Page, web: WebSystem
) -> None:
    dentist = web.new_dentist("Copy Link Dental")
    visit = web.visit(dentist, new_wallet())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web.url)
    sign_in(page, web, TestWallet(dentist, web.rpc_url), "/practice/visits")
    row = page.locator(f"#invitations-table tr[data-visit='{visit['visitId']}']")
    expect(row).to_be_visible(timeout=20_000)
    link = row.locator("a.short-link").inner_text()
    assert SHORT.match(link), link
    row.get_by_role("button", name="Copy").click()
    expect(row.locator(".copied")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    # The short link opens the visit's invitation page.
    page.goto(link)
    page.wait_for_url(f"{web.url}/invite/{visit['visitId']}")
