"""The dentist's pages in a real browser: sign-in with the practice's wallet (SIWE),
attesting visits one at a time and from a CSV with invitations that work for their
patients, and a dashboard whose figures are those of the data behind it."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.api.system import System, new_wallet
from tests.support.wallet import sign_typed
from tests.web.browser import DESKTOP, SCREENSHOTS, TestWallet, shoot
from tests.web.conftest import WebSystem

DAY = 86_400
INVITE = re.compile(r"^http://127\.0\.0\.1:\d+/invite/(0x[0-9a-f]{64})$")


def sign_in(page: Page, web: WebSystem, wallet: TestWallet, path: str = "/practice") -> None:
    wallet.attach(page)
    page.goto(f"{web.url}{path}")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    page.get_by_role("button", name="Sign in with wallet").click()


def test_sign_in_is_refused_for_an_unregistered_wallet(page: Page, web: WebSystem) -> None:
    wallet = TestWallet.random(web.rpc_url)
    sign_in(page, web, wallet)
    expect(page.get_by_role("alert")).to_contain_text("This wallet is not registered as a dentist")
    assert "personal_sign" in wallet.methods()  # it did sign in; the practice was refused
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator(".practice-bar")).to_have_count(0)
    # The session exists but the practice API refuses it, with the stable code.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    answer = httpx.get(f"{web.url}/v1/practice", cookies=cookies)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "NOT_A_DENTIST"
    shoot(page, "practice-refused")


def invitation_links(page: Page) -> list[str]:
    return [a.get_attribute("href") or "" for a in page.locator(".sheet .sheet-link a").all()]


def patient_opens(browser: Browser, web: WebSystem, patient: Any, link: str) -> None:
    """The patient flow opens the link: the visit, then the patient's own wallet connects."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        wallet = TestWallet(patient, web.rpc_url)
        wallet.attach(page)
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Review your visit to Harbour Dental"
        )
        page.get_by_role("button", name="Connect wallet").click()
        expect(page.get_by_text(f"Connected as {patient.address}")).to_be_visible()
        expect(page.get_by_role("button", name="Sign and publish my review")).to_be_visible()
    finally:
        context.close()


def test_dentist_attests_one_visit_and_a_csv_of_five(
    page: Page, browser: Browser, web: WebSystem
) -> None:
    dentist = web.new_dentist("Harbour Dental")
    wallet = TestWallet(dentist, web.rpc_url)
    sign_in(page, web, wallet, "/practice/visits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits and invitations")
    expect(page.locator(".practice-bar")).to_contain_text("Harbour Dental")

    # One visit.
    first = new_wallet()
    page.get_by_label("Patient's wallet address").fill(first.address.lower())
    page.get_by_role("button", name="Sign and record the visit").click()
    expect(page.locator("#summary")).to_contain_text("1 visit recorded", timeout=20_000)
    expect(page.locator("#progress-text")).to_have_text("1 of 1 done")
    links = invitation_links(page)
    assert len(links) == 1 and INVITE.match(links[0])
    expect(page.locator(".sheet svg.qr")).to_have_count(1)
    patient_opens(browser, web, first, links[0])

    # A CSV of five, with a header, two time formats; then one bad line said in words.
    patients = [new_wallet() for _ in range(5)]
    now = int(time.time())
    lines = ["patient,visited_at"] + [
        f"{p.address},{now - (i + 1) * 3600}" if i % 2 else f"{p.address},2026-11-0{i + 1}T09:30Z"
        for i, p in enumerate(patients)
    ]
    page.get_by_label("or paste the lines").fill("\n".join(lines + ["0x1234,yesterday"]))
    page.get_by_role("button", name="Sign and record every visit").click()
    expect(page.locator("#progress-text")).to_have_text("6 of 6 done", timeout=30_000)
    expect(page.locator("#summary")).to_contain_text("5 visits recorded, 1 not recorded")
    expect(page.locator("#results-table tr[data-line='7']")).to_contain_text("is not a 0x address")
    signs = [params for method, params in wallet.calls if method == "eth_signTypedData_v4"]
    assert len(signs) == 6  # one signature per visit, none for the bad line
    shoot(page, "practice-visits")

    links = invitation_links(page)
    assert len(links) == 5
    expect(page.locator(".sheet svg.qr")).to_have_count(5)
    by_patient: dict[str, str] = {}
    for link in links:
        found = INVITE.match(link)
        assert found is not None, link
        visit = web.api_get(f"/v1/visits/{found.group(1)}", wallet=dentist)
        assert visit["dentist"] == dentist.address
        by_patient[visit["patient"]] = link
    assert set(by_patient) == {p.address for p in patients}
    # Each link works for its patient: the patient flow opens it and their wallet connects.
    for patient in patients:
        patient_opens(browser, web, patient, by_patient[patient.address])

    # The printable sheet: only the invitations are printed.
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("#batch")).to_be_hidden()
    expect(page.locator(".sheet").first).to_be_visible()
    page.screenshot(path=str(shoot_dir() / "practice-print-sheet.png"), full_page=False)
    page.emulate_media(media="screen")


def shoot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def post_visit(web: WebSystem, dentist: Any, patient: Any, visited_at: int) -> dict[str, Any]:
    message = System.visit_message(dentist, patient, visited_at=visited_at)
    signature = sign_typed(dentist, web.stack.eip712, "Visit", message)
    answer = httpx.post(
        f"{web.url}/v1/visits", json={"message": message, "signature": signature}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return message


def test_dashboard_figures_match_the_data(page: Page, web: WebSystem) -> None:
    dentist = web.new_dentist("Harbour Dental")
    now = int(time.time())
    patients = [new_wallet() for _ in range(5)]
    ratings = [5, 4, 4, 2]
    reviewed: list[tuple[dict[str, Any], int]] = []
    # Patients 0 and 1 came back within 12 months; patient 2 after 13 months.
    post_visit(web, dentist, patients[0], now - 200 * DAY)
    post_visit(web, dentist, patients[1], now - 60 * DAY)
    post_visit(web, dentist, patients[2], now - 400 * DAY)
    for i, patient in enumerate(patients):
        visited_at = now - (i + 1) * DAY
        visit = post_visit(web, dentist, patient, visited_at)
        if i < len(ratings):
            reviewed.append((visit, visited_at))
    ids = [
        web.review(patients[i], visit, rating=ratings[i]) for i, (visit, _) in enumerate(reviewed)
    ]
    submitted = {i: int(time.time()) for i in ids}
    for review_id in ids:
        web.wait_anchored(review_id)

    wallet = TestWallet(dentist, web.rpc_url)
    sign_in(page, web, wallet)
    expect(page.get_by_role("heading", level=1)).to_have_text("Practice dashboard")
    figure = page.locator("[data-figure]")
    expect(figure).to_have_count(7)

    mean = sum(ratings) / len(ratings)
    bayesian = (5 * 3.5 + sum(ratings)) / (5 + len(ratings))
    visits = 8
    expect(page.locator("[data-figure=score] .figure-value")).to_have_text(f"{bayesian:.1f}")
    expect(page.locator("[data-figure=score]")).to_contain_text("4 anchored reviews")
    expect(page.locator("[data-figure=mean] .figure-value")).to_have_text(f"{mean:.1f}")
    expect(page.locator("[data-figure=review-rate] .figure-value")).to_have_text("50%")
    expect(page.locator("[data-figure=review-rate]")).to_contain_text("4 of 8 visits")
    expect(page.locator("[data-figure=retention] .figure-value")).to_have_text("40%")
    expect(page.locator("[data-figure=retention]")).to_contain_text("2 of 5 patients")
    expect(page.locator("[data-figure=reply-rate] .figure-value")).to_have_text("0%")
    expect(page.locator("[data-figure=reply-rate]")).to_contain_text("0 of 4 reviews")
    expect(page.locator("[data-figure=reply-time] .figure-value")).to_have_text("–")
    delays = [submitted[i] - at for i, (_, at) in zip(ids, reviewed, strict=True)]
    median_days = statistics.median(delays) / DAY
    expect(page.locator("[data-figure=median-time] .figure-value")).to_have_text(
        f"{median_days:.1f} days"
    )
    for key, n in (("visits", visits), ("reviews", 4), ("anchored", 4), ("rewarded", 4)):
        expect(page.locator(f"[data-funnel={key}]")).to_have_text(str(n))
    expect(page.locator("#histogram-text")).to_have_text("5★ 1 · 4★ 2 · 3★ 0 · 2★ 1 · 1★ 0")
    month = time.strftime("%Y-%m", time.gmtime())
    row = page.locator("#months-table tbody tr").last
    expect(row.locator("td").first).to_have_text(month)
    expect(row.locator("td").nth(1)).to_have_text("4")
    expect(row.locator("td").nth(6)).to_have_text(f"{bayesian:.2f}")
    for canvas in ("#score-chart", "#sub-chart", "#histogram-chart"):
        expect(page.locator(canvas)).to_be_visible()

    # The CSV export downloads with the session's cookie.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("month,reviews,mean_rating")
    assert "verified_retention,0.4" in text
    assert f"visits_attested,{visits}" in text
    shoot(page, "practice-dashboard")
