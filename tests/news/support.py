"""Helpers of the news tests: a practice with a webhook, a review posted, a clock."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from dentareview.news.worker import NewsDeliverer
from tests.api.system import System, new_wallet
from tests.news.receiver import WebhookReceiver
from tests.support.siwe import wallet_client


class Clock:
    """The deliverer's clock, moved forward by the test."""

    def __init__(self) -> None:
        self.now = int(time.time())

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += seconds


@dataclass
class Practice:
    dentist: LocalAccount
    client: TestClient
    secret: str | None


def practice_with(
    system: System, *, webhook: WebhookReceiver | None = None, email: str | None = None
) -> Practice:
    dentist = system.new_dentist("Harbour Dental")
    client = wallet_client(system.client, dentist)
    body = {"webhookUrl": webhook.url if webhook else None, "email": email}
    response = client.put("/v1/practice/news", json=body)
    assert response.status_code == 200, response.text
    secret = response.json()["secret"]
    if webhook is not None:
        assert secret is not None and secret.startswith("whsec_")
        webhook.secret = secret
    return Practice(dentist, client, secret)


def post_review(system: System, dentist: LocalAccount, rating: int = 4) -> dict[str, Any]:
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit, rating=rating))
    assert response.status_code == 202, response.text
    body = response.json()
    return {"id": body["id"], "digest": body["digest"], "patient": patient, "visit": visit}


def deliverer(system: System, clock: Clock) -> NewsDeliverer:
    return NewsDeliverer(system.settings, system.sessions, clock=clock)


def log_of(practice: Practice) -> list[dict[str, Any]]:
    response = practice.client.get("/v1/practice/news/deliveries")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["deliveries"]
    return entries
