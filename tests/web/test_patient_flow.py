"""The patient's path in a real browser: invitation link, wallet, form, signature,
anchoring and reward; and what the page says when something is wrong."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.api.system import REVIEW_TEXT, new_wallet
from tests.web.browser import TestWallet, shoot
from tests.web.conftest import WebSystem

RATINGS = {"rating": 4, "treatment": 5, "bedside": 4, "waitTime": 3}
TEXT = (
    "The hygienist was gentle and explained every step before starting. The dentist showed "
    "me the X-rays and the waiting room was calm."
)


def open_invitation(page: Page, web: WebSystem, wallet: TestWallet, visit_id: str) -> None:
    wallet.attach(page)
    page.goto(f"{web.url}/invite/{visit_id}")
    expect(page.locator("main[data-ready=true]")).to_be_attached()


def connect(page: Page) -> None:
    page.get_by_role("button", name="Connect wallet").click()


def fill_form(page: Page, text: str = TEXT) -> None:
    for name, value in RATINGS.items():
        page.locator(f"label:has(input[name={name}][value='{value}'])").click()
    page.get_by_label("Your review").fill(text)


def test_patient_reviews_through_invitation_link(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Riverside Family Dental")
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Review your visit to Riverside Family Dental"
    )
    # The reward is shown before anything else, and that it does not depend on the rating.
    expect(page.locator("#reward-note")).to_contain_text("You receive 10 DRT")
    expect(page.locator("#reward-note")).to_contain_text("same amount whatever rating")
    shoot(page, "invite-connect")
    expect(page.locator("#visit-date")).to_have_text("")  # the link alone shows no visit date

    connect(page)
    expect(page.get_by_text(f"Connected as {wallet.account.address}")).to_be_visible()
    # Signed in with the patient's wallet, the page reads the visit and shows its date.
    assert "personal_sign" in wallet.methods()
    expect(page.locator("#visit-date")).to_contain_text("Visit on")
    assert ("wallet_switchEthereumChain", [{"chainId": hex(web.stack.manifest.chain_id)}]) in (
        wallet.calls
    )
    # Live counters follow the policy served by GET /v1/chain.
    page.get_by_label("Your review").fill("Too short.")
    expect(page.locator("#counters")).to_contain_text("10 of at least 50 characters")
    expect(page.locator("#counters")).to_contain_text("2 of at least 10 words")
    fill_form(page)
    expect(page.locator("#counters")).to_contain_text(f"{len(TEXT)} of at least 50 characters")
    shoot(page, "invite-form")

    page.get_by_role("button", name="Sign and publish my review").click()
    status = page.locator("#status")
    expect(status).to_contain_text("anchored in block", timeout=30_000)
    expect(status.locator("#tx")).to_have_text(re.compile(r"^0x[0-9a-f]{64}$"))
    expect(page.locator("#balance")).to_have_text("10 DRT", timeout=15_000)
    assert "eth_signTypedData_v4" in wallet.methods()

    page.get_by_role("button", name="Add DRT to my wallet").click()
    expect(page.get_by_text("DRT is now shown in your wallet")).to_be_visible()
    watch = [params for method, params in wallet.calls if method == "wallet_watchAsset"]
    assert watch == [
        {
            "type": "ERC20",
            "options": {
                "address": web.stack.manifest.token.address,
                "symbol": "DRT",
                "decimals": 18,
            },
        }
    ]
    shoot(page, "invite-done")

    # The stored review is exactly what the wallet signed.
    href = page.get_by_role("link", name="Verify your review in your browser").get_attribute("href")
    assert href is not None
    stored = web.wait_anchored(int(href.rsplit("/", 1)[-1]))
    assert stored["text"] == TEXT
    assert [stored[k] for k in RATINGS] == list(RATINGS.values())
    assert (
        web.stack.gateway.deployment().token.functions.balanceOf(wallet.account.address).call()
        == 10 * 10**18
    )


def test_review_form_works_with_the_keyboard_alone(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Keyboard Dental")
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    page.get_by_role("button", name="Connect wallet").focus()
    page.keyboard.press("Enter")
    # Every rating is a labelled radio group: "1 star" … "5 stars" in each of the four.
    expect(page.get_by_role("radio", name="5 stars")).to_have_count(4)
    expect(page.get_by_role("group", name="Waiting time")).to_be_visible()
    page.get_by_role("radio", name="1 star").first.focus()
    for name, value in RATINGS.items():
        page.keyboard.press("Space")  # choose 1, then arrows move the choice
        for _ in range(value - 1):
            page.keyboard.press("ArrowRight")
        expect(page.locator(f"input[name={name}]:checked")).to_have_value(str(value))
        page.keyboard.press("Tab")  # on to the next group (or the text)
    expect(page.get_by_label("Your review")).to_be_focused()
    page.keyboard.type(TEXT)
    page.keyboard.press("Tab")  # into the optional 0-10 question, left unanswered
    expect(page.get_by_role("radio", name="0", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Sign and publish my review")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("anchored in block", timeout=30_000)


def test_wrong_wallet_is_explained(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Harbour Dental")
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    stranger = TestWallet.random(web.rpc_url)
    open_invitation(page, web, stranger, visit["visitId"])
    connect(page)
    notice = page.get_by_role("alert")
    expect(notice).to_contain_text("This wallet is not the one this visit was recorded for")
    expect(notice).to_contain_text(stranger.account.address)
    # The visit's patient is named to no other wallet (a review publishes its visitId).
    expect(notice).not_to_contain_text(patient.address)
    expect(page.get_by_label("Your review")).to_have_count(0)
    assert "eth_signTypedData_v4" not in stranger.methods()
    shoot(page, "invite-wrong-wallet")


def test_second_review_of_a_visit_is_refused(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Second Opinion Dental")
    wallet = TestWallet.random(web.rpc_url)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    fill_form(page)
    # Meanwhile the same visit is reviewed from elsewhere (another tab, another device).
    web.review(wallet.account, visit, text=REVIEW_TEXT)
    page.get_by_role("button", name="Sign and publish my review").click()
    refusal = page.locator("#result [role=alert]")
    expect(refusal).to_have_text(
        "This visit already has a review. Each visit can be reviewed once."
    )
    expect(refusal.locator("[data-code]")).to_have_attribute("data-code", "DUPLICATE_REVIEW")
    shoot(page, "invite-duplicate", phone=False)

    # Opening the link again says so before anything is signed.
    page.reload()
    expect(page.get_by_role("status")).to_contain_text("This visit already has a review")
    expect(page.get_by_role("button", name="Connect wallet")).to_have_count(0)


def test_several_wallets_are_offered_by_name(page: Page, web: WebSystem) -> None:
    """EIP-6963: every announced wallet gets its own button; window.ethereum is not used."""
    dentist = web.new_dentist("Two Wallets Dental")
    other = TestWallet.random(web.rpc_url, name="Other Wallet", injected=False)
    mine = TestWallet.random(web.rpc_url, name="Patient Wallet", injected=False)
    visit = web.visit(dentist, mine.account)
    other.attach(page)
    open_invitation(page, web, mine, visit["visitId"])
    expect(page.get_by_role("button", name="Connect Other Wallet")).to_be_visible()
    page.get_by_role("button", name="Connect Patient Wallet").click()
    expect(page.get_by_text(f"Connected as {mine.account.address}")).to_be_visible()
    assert other.calls == []


def test_injected_wallet_without_eip6963(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Legacy Wallet Dental")
    wallet = TestWallet.random(web.rpc_url, eip6963=False)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    expect(page.get_by_text(f"Connected as {wallet.account.address}")).to_be_visible()


def test_no_wallet_is_explained(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("No Wallet Dental")
    visit = web.visit(dentist, new_wallet())
    page.goto(f"{web.url}/invite/{visit['visitId']}")
    expect(page.get_by_role("status").filter(has_text="No browser wallet")).to_contain_text(
        "Install a wallet such as MetaMask"
    )


def test_wallet_without_our_chain_adds_it(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("New Chain Dental")
    wallet = TestWallet.random(web.rpc_url, known_chains={1})
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    expect(page.get_by_text(f"Connected as {wallet.account.address}")).to_be_visible()
    added = [params for method, params in wallet.calls if method == "wallet_addEthereumChain"]
    assert len(added) == 1
    assert added[0][0]["chainId"] == hex(web.stack.manifest.chain_id)
    assert added[0][0]["rpcUrls"] == [web.rpc_url]  # GET /v1/chain's public rpcUrl


def test_declined_signature_is_explained(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Second Thoughts Dental")
    wallet = TestWallet.random(web.rpc_url, refuse_signing=True)
    visit = web.visit(dentist, wallet.account)
    open_invitation(page, web, wallet, visit["visitId"])
    connect(page)
    fill_form(page)
    page.get_by_role("button", name="Sign and publish my review").click()
    expect(page.locator("#result [role=alert]")).to_have_text(
        "You declined the request in your wallet. Nothing was sent; try again when you are ready."
    )
    expect(page.get_by_role("button", name="Sign and publish my review")).to_be_enabled()
    body = web.api_get(f"/v1/visits/{visit['visitId']}/invitation")
    assert body["review"] is None


def test_unknown_invitation_link(page: Page, web: WebSystem) -> None:
    page.goto(f"{web.url}/invite/0x" + "ab" * 32)
    expect(page.get_by_role("alert")).to_have_text(
        "This invitation link does not match any visit. "
        "Check the link, or ask the practice for a new one."
    )
