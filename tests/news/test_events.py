"""Each event is raised by the real action (a review posted, a flag, a removal by an
operator, the overdue sweep with a clock), recorded with it, and reaches the practice."""

from __future__ import annotations

from tests.api.system import System
from tests.api.test_replies import post_reply, reply_message
from tests.news.conftest import OPERATOR
from tests.news.receiver import WebhookReceiver
from tests.news.support import Clock, deliverer, log_of, post_review, practice_with
from tests.support.siwe import wallet_client

DAY = 86_400


def kinds(receiver: WebhookReceiver) -> list[str]:
    return [r.payload["type"] for r in receiver.delivered() if r.payload is not None]


def test_a_flag_and_a_removal_reach_the_practice(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    review = post_review(system, practice.dentist, rating=1)
    flagged = system.client.post(
        f"/v1/reviews/{review['id']}/flags", json={"reason": "advertising"}
    )
    assert flagged.status_code == 201, flagged.text
    operator = wallet_client(system.client, OPERATOR)
    decided = operator.post(
        f"/v1/moderation/reviews/{review['id']}/decisions",
        json={"action": "remove", "reason": "advertising"},
    )
    assert decided.status_code == 201, decided.text

    assert deliverer(system, Clock()).deliver_due().delivered == 3
    assert kinds(receiver) == ["review.published", "review.flagged", "review.removed"]
    removed = receiver.delivered()[2].payload
    assert removed is not None
    assert (
        removed["data"]["reviewId"] == review["id"] and removed["data"]["reason"] == "advertising"
    )
    assert [e["event"] for e in log_of(practice)] == [
        "review.removed",
        "review.flagged",
        "review.published",
    ]


def test_a_keep_decision_raises_nothing(news_system: System, receiver: WebhookReceiver) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    review = post_review(system, practice.dentist)
    operator = wallet_client(system.client, OPERATOR)
    kept = operator.post(
        f"/v1/moderation/reviews/{review['id']}/decisions",
        json={"action": "keep", "reason": "no_violation"},
    )
    assert kept.status_code == 201, kept.text
    assert [e["event"] for e in log_of(practice)] == ["review.published"]


def test_the_sweep_raises_an_overdue_reply_once_and_not_for_answered_reviews(
    news_system: System, receiver: WebhookReceiver
) -> None:
    system = news_system
    practice = practice_with(system, webhook=receiver)
    waiting = post_review(system, practice.dentist, rating=3)
    answered = post_review(system, practice.dentist)
    replied = post_reply(system, practice.dentist, answered["id"], reply_message(answered))
    assert replied.status_code == 201, replied.text
    clock = Clock()
    news = deliverer(system, clock)

    assert news.sweep() == 0  # not yet 3 days (reply_overdue_days)
    clock.advance(3 * DAY + 60)
    assert news.sweep() == 1
    assert news.sweep() == 0  # raised once
    clock.advance(10 * DAY)
    assert news.sweep() == 0

    news.deliver_due()
    overdue = [r.payload for r in receiver.delivered() if r.payload is not None][-1]
    assert overdue["type"] == "reply.overdue"
    assert overdue["data"]["reviewId"] == waiting["id"]
    assert overdue["data"]["rating"] == 3 and overdue["data"]["waitingDays"] == 3


def test_events_are_recorded_without_any_channel_and_sent_to_none(news_system: System) -> None:
    system = news_system
    practice = practice_with(system)  # neither webhook nor email
    post_review(system, practice.dentist)
    assert log_of(practice) == []  # no channel, no delivery
    assert deliverer(system, Clock()).deliver_due().outcomes == []
