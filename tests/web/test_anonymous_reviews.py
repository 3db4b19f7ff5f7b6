"""An anonymous review in a real browser, end to end: a practice whose group has its
minimum size, the patient's device joining it from the invitation, "Post anonymously",
the Semaphore proof made in the page's worker with the service's own proving files, the
review anchored by AnonymousReviews with the reward at a fresh address only the patient's
device can derive, the profile's "Verified patient, anonymous" and the verification page's
verdict."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils.crypto import keccak
from playwright.sync_api import Browser, Page, expect

from tests.api.system import new_wallet
from tests.contracts.semaphore import commitments
from tests.reliability.service import Service, deployed_stack, running
from tests.support.anvil import AnvilNode
from tests.support.wallet import sign_typed
from tests.web.browser import PHONE, TestWallet, require_chromium, shoot
from tests.web.conftest import WebSystem, web_system
from tests.web.test_passkeys import (
    LocalhostWeb,
    Phone,
    attest_from_checkins,
    check_in,
    no_hex,
    practice_code,
)
from tests.web.test_patient_flow import TEXT, connect, fill_form, open_invitation

# What the wallet signs to open the patient's anonymous identity (web/src/anonymous/typed.ts).
IDENTITY_TEXT = (
    "DentaReview anonymous identity\n\nSign this only on the DentaReview site. "
    "It lets you review anonymously; it does not move any funds."
)
MIN_GROUP_SIZE = 10  # AnonymousReviews' default


# Group roots committed every second; an anonymous review published at once, alone.
FAST = {
    "DENTAREVIEW_GROUP_ROOT_INTERVAL": "1",
    "DENTAREVIEW_ANONYMOUS_MIN_DELAY": "0",
    "DENTAREVIEW_ANONYMOUS_BATCH_SIZE": "1",
}


@pytest.fixture(scope="module")
def anon_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    require_chromium()
    with web_system(tmp_path_factory.mktemp("anonymous"), **FAST) as system:
        yield system


@pytest.fixture(scope="module")
def passkey_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalhostWeb]:
    """The same at http://localhost:<port>, where WebAuthn works."""
    require_chromium()
    data_dir = tmp_path_factory.mktemp("anonymous-passkeys")
    chain = AnvilNode()
    chain.start()
    try:
        with deployed_stack(chain, data_dir, f"sqlite:///{data_dir / 'dentareview.db'}") as stack:
            service = Service(stack.env(**FAST), log_path=data_dir / "service.log")
            service.env["DENTAREVIEW_PUBLIC_URL"] = f"http://localhost:{service.port}"
            with running(service):
                yield LocalhostWeb(stack, service)
    finally:
        chain.stop()


class PrfPhone(Phone):
    """A phone whose platform authenticator has PRF (hmac-secret)."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        options = {
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
            "hasPrf": True,
        }
        answer = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        self.authenticator = answer["authenticatorId"]


def fill_group(web: WebSystem, dentist: Any) -> None:
    """Other patients of the practice, one fewer than the group's minimum size."""
    secrets = [f"another patient {i}" for i in range(MIN_GROUP_SIZE - 1)]
    commitments(secrets)  # one Node run for all
    for secret in secrets:
        join_by_api(web, dentist, secret)


def join_by_api(web: WebSystem, dentist: Any, secret: str) -> None:
    """Another patient of the practice: an attested visit and a signed membership."""
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    eip712 = httpx.get(f"{web.url}/v1/eip712", timeout=10).json()
    message = {"visitId": visit["visitId"], "commitment": str(commitments([secret])[0])}
    signature = sign_typed(patient, eip712, "GroupMembership", message)
    response = httpx.post(
        f"{web.url}/v1/visits/{visit['visitId']}/membership",
        json={"message": message, "signature": signature},
        timeout=10,
    )
    assert response.status_code == 201, response.text


def group(web: WebSystem, dentist: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{web.url}/v1/dentists/{dentist}/group", timeout=10).json()
    return body


def wait_for(page: Page, check: Any, timeout: float, what: str) -> Any:
    """Polls `check`; the page keeps running meanwhile (its wallet answers from this thread)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        page.wait_for_timeout(500)
    raise AssertionError(f"{what} within {timeout} s")


def identity_secret(wallet: TestWallet) -> bytes:
    """The wallet's signature of the fixed text: the identity's secret (deterministic)."""
    signed = wallet.account.sign_message(encode_defunct(text=IDENTITY_TEXT))
    return bytes(signed.signature)


def reward_address(secret: bytes, period: int) -> str:
    """keccak256("DentaReview reward" ‖ secret ‖ uint256 period) as a private key."""
    key = keccak(b"DentaReview reward" + secret + period.to_bytes(32, "big"))
    return str(Account.from_key(key).address)


def test_patient_posts_anonymously_and_anyone_verifies(page: Page, anon_web: WebSystem) -> None:
    web = anon_web
    dentist = web.new_dentist("Quiet Harbour Dental")
    fill_group(web, dentist)
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    secret = identity_secret(wallet)
    commitment = str(commitments(["0x" + secret.hex()])[0])

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))  # the worker's too
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    # Signed in, the page joins the practice's group quietly: the identity's commitment,
    # signed as the visit's patient.
    wait_for(
        page,
        lambda: commitment in group(web, dentist.address)["members"],
        60,
        "the patient's commitment was not committed in the practice's group",
    )
    assert group(web, dentist.address)["open"] is True
    signed = [p for m, p in wallet.calls if m == "eth_signTypedData_v4"]
    assert any('"GroupMembership"' in p[1] for p in signed)
    choice = page.get_by_label("Post anonymously")
    expect(choice).to_be_visible(timeout=30_000)
    expect(page.locator("#anonymous-help")).to_contain_text(
        "not shown to anyone, the practice included"
    )
    fill_form(page)
    choice.check()
    expect(page.locator("#recommend")).to_be_hidden()
    shoot(page, "invite-anonymous-choice")

    page.get_by_role("button", name="Make the proof and post anonymously").click()
    expect(page.locator("#proving")).to_contain_text("Making your anonymous proof")
    received = page.locator("#anonymous-received")
    expect(received).to_have_text(
        "Received: it will be published within a day, with other reviews, "
        "so its time does not point to you.",
        timeout=120_000,
    )
    period = int(group(web, dentist.address)["period"])
    expected_reward = reward_address(secret, period)
    expect(page.locator("#reward-address")).to_have_text(expected_reward)
    # The proving files came from our own origin, of the group's depth only (10 members: 4),
    # and nothing was fetched from anywhere else (no download of Semaphore's files).
    zk = sorted(url.removeprefix(web.url) for url in requests if "/zk/" in url)
    assert zk == ["/zk/semaphore-4.wasm", "/zk/semaphore-4.zkey"], zk
    assert all(url.startswith((web.url, web.rpc_url, "data:", "blob:")) for url in requests), (
        requests
    )
    # No Review was signed: the anonymous review carries a proof, not the patient's signature.
    assert not any(
        '"primaryType": "Review"' in p[1] or '"primaryType":"Review"' in p[1]
        for m, p in wallet.calls
        if m == "eth_signTypedData_v4"
    )

    listed = wait_for(
        page,
        lambda: [
            r
            for r in httpx.get(
                f"{web.url}/v1/dentists/{dentist.address}/anonymous-reviews", timeout=10
            ).json()["items"]
            if r["status"] == "anchored"
        ],
        90,
        "the anonymous review was not anchored",
    )
    review = listed[0]
    assert review["text"] == TEXT
    assert review["rewardTo"] == expected_reward
    assert "visitId" not in review and "patient" not in review
    # The reward landed at the fresh address, read from the chain.
    deployment = web.stack.gateway.deployment()
    balance = deployment.token.functions.balanceOf(expected_reward).call()
    assert balance == deployment.registry.reward_amount() > 0
    # The patient's device shows that balance on My reviews, read from the chain by the
    # browser (the service cannot tell whose address it is).
    page.goto(f"{web.url}/me")
    expect(
        page.locator(f"#anonymous-rewards li[data-address='{expected_reward}']")
    ).to_contain_text("10 DRT")

    page.goto(f"{web.url}/dentists/{dentist.address}")
    anonymous = page.locator(f"[data-anonymous-id='{review['id']}']")
    expect(anonymous).to_contain_text("✓ Verified patient, anonymous")
    expect(anonymous).to_contain_text(TEXT)
    shoot(page, "profile-anonymous")
    anonymous.get_by_role("link", name="Verify").click()
    page.wait_for_url(re.compile(rf"/verify/anonymous/{review['id']}$"))
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass", timeout=60_000)
    expect(verdict).to_contain_text("Verified: written by a patient of this practice")
    for name in ("digest", "proof", "contract", "root", "anchor"):
        expect(page.locator(f"li[data-check={name}]")).to_have_attribute("data-verdict", "pass")
    shoot(page, "verify-anonymous")
    # The check fetched no proving or verification file: the keys are in the package.
    assert not [url for url in requests if "/zk/" in url and url.endswith(".json")]

    # Words changed on their way from the service: the digest no longer matches, nor does
    # the proof, which binds the digest; the page says so.
    def tampered(route: Any) -> None:
        body = route.fetch().json()
        route.fulfill(json={**body, "text": body["text"].replace("gentle", "rough"), "rating": 1})

    page.route(f"**/v1/anonymous-reviews/{review['id']}", tampered)
    page.reload()
    expect(verdict).to_have_attribute("data-verdict", "fail", timeout=60_000)
    expect(verdict).to_contain_text("Not verified")
    for name in ("digest", "proof", "anchor"):
        expect(page.locator(f"li[data-check={name}]")).to_have_attribute("data-verdict", "fail")
    expect(page.locator("li[data-check=contract]")).to_have_attribute("data-verdict", "pass")


def test_a_passkey_with_prf_posts_anonymously(browser: Browser, passkey_web: LocalhostWeb) -> None:
    """No wallet: the passkey made at check-in opens the anonymous identity (PRF) and signs
    the membership as the visit's account (not deployed: ERC-6492)."""
    web = passkey_web
    dentist = web.new_dentist("Lantern Dental")
    fill_group(web, dentist)
    phone = PrfPhone(browser)
    try:
        code, account = check_in(phone, web, practice_code(web, dentist))
        invite = attest_from_checkins(browser, web, dentist, code, account)
        page = phone.page
        phone.open(invite)
        page.get_by_role("button", name="Use my passkey").click()
        expect(page.get_by_text("Signed in with your passkey.")).to_be_visible(timeout=20_000)
        choice = page.get_by_label("Post anonymously")
        expect(choice).to_be_visible(timeout=60_000)
        fill_form(page)
        choice.check()
        page.get_by_role("button", name="Make the proof and post anonymously").click()
        expect(page.locator("#anonymous-received")).to_contain_text("Received", timeout=120_000)
        no_hex(page)  # the reward address is under Details
        reward = page.locator("#reward-address").text_content() or ""
        listed = wait_for(
            page,
            lambda: [
                r
                for r in httpx.get(
                    f"{web.url}/v1/dentists/{dentist.address}/anonymous-reviews", timeout=10
                ).json()["items"]
                if r["status"] == "anchored"
            ],
            90,
            "the anonymous review was not anchored",
        )
        assert listed[0]["rewardTo"] == reward != account
        token = web.stack.gateway.deployment().token.functions
        assert token.balanceOf(reward).call() == 10 * 10**18
        assert token.balanceOf(account).call() == 0  # nothing points from the account to it
    finally:
        phone.close()
