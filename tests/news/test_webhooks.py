"""Webhooks: each event reaches a real receiver signed per Standard Webhooks; a receiver
that fails or hangs loses nothing (retried with the same webhook-id); private targets
are refused unless a setting allows them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from web3 import Web3

from dentareview.db.models import PracticeNewsSettingsRow
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.news.receiver import WebhookReceiver, body_of
from tests.news.support import Clock, deliverer, log_of, post_review, practice_with
from tests.support.anvil import AnvilNode
from tests.support.siwe import wallet_client


def test_a_new_review_reaches_the_webhook_signed_with_public_facts_only(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    review = post_review(system, practice.dentist, rating=2)
    clock = Clock()

    report = deliverer(system, clock).deliver_due()

    assert report.delivered == 1, report
    [got] = receiver.delivered()
    assert got.payload is not None
    assert got.payload["type"] == "review.published"
    data = got.payload["data"]
    assert data["reviewId"] == review["id"] and data["rating"] == 2
    assert data["practice"] == practice.dentist.address
    assert data["links"]["verify"].endswith(f"/verify/{review['id']}")
    raw = got.body.decode().lower()
    assert review["patient"].address.lower()[2:] not in raw  # no wallet
    assert str(review["visit"]["visitedAt"]) not in raw  # no visit time
    assert got.webhook_id.startswith("msg_")
    [entry] = log_of(practice)
    assert entry["event"] == "review.published" and entry["channel"] == "webhook"
    assert entry["status"] == "delivered" and entry["attempts"] == 1
    assert entry["lastStatus"] == "delivered" and entry["deliveredAt"] == clock.now
    assert entry["nextAttemptAt"] is None
    assert deliverer(system, clock).deliver_due().outcomes == []  # sent once


def test_a_receiver_answering_500_gets_it_later_with_the_same_id(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    post_review(system, practice.dentist)
    clock = Clock()
    receiver.mode = "fail"

    assert deliverer(system, clock).deliver_due().retried == 1
    [entry] = log_of(practice)
    assert entry["status"] == "pending" and entry["lastStatus"] == "HTTP 500"
    assert entry["attempts"] == 1 and entry["nextAttemptAt"] == clock.now + 60
    assert deliverer(system, clock).deliver_due().outcomes == []  # not due yet

    clock.advance(60)
    assert deliverer(system, clock).deliver_due().retried == 1  # still failing: 120 s
    assert log_of(practice)[0]["nextAttemptAt"] == clock.now + 120
    receiver.mode = "ok"
    clock.advance(120)
    assert deliverer(system, clock).deliver_due().delivered == 1

    attempts = receiver.all()
    assert [a.answered for a in attempts] == [500, 500, 200]
    assert len({a.webhook_id for a in attempts}) == 1  # receivers dedupe on it
    assert all(a.verified for a in attempts)
    [entry] = log_of(practice)
    assert entry["status"] == "delivered" and entry["attempts"] == 3


def test_a_receiver_that_hangs_is_cut_off_and_retried(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    post_review(system, practice.dentist)
    clock = Clock()
    receiver.mode = "hang"  # answers after 3 s; the timeout is 1 s

    started = time.monotonic()
    assert deliverer(system, clock).deliver_due().retried == 1
    assert time.monotonic() - started < 3  # did not wait for the answer
    assert log_of(practice)[0]["lastStatus"] == "timeout"

    receiver.mode = "ok"
    clock.advance(60)
    assert deliverer(system, clock).deliver_due().delivered == 1
    assert len(receiver.delivered()) == 1


def test_a_delivery_is_given_up_after_the_last_attempt(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    post_review(system, practice.dentist)
    clock = Clock()
    receiver.mode = "fail"
    outcomes = []
    for _ in range(6):
        outcomes += [o for _, o in deliverer(system, clock).deliver_due().outcomes]
        clock.advance(3600)
    assert outcomes == ["retry", "retry", "retry", "failed"]  # NEWS_MAX_ATTEMPTS=4
    [entry] = log_of(practice)
    assert entry["status"] == "failed" and entry["attempts"] == 4


def test_a_rotated_secret_signs_what_is_sent_next(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    rotated = practice.client.post("/v1/practice/news/secret")
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != practice.secret
    shown = practice.client.get("/v1/practice/news").json()
    assert shown == {
        "webhookUrl": receiver.url,
        "email": None,
        "hasSecret": True,
        "secret": None,  # never shown again
    }
    post_review(system, practice.dentist)
    deliverer(system, Clock()).deliver_due()
    assert receiver.all()[0].verified is False  # the receiver still has the old secret
    receiver.secret = new_secret
    clock = Clock()
    clock.advance(60)
    assert deliverer(system, clock).deliver_due().delivered == 1
    assert body_of(receiver.delivered()[0])["type"] == "review.published"


def test_removing_the_webhook_drops_what_waits(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    post_review(system, practice.dentist)
    cleared = practice.client.put("/v1/practice/news", json={"webhookUrl": None})
    assert cleared.status_code == 200 and cleared.json()["webhookUrl"] is None
    assert deliverer(system, Clock()).deliver_due().dropped == 1
    assert receiver.all() == []
    assert log_of(practice)[0]["status"] == "dropped"


def test_only_a_signed_in_dentist_sets_news(news_system: System) -> None:
    system = news_system
    assert system.client.get("/v1/practice/news").json()["error"]["code"] == "NOT_SIGNED_IN"
    stranger = wallet_client(system.client, new_wallet())
    for response in (
        stranger.get("/v1/practice/news"),
        stranger.put("/v1/practice/news", json={"email": "a@b.example"}),
        stranger.get("/v1/practice/news/deliveries"),
        stranger.post("/v1/practice/news/secret"),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "NOT_A_DENTIST"
    practice = practice_with(system)
    bad = practice.client.put("/v1/practice/news", json={"email": "not an address"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "email"


@pytest.fixture
def strict_system(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str
) -> Iterator[System]:
    """Default settings: https only, public addresses only."""
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost:8443/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[fd00::1]/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",  # public, but not https
        "ftp://93.184.215.14/hook",
        "https:///hook",
        "https://user:pass@93.184.215.14/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_private_or_plain_http_targets_are_refused_by_default(
    strict_system: System, url: str
) -> None:
    practice = practice_with(strict_system)
    response = practice.client.put("/v1/practice/news", json={"webhookUrl": url})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "WEBHOOK_URL_REFUSED" and error["field"] == "webhookUrl"
    assert practice.client.get("/v1/practice/news").json()["webhookUrl"] is None


def test_a_public_https_target_is_accepted(strict_system: System) -> None:
    practice = practice_with(strict_system)
    response = practice.client.put(
        "/v1/practice/news", json={"webhookUrl": "https://93.184.215.14/hooks"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["secret"].startswith("whsec_")


def test_a_redirect_is_not_followed(news_system: System, receiver: WebhookReceiver) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    post_review(system, practice.dentist)
    receiver.mode = "redirect"  # 307 to another URL
    assert deliverer(system, Clock()).deliver_due().retried == 1
    assert log_of(practice)[0]["lastStatus"] == "HTTP 307"
    assert len(receiver.all()) == 1  # the Location was not requested


def test_the_target_is_checked_again_before_each_attempt(
    strict_system: System, receiver: WebhookReceiver
) -> None:
    """A URL stored while allowed (or a name since pointed inward) is not called."""
    system = strict_system
    practice = practice_with(system)
    with system.sessions() as session:  # as if the host now resolved to 127.0.0.1
        session.execute(
            update(PracticeNewsSettingsRow)
            .where(PracticeNewsSettingsRow.dentist == practice.dentist.address)
            .values(
                webhook_url=receiver.url.replace("http:", "https:"),
                webhook_secret="whsec_" + "A" * 44,
            )
        )
        session.commit()
    post_review(system, practice.dentist)
    assert deliverer(system, Clock()).deliver_due().retried == 1
    assert log_of(practice)[0]["lastStatus"] == "refused: not a public address"
    assert receiver.all() == []


def test_two_senders_never_send_the_same_delivery_twice(
    news_system: System, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    for _ in range(8):
        post_review(system, practice.dentist)
    clock = Clock()
    before = delivered_metric()
    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(lambda _: deliverer(system, clock).deliver_due(), range(2)))

    assert sum(r.delivered for r in reports) == 8
    ids = [r.webhook_id for r in receiver.all()]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert delivered_metric() - before == 8
    assert practice.secret is not None and practice.secret not in caplog.text


def delivered_metric() -> float:
    value = REGISTRY.get_sample_value(
        "dentareview_news_deliveries_total", {"channel": "webhook", "outcome": "delivered"}
    )
    return value or 0.0
