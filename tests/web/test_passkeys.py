"""A patient with no wallet, on a phone (390 px), in Debian's Chromium with its virtual
WebAuthn authenticator (user verification on) and no injected wallet: check-in with a new
passkey, the practice attests the visit for that account from its check-in list, the
review signed with the passkey and anchored, the reward, the patient's own page (sign out
and in again with the passkey), and the refusals: a cancelled prompt, someone else's
passkey on an invitation."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from tests.api.system import new_wallet
from tests.reliability.service import Service, deployed_stack, running
from tests.support.anvil import AnvilNode
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, TestWallet, require_chromium, shoot
from tests.web.conftest import WebSystem

TEXT = (
    "Checked in with my phone, no app needed. The dentist explained the crown options "
    "clearly and the whole visit was calm and on time."
)
EDITED = (
    "Edited a week later: the crown feels natural and the follow-up call was kind. "
    "Still calm, clear and on time."
)
RATINGS = {"rating": 5, "treatment": 5, "bedside": 4, "waitTime": 4}
CANCELLED = "You cancelled the passkey prompt. Nothing was saved. Tap the button to try again."


class LocalhostWeb(WebSystem):
    """Pages at http://localhost:<port>: WebAuthn takes no IP address as relying party."""

    @property
    def page_url(self) -> str:
        return f"http://localhost:{self.service.port}"


@contextmanager
def localhost_system(data_dir: Path) -> Iterator[LocalhostWeb]:
    chain = AnvilNode()
    chain.start()
    try:
        with deployed_stack(chain, data_dir, f"sqlite:///{data_dir / 'dentareview.db'}") as stack:
            service = Service(stack.env(), log_path=data_dir / "service.log")
            service.env["DENTAREVIEW_PUBLIC_URL"] = f"http://localhost:{service.port}"
            with running(service):
                yield LocalhostWeb(stack, service)
    finally:
        chain.stop()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalhostWeb]:
    require_chromium()
    with localhost_system(tmp_path_factory.mktemp("passkeys")) as system:
        yield system


class Phone:
    """A browser context at 390 px with a platform authenticator of its own."""

    def __init__(self, browser: Browser) -> None:
        self.context: BrowserContext = browser.new_context(viewport=PHONE)
        self.page: Page = self.context.new_page()
        self.cdp: CDPSession = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        options = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        answer = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        self.authenticator: str = answer["authenticatorId"]

    def user_verifies(self, verified: bool) -> None:
        """False: the face, fingerprint or screen lock fails, as when the prompt is cancelled."""
        self.cdp.send(
            "WebAuthn.setUserVerified",
            {"authenticatorId": self.authenticator, "isUserVerified": verified},
        )

    def credentials(self) -> list[dict[str, Any]]:
        answer = self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})
        found: list[dict[str, Any]] = answer["credentials"]
        return found

    def open(self, url: str) -> None:
        self.page.goto(url)
        expect(self.page.locator("main[data-ready=true]")).to_be_attached()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Phone]:
    device = Phone(browser)
    yield device
    device.close()


def practice_code(web: LocalhostWeb, dentist: Any) -> str:
    code: str = web.api_get("/v1/practice/checkins", wallet=dentist)["code"]
    return code


def check_in(
    phone: Phone, web: LocalhostWeb, code: str, *, screenshots: bool = False
) -> tuple[str, str]:
    """(check-in code, account) after making a passkey at the practice's link."""
    phone.open(f"{web.page_url}/checkin/{code}")
    if screenshots:
        shoot(phone.page, "passkey-checkin")
    phone.page.get_by_role("button", name="Create my passkey").click()
    shown = phone.page.locator("#checkin-code")
    expect(shown).to_have_text(re.compile(r"^[A-Z0-9]{3}-[A-Z0-9]{3}$"), timeout=20_000)
    expect(phone.page.get_by_text("Show this code at reception:")).to_be_visible()
    account = phone.page.locator("#account").text_content() or ""
    assert re.fullmatch(r"0x[0-9a-fA-F]{40}", account)
    if screenshots:
        shoot(phone.page, "passkey-checked-in")
    return shown.inner_text(), account


def attest_from_checkins(
    browser: Browser,
    web: LocalhostWeb,
    dentist: Any,
    code: str,
    account: str,
    *,
    screenshots: bool = False,
) -> str:
    """Reception picks the patient's code in the check-in list and attests the visit with
    the practice's wallet; the invitation link."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        TestWallet(dentist, web.rpc_url).attach(page)
        page.goto(f"{web.page_url}/practice/visits")
        expect(page.locator("main[data-ready=true]")).to_be_attached()
        page.get_by_role("button", name="Sign in with wallet").click()
        row = page.locator("#checkin-list tr", has=page.locator(f"td[data-code='{code}']"))
        expect(row).to_have_count(1, timeout=20_000)
        if screenshots:
            shoot(page, "passkey-practice-checkins", phone=False)
        row.get_by_role("button", name="Use").click()
        expect(page.get_by_label("Patient's wallet address")).to_have_value(account)
        page.get_by_role("button", name="Sign and record the visit").click()
        expect(page.locator("#summary")).to_contain_text("1 visit recorded", timeout=20_000)
        link = page.locator(".sheet .sheet-link a").first.get_attribute("href")
        assert link is not None and "/invite/0x" in link
        return link
    finally:
        context.close()


def fill_form(page: Page) -> None:
    for name, value in RATINGS.items():
        page.locator(f"label:has(input[name={name}][value='{value}'])").click()
    page.get_by_label("Your review").fill(TEXT)


def no_hex(page: Page) -> None:
    """The passkey path names no chain, gas or hex outside "Details"."""
    text = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelectorAll('details').forEach((d) => d.remove()); return m.innerText; }"
    )
    assert not re.search(r"0x[0-9a-fA-F]{6}", text), text
    assert not re.search(r"\b(gas|chain \d+|block \d+)\b", text, re.IGNORECASE), text


def test_a_patient_without_a_wallet_checks_in_reviews_and_signs_in(
    browser: Browser, phone: Phone, web: LocalhostWeb
) -> None:
    dentist = web.new_dentist("Harbour Dental")
    code, account = check_in(phone, web, practice_code(web, dentist), screenshots=True)
    assert len(phone.credentials()) == 1
    invite = attest_from_checkins(browser, web, dentist, code, account, screenshots=True)

    # The invitation, on the phone that checked in: from opening it to "anchored".
    page = phone.page
    started = time.monotonic()
    phone.open(invite)  # the practice's page made it on our origin
    page.get_by_role("button", name="Use my passkey").click()
    expect(page.get_by_text("Signed in with your passkey.")).to_be_visible(timeout=20_000)
    expect(page.locator("#visit-date")).to_contain_text("Visit on")
    fill_form(page)
    no_hex(page)
    shoot(page, "passkey-review-form")
    page.get_by_role("button", name="Sign and publish my review").click()
    status = page.locator("#status")
    expect(status).to_contain_text("✓ anchored", timeout=60_000)
    seconds = time.monotonic() - started
    no_hex(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "passkey-invite-to-anchored.json").write_text(
        json.dumps({"seconds": round(seconds, 2), "measured_at": int(time.time())})
    )
    web.mine(70)  # final, then the reward is read
    expect(page.locator("#balance")).to_have_text("10 DRT reward", timeout=30_000)
    shoot(page, "passkey-anchored")

    # The review is the account's, and the account was never deployed.
    href = page.get_by_role("link", name="Verify your review in your browser").get_attribute("href")
    assert href is not None
    stored = web.wait_anchored(int(href.rsplit("/", 1)[-1]))
    assert stored["text"] == TEXT
    assert web.stack.gateway.deployment().token.functions.balanceOf(account).call() == 10 * 10**18
    assert web.stack.gateway.w3.eth.get_code(account) == b""

    # Own page: signed in already; sign out, then in again with the passkey alone.
    phone.open(f"{web.page_url}/me")
    expect(page.locator("#passkey-balance")).to_have_text("10 DRT reward")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with my passkey")).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Sign in with my passkey").click()
    expect(page.locator("#signed-in-as")).to_have_text(account, timeout=20_000)
    expect(page.locator("#my-reviews")).to_contain_text("Checked in with my phone")
    shoot(page, "passkey-me")

    # Edit with the passkey: the registry's check (ERC-6492, still not deployed) accepts it.
    card = page.locator(f"article[data-review-id='{stored['id']}']")
    card.get_by_role("button", name="Edit").click()
    card.get_by_role("form", name="Edit your review").locator("textarea").fill(EDITED)
    card.get_by_role("button", name="Sign and save my edit").click()
    expect(card.locator("[data-state=edited]")).to_contain_text("edited by its author")
    assert web.api_get(f"/v1/reviews/{stored['id']}")["text"] == EDITED

    # Send the reward anywhere: the passkey signs the account's Transfer; the service relays
    # it (deploying the account in the same transaction), the patient pays nothing.
    recipient = new_wallet().address
    page.get_by_label("Send all of it to this account address").fill(recipient)
    page.get_by_role("button", name="Send my reward").click()
    expect(page.locator("#reward-sent")).to_be_visible(timeout=90_000)
    expect(page.locator("#passkey-balance")).to_have_text("0 DRT reward")
    no_hex(page)
    shoot(page, "passkey-reward-sent")
    token = web.stack.gateway.deployment().token.functions
    assert token.balanceOf(recipient).call() == 10 * 10**18
    assert token.balanceOf(account).call() == 0
    assert web.stack.gateway.w3.eth.get_code(account) != b""  # deployed by its first transfer


def test_a_cancelled_prompt_is_said_plainly_and_stores_nothing(
    phone: Phone, web: LocalhostWeb
) -> None:
    dentist = web.new_dentist("Quiet Street Dental")
    code = practice_code(web, dentist)
    phone.open(f"{web.page_url}/checkin/{code}")
    phone.user_verifies(False)
    phone.page.get_by_role("button", name="Create my passkey").click()
    expect(phone.page.get_by_role("alert")).to_have_text(CANCELLED, timeout=20_000)
    assert web.api_get("/v1/practice/checkins", wallet=dentist)["checkins"] == []
    shoot(phone.page, "passkey-cancelled")

    phone.user_verifies(True)
    phone.page.get_by_role("button", name="Create my passkey").click()
    expect(phone.page.locator("#checkin-code")).to_be_visible(timeout=20_000)
    assert len(web.api_get("/v1/practice/checkins", wallet=dentist)["checkins"]) == 1


def test_someone_elses_passkey_is_refused_on_an_invitation(
    browser: Browser, phone: Phone, web: LocalhostWeb
) -> None:
    dentist = web.new_dentist("Two Phones Dental")
    code = practice_code(web, dentist)
    patient_code, account = check_in(phone, web, code)
    invite = attest_from_checkins(browser, web, dentist, patient_code, account)
    path = invite[invite.index("/invite/") :]

    other = Phone(browser)
    try:
        check_in(other, web, code)  # a passkey of their own, for another account
        other.open(f"{web.page_url}{path}")
        other.page.get_by_role("button", name="Use my passkey").click()
        refusal = other.page.get_by_role("alert")
        expect(refusal).to_contain_text(
            "This passkey is not the one this visit was recorded for.", timeout=20_000
        )
        expect(other.page.get_by_role("button", name="Sign and publish my review")).to_have_count(0)
        shoot(other.page, "passkey-refused")
    finally:
        other.close()


def test_a_synced_passkey_signs_in_on_a_new_phone(
    browser: Browser, phone: Phone, web: LocalhostWeb
) -> None:
    """A new phone holds the same passkey (as iCloud Keychain or Google Password Manager
    syncs it) but nothing of this site: a discoverable prompt finds the passkey, the
    service names its account, and the patient is signed in to their page."""
    dentist = web.new_dentist("Synced Dental")
    _, account = check_in(phone, web, practice_code(web, dentist))
    [credential] = phone.credentials()

    new_phone = Phone(browser)
    try:
        new_phone.cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": new_phone.authenticator, "credential": credential},
        )
        new_phone.open(f"{web.page_url}/me")
        new_phone.page.get_by_role("button", name="Sign in with my passkey").click()
        expect(new_phone.page.locator("#signed-in-as")).to_have_text(account, timeout=20_000)
        expect(new_phone.page.locator("#passkey")).to_contain_text("Your passkey account")
    finally:
        new_phone.close()
