"""The practice's News card in a real browser against `dentareview serve`: the dentist
sets a webhook, copies the secret shown once, and the service's own delivery loop sends
each new review to a real receiver; a failed delivery shows in the log in plain words
and is delivered once the receiver recovers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.system import new_wallet
from tests.news.receiver import WebhookReceiver
from tests.web.browser import DESKTOP, PHONE, SCREENSHOTS, TestWallet, require_chromium, shoot
from tests.web.conftest import WebSystem, web_system


@pytest.fixture(scope="module")
def news_web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    require_chromium()
    with web_system(
        tmp_path_factory.mktemp("news"),
        DENTAREVIEW_WEBHOOK_ALLOW_PRIVATE="true",  # the receiver listens on 127.0.0.1
        DENTAREVIEW_NEWS_INTERVAL_SECONDS="0.2",
        DENTAREVIEW_NEWS_RETRY_BASE_SECONDS="2",
        DENTAREVIEW_WEBHOOK_TIMEOUT_SECONDS="2",
    ) as system:
        yield system


def eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.1)


def test_the_practice_sets_a_webhook_and_reads_the_delivery_log(
    browser: Browser, news_web: WebSystem, receiver: WebhookReceiver
) -> None:
    dentist = news_web.new_dentist("Harbour Dental")
    context = browser.new_context(viewport=DESKTOP)
    page: Page = context.new_page()
    TestWallet(dentist, news_web.rpc_url).attach(page)
    page.goto(f"{news_web.url}/practice")
    page.get_by_role("button", name="Sign in with wallet").click()
    card = page.locator("#news-card")
    expect(card.get_by_text("Nothing sent yet")).to_be_visible(timeout=20_000)

    page.get_by_label("Webhook address (https)").fill(receiver.url)
    card.get_by_role("button", name="Save").click()
    secret_box = page.locator("#news-secret")
    expect(secret_box).to_contain_text("it is not shown again")
    receiver.secret = secret_box.locator("code").inner_text()
    assert receiver.secret.startswith("whsec_")

    # The service's own loop delivers: nothing here calls the deliverer.
    patient = new_wallet()
    first = news_web.review(patient, news_web.visit(dentist, patient), rating=5)
    eventually(lambda: len(receiver.delivered()) == 1)
    receiver.mode = "fail"
    patient = new_wallet()
    second = news_web.review(patient, news_web.visit(dentist, patient), rating=2)
    eventually(lambda: any(r.answered == 500 for r in receiver.all()))

    page.reload()
    log = page.locator("#news-log li")
    expect(log).to_have_count(2, timeout=20_000)
    expect(log.nth(0)).to_contain_text(f"review {second}")
    expect(log.nth(0)).to_contain_text("Not delivered yet (last answer: HTTP 500)")
    expect(log.nth(1)).to_contain_text(f"review {first}")
    expect(log.nth(1)).to_contain_text("Delivered")
    expect(log.nth(1)).to_contain_text("after 1 attempt")
    expect(page.locator("#news-secret")).to_have_count(0)  # shown once only
    shoot(page, "practice-news")  # the whole page, after checking it fits 360 px
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):  # the card alone
        page.set_viewport_size(size)
        card.screenshot(path=str(SCREENSHOTS / f"practice-news-card-{label}.png"))
    page.set_viewport_size(DESKTOP)

    receiver.mode = "ok"
    eventually(lambda: len(receiver.delivered()) == 2)
    later = receiver.all()[1:]  # every attempt at the second review
    assert len(later) >= 2 and len({r.webhook_id for r in later}) == 1  # one webhook-id
    page.reload()
    expect(page.locator("#news-log li").nth(0)).to_contain_text("Delivered", timeout=20_000)
    context.close()
