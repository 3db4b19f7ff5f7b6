"""Flags and the operator's pages in a real browser: anyone reports a review, an operator
keeps one and removes another (the public profile after each, and the audit's count), a
non-operator is refused, a dentist is registered and deactivated through the admin
wallet (a wallet without the admin role is told so before any transaction), and queue
health shows the figures of the data and the chain behind it."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hexbytes import HexBytes
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dentareview.chain.registry import OnChainDentistStatus
from dentareview.db.models import ReviewRow
from dentareview.db.queries.anchoring import relay_queue
from tests.api.system import new_wallet
from tests.reliability.service import DENTAREVIEW
from tests.support.anonymous_rows import anchored_anonymous
from tests.web.browser import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    TestWallet,
    require_chromium,
    shoot,
)
from tests.web.conftest import WebSystem, web_system

OPERATOR = new_wallet()  # an operator that also holds the registry's admin role
NOT_ADMIN = new_wallet()  # an operator without the admin role
FUNDS = hex(10**20)


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    require_chromium()
    operators = f"{OPERATOR.address},{NOT_ADMIN.address}"
    with web_system(
        tmp_path_factory.mktemp("ops"), DENTAREVIEW_OPERATOR_ADDRESSES=operators
    ) as system:
        deployment = system.stack.gateway.deployment()
        grant = deployment.registry.contract.functions.grantRole(bytes(32), OPERATOR.address)
        assert deployment.sender.transact(grant)["status"] == 1
        for wallet in (OPERATOR, NOT_ADMIN):
            system.rpc("anvil_setBalance", [wallet.address, FUNDS])
        yield system


def operator_page(browser: Browser, ops: WebSystem, wallet: TestWallet) -> Page:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    wallet.attach(page)
    page.goto(f"{ops.url}/operator")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Operator", timeout=20_000)
    expect(page.locator("#queue .figures")).to_be_visible(timeout=20_000)
    return page


def review_of(page: Page, review_id: int) -> Any:
    return page.locator(f"#reviews article[data-review-id='{review_id}']")


def test_flag_keep_and_remove_with_the_public_view_after_each(
    page: Page, browser: Browser, ops: WebSystem
) -> None:
    dentist = ops.new_dentist("Harbour Dental")
    texts = [
        "The hygienist was careful and explained every step of the cleaning to me clearly.",
        "Call 555-0100 for cheap whitening at my cousin's clinic, much better than this one!",
    ]
    ids = []
    for text in texts:
        patient = new_wallet()
        ids.append(ops.review(patient, ops.visit(dentist, patient), text=text))
    kept_id, removed_id = ids
    for review_id in (kept_id, removed_id):
        ops.wait_anchored(review_id)
    profile = f"{ops.url}/dentists/{dentist.address}"

    # Anyone reports (no wallet here); a report without a reason is refused in words.
    page.goto(profile)
    item = review_of(page, kept_id)
    item.get_by_text("Report", exact=True).click()
    item.get_by_role("button", name="Send report").click()
    expect(item.get_by_role("alert")).to_have_text("Choose a reason first, then send the report.")
    item.get_by_label("Advertising").check()
    item.get_by_role("button", name="Send report").click()
    expect(item.get_by_role("status")).to_contain_text("The review stays online")
    item = review_of(page, removed_id)
    item.get_by_text("Report", exact=True).click()
    item.get_by_label("Personal information").check()
    shoot(page, "profile-report")
    item.get_by_role("button", name="Send report").click()
    expect(item.get_by_role("status")).to_contain_text("Thank you: your report")
    page.reload()
    for review_id in (kept_id, removed_id):  # flagged reviews stay online, under review
        expect(review_of(page, review_id).locator(".badge.moderation")).to_have_text("under review")
    expect(review_of(page, removed_id)).to_contain_text("555-0100")
    shoot(page, "profile-under-review")

    operator = operator_page(browser, ops, TestWallet(OPERATOR, ops.rpc_url))
    kept = operator.locator(f"article.flagged[data-review-id='{kept_id}']")
    removed = operator.locator(f"article.flagged[data-review-id='{removed_id}']")
    expect(kept).to_contain_text("Reported 1 time")
    expect(kept).to_contain_text("advertising")
    expect(removed).to_contain_text("personal information")
    shoot(operator, "operator-flags")

    kept.get_by_label("Reason").select_option("no_violation")
    kept.get_by_role("button", name="Record decision").click()
    expect(kept.get_by_role("status")).to_contain_text("Kept (no violation found)")
    removed.get_by_text("Remove it").click()
    expect(removed.get_by_label("Reason")).to_have_value("personal_information")
    note = removed.get_by_label("Note (optional, shown publicly with the decision)")
    note.fill("x" * 501)  # the page lets it through; the service refuses it in words
    removed.get_by_role("button", name="Record decision").click()
    expect(removed.get_by_role("alert")).to_contain_text("at most 500 characters")
    note.fill("Names a phone number to advertise another clinic.")
    removed.get_by_role("button", name="Record decision").click()
    expect(removed.get_by_role("status")).to_contain_text("Removed (personal information)")
    expect(operator.locator("#flag-count")).to_have_text(
        "No open flags left: every report has a decision."
    )
    operator.context.close()

    page.goto(profile)
    expect(review_of(page, kept_id).locator(".badge.moderation")).to_have_count(0)
    expect(review_of(page, kept_id)).to_contain_text("Reported, and kept by moderation on")
    expect(review_of(page, kept_id)).to_contain_text("no violation found")
    expect(review_of(page, removed_id)).to_contain_text(
        "Removed by moderation: personal information."
    )
    expect(review_of(page, removed_id)).not_to_contain_text("555-0100")
    expect(review_of(page, removed_id).get_by_text("Report", exact=True)).to_have_count(0)
    shoot(page, "profile-after-moderation")

    # The audit counts the removal as a recorded operator decision, not a discrepancy.
    audit = subprocess.run(
        [DENTAREVIEW, "audit"], env=ops.stack.env(), capture_output=True, text=True, timeout=120
    )
    assert "REMOVED_BY_MODERATION 1" in audit.stdout, audit.stdout + audit.stderr

    # Its public proof withholds the text (its hash stands in) and still verifies here.
    page.goto(f"{ops.url}/verify/{removed_id}")
    digest = page.locator("[data-check='digest']")
    expect(digest).to_have_attribute("data-verdict", "pass", timeout=20_000)
    expect(digest).to_contain_text("the text itself is withheld")
    expect(page.locator("#verdict")).not_to_have_attribute("data-verdict", "fail")
    expect(page.locator("main")).not_to_contain_text("555-0100")


def test_sign_in_is_refused_for_a_wallet_that_is_not_an_operator(
    page: Page, ops: WebSystem
) -> None:
    wallet = TestWallet.random(ops.rpc_url)
    wallet.attach(page)
    page.goto(f"{ops.url}/operator")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This wallet is not one of this service's operators. Switch your wallet to an "
        "operator's account and sign in again."
    )
    expect(page.locator("#flags, #queue, #dentists")).to_have_count(0)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for path in ("/v1/operator/queue", "/v1/moderation/flags"):
        answer = httpx.get(f"{ops.url}{path}", cookies=cookies)
        assert (answer.status_code, answer.json()["error"]["code"]) == (403, "NOT_AN_OPERATOR")
    shoot(page, "operator-refused")


def chain_status(ops: WebSystem, address: str) -> OnChainDentistStatus:
    return ops.stack.gateway.deployment().registry.dentist_status(address)


def test_register_and_deactivate_a_dentist_through_the_admin_wallet(
    browser: Browser, ops: WebSystem
) -> None:
    dentist = new_wallet()

    # An operator whose wallet lacks the admin role is told so; nothing is sent.
    stranger = TestWallet(NOT_ADMIN, ops.rpc_url)
    page = operator_page(browser, ops, stranger)
    page.get_by_label("Dentist's wallet address").fill(dentist.address.lower())
    page.get_by_label("Practice or dentist name").fill("Lighthouse Dental")
    page.get_by_role("button", name="Register with the admin wallet").click()
    expect(page.locator("#register-status")).to_contain_text(
        "does not hold the registry's admin role", timeout=20_000
    )
    assert "eth_sendTransaction" not in stranger.methods()
    assert chain_status(ops, dentist.address) is OnChainDentistStatus.UNREGISTERED
    page.context.close()

    admin = TestWallet(OPERATOR, ops.rpc_url)
    page = operator_page(browser, ops, admin)
    page.get_by_label("Dentist's wallet address").fill("0x1234")
    page.get_by_role("button", name="Register with the admin wallet").click()
    expect(page.locator("#register-status")).to_contain_text("address is not valid")
    page.get_by_label("Dentist's wallet address").fill(dentist.address.lower())
    page.get_by_label("Practice or dentist name").fill("Lighthouse Dental")
    expect(page.locator("#add-command")).to_have_text(
        f"dentareview dentist add {dentist.address.lower()} --name 'Lighthouse Dental'"
    )
    page.get_by_role("button", name="Register with the admin wallet").click()
    expect(page.locator("#register-status")).to_contain_text(
        f"Lighthouse Dental ({dentist.address}) is registered and active (transaction 0x",
        timeout=30_000,
    )
    assert "eth_sendTransaction" in admin.methods()
    assert chain_status(ops, dentist.address) is OnChainDentistStatus.ACTIVE
    shoot(page, "operator-dentists")

    page.reload()
    row = page.locator(f"li.dentist[data-dentist='{dentist.address}']")
    expect(row.locator("[data-active]")).to_have_text("active", timeout=20_000)
    listed = ops.api_get(f"/v1/dentists?q={dentist.address}")["items"]
    assert [(d["name"], d["active"]) for d in listed] == [("Lighthouse Dental", True)]

    row.get_by_text("Deactivate", exact=True).click()
    expect(row.locator(".cli code", has_text="deactivate")).to_have_text(
        f"dentareview dentist deactivate {dentist.address}"
    )
    row.get_by_role("button", name="Deactivate with the admin wallet").click()
    expect(row.get_by_role("status")).to_contain_text(
        "Lighthouse Dental is deactivated", timeout=30_000
    )
    assert chain_status(ops, dentist.address) is OnChainDentistStatus.INACTIVE
    listed = ops.api_get(f"/v1/dentists?q={dentist.address}")["items"]
    assert [d["active"] for d in listed] == [False]
    page.context.close()


def test_a_rename_is_a_recorded_decision_shown_on_the_page(
    browser: Browser, ops: WebSystem
) -> None:
    seaside = ops.new_dentist("Seaside Dental")
    ops.new_dentist("Lagoon Dental")
    page = operator_page(browser, ops, TestWallet(OPERATOR, ops.rpc_url))
    row = page.locator(f"li.dentist[data-dentist='{seaside.address}']")
    row.get_by_text("Rename", exact=True).click()
    submit = row.get_by_role("button", name="Record the new name")
    row.get_by_label("New name").fill("Seaside Dental Care")
    expect(row.locator("form.rename .cli code")).to_contain_text(
        f"dentareview dentist rename {seaside.address} 'Seaside Dental Care' --reason 'Why'"
    )
    submit.click()  # no reason: refused in words, nothing recorded
    expect(row.get_by_role("alert")).to_have_text(
        "Give the reason for the name change in plain words (at most 500 characters)."
    )
    row.get_by_label("Reason for the change (recorded with your wallet)").fill("New owner.")
    row.get_by_label("New name").fill("Lag00n DentaI")  # another practice's look-alike
    submit.click()
    expect(row.get_by_role("alert")).to_have_text(
        "This name looks like another practice's name. Choose a name patients can tell apart."
    )
    assert ops.api_get("/v1/operator/name-decisions", wallet=OPERATOR) == []

    row.get_by_label("New name").fill("Seaside Dental Care")
    submit.click()
    expect(row.get_by_role("status")).to_contain_text(
        "Renamed from Seaside Dental to Seaside Dental Care"
    )
    (decision,) = ops.api_get("/v1/operator/name-decisions", wallet=OPERATOR)
    assert (decision["decidedBy"], decision["reason"]) == (OPERATOR.address, "New owner.")

    page.reload()
    item = page.locator(f"#name-changes li.name-change[data-decision-id='{decision['id']}']")
    expect(item.locator("[data-old]")).to_have_text("Seaside Dental")
    expect(item.locator("[data-new]")).to_have_text("Seaside Dental Care")
    expect(item.locator("[data-by]")).to_have_text(OPERATOR.address)
    expect(item.locator("[data-why]")).to_have_text("Why: New owner.")
    expect(item.locator("time")).to_have_attribute(
        "datetime",
        datetime.fromtimestamp(decision["decidedAt"], UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
    )
    expect(item).to_contain_text("(operator page)")
    expect(page.locator(f"li.dentist[data-dentist='{seaside.address}'] strong")).to_have_text(
        "Seaside Dental Care"
    )
    shoot(page, "operator-name-changes")
    page.context.close()


def ether(wei: int) -> str:
    """As viem's formatEther writes it."""
    whole, fraction = divmod(wei, 10**18)
    digits = f"{fraction:018d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


def fee_text(wei: int) -> str:
    """As the page rounds it for reading: gwei below 0.001 ETH."""
    if wei < 10**15:
        return f"{round(wei / 10**9, 2):,} gwei".replace(".0 gwei", " gwei")
    return f"{round(wei / 10**18, 6):,} ETH".replace(".0 ETH", " ETH")


def wait_for_attempts(ops: WebSystem, review_id: int, attempts: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with ops.stack.sessions() as session:
            row = session.get(ReviewRow, review_id)
            if row is not None and row.anchor_attempts >= attempts:
                return
        time.sleep(0.2)
    raise AssertionError(f"review {review_id} not tried {attempts} times in {timeout} s")


def test_queue_health_shows_the_figures_of_the_data(browser: Browser, ops: WebSystem) -> None:
    dentist = ops.new_dentist("Queue Dental")
    for _ in range(2):
        patient = new_wallet()
        ops.wait_anchored(ops.review(patient, ops.visit(dentist, patient)))
    # A practice deactivated on-chain behind the service's back: its new review is
    # accepted, the registry refuses to anchor it, and it waits with backoff.
    gone = ops.new_dentist("Gone Dental")
    patient = new_wallet()
    visit = ops.visit(gone, patient)
    deployment = ops.stack.gateway.deployment()
    deployment.sender.transact(deployment.registry.deactivate_dentist(gone.address))
    waiting_id = ops.review(patient, visit)
    wait_for_attempts(ops, waiting_id, 3)  # the next try is 20 s away: the figures hold
    with ops.stack.sessions() as session:
        queue = relay_queue(session, now=int(time.time()))
        rows = session.scalars(select(ReviewRow).where(ReviewRow.status == "anchored")).all()
        hashes = {row.tx_hash for row in rows if row.tx_hash}
        last = max(rows, key=lambda r: r.block_number or 0)
    assert (queue.pending, queue.in_flight, queue.waiting, queue.failed) == (0, 0, 1, 0)
    w3 = ops.stack.w3
    fees = 0
    for tx_hash in hashes:
        receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        fees += int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])

    page = operator_page(browser, ops, TestWallet(OPERATOR, ops.rpc_url))
    values = {
        key: page.locator(f"#queue [data-figure='{key}'] .figure-value").inner_text()
        for key in ("pending", "waiting", "failed", "last-anchor", "fees")
    }
    assert values == {
        "pending": str(queue.pending + queue.in_flight),
        "waiting": str(queue.waiting),
        "failed": str(queue.failed),
        "last-anchor": f"block {last.block_number}",
        "fees": fee_text(fees),
    }
    expect(page.locator("#queue [data-figure='fees']")).to_contain_text(
        f"over {len(hashes)} mined transaction(s)"
    )
    expect(page.locator("#queue")).to_contain_text(
        f"Fees paid, exactly: {fees} wei ({ether(fees)} ETH)."
    )
    expect(page.locator("#queue")).to_contain_text(f"Last anchor transaction {last.tx_hash}")
    shoot(page, "operator-queue")
    page.context.close()


def test_anomaly_signals_mark_a_burst_and_the_operator_decides(
    browser: Browser, ops: WebSystem
) -> None:
    dentist = ops.new_dentist("Burst Dental")
    ids = []
    for _ in range(5):  # five reviews within minutes, every one from a brand-new wallet
        patient = new_wallet()
        ids.append(ops.review(patient, ops.visit(dentist, patient)))
    for review_id in ids:
        ops.wait_anchored(review_id)

    page = operator_page(browser, ops, TestWallet(OPERATOR, ops.rpc_url))
    row = page.locator(f"table.signals tr[data-dentist='{dentist.address}']")
    expect(row.locator("[data-signal='new_wallets']")).to_have_attribute("data-raised", "true")
    expect(row.locator("[data-signal='burst']")).to_have_attribute("data-raised", "true")
    expect(row.locator("[data-signal='rating_shift']")).to_have_attribute("data-raised", "false")
    row.get_by_role("button", name="Mark its 5 review(s) under review").click()
    expect(row.get_by_role("status")).to_contain_text("5 review(s) of Burst Dental marked")
    cards = page.locator("article.flagged").filter(has_text="Burst Dental")
    expect(cards).to_have_count(5)
    first = page.locator(f"article.flagged[data-review-id='{ids[0]}']")
    expect(first).to_contain_text(
        "Marked under review: unusual activity for this practice (anomaly signals). No report."
    )
    expect(first.get_by_label("Reason")).to_have_value("anomaly")
    shoot(page, "operator-signals")
    page.set_viewport_size(PHONE)
    page.locator("#signals").screenshot(
        path=str(SCREENSHOTS / "operator-signals-section-phone.png")
    )
    page.set_viewport_size(DESKTOP)
    first.get_by_role("button", name="Record decision").click()
    expect(first.get_by_role("status")).to_contain_text("Kept (checked after unusual activity)")
    page.context.close()

    states = {
        item["id"]: item["state"]
        for item in ops.api_get(f"/v1/dentists/{dentist.address}/reviews?limit=10")["items"]
    }
    assert states == {ids[0]: "published", **{i: "under_review" for i in ids[1:]}}


def test_an_anonymous_review_is_reported_and_removed_as_a_named_one(
    page: Page, browser: Browser, ops: WebSystem
) -> None:
    dentist = ops.new_dentist("Quayside Dental")
    text = "Ring Dr Jane Roe privately on 555-0199, she told me about another patient's crown."
    review_id = anchored_anonymous(ops.stack.sessions, dentist.address, text=text)
    reputation = f"/v1/dentists/{dentist.address}/reputation"
    assert ops.api_get(reputation)["count"] == 1

    page.goto(f"{ops.url}/dentists/{dentist.address}")
    item = page.locator(f"#anonymous-reviews article[data-anonymous-id='{review_id}']")
    item.get_by_text("Report", exact=True).click()
    item.get_by_label("Personal information").check()
    item.get_by_role("button", name="Send report").click()
    expect(item.get_by_role("status")).to_contain_text("Thank you: your report")
    page.reload()
    expect(item.locator(".badge.moderation")).to_have_text("under review")
    expect(item).to_contain_text("555-0199")  # still online until an operator decides

    operator = operator_page(browser, ops, TestWallet(OPERATOR, ops.rpc_url))
    card = operator.locator(f"article.flagged[data-anonymous-id='{review_id}']")
    expect(card).to_contain_text("The author is anonymous")
    expect(card).to_contain_text("Reported 1 time")
    card.get_by_text("Remove it").click()
    expect(card.get_by_label("Reason")).to_have_value("personal_information")
    card.get_by_role("button", name="Record decision").click()
    expect(card.get_by_role("status")).to_contain_text("Removed (personal information)")
    operator.context.close()

    page.goto(f"{ops.url}/dentists/{dentist.address}")
    expect(item).to_contain_text("Removed by moderation: personal information.")
    expect(item).not_to_contain_text("555-0199")
    expect(item.get_by_text("Report", exact=True)).to_have_count(0)
    assert ops.api_get(reputation)["count"] == 0
