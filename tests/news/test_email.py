"""The email channel: each event reaches the practice's address through a real SMTP
server; a mail server that is down loses nothing."""

from __future__ import annotations

from tests.api.system import System
from tests.news.support import Clock, deliverer, log_of, post_review, practice_with
from tests.support.smtp import SmtpServer


def test_a_new_review_is_emailed_to_the_practice(
    news_system: System, smtp_server: SmtpServer
) -> None:
    system = news_system
    practice = practice_with(system, email="front-desk@harbour.example")
    review = post_review(system, practice.dentist, rating=5)

    assert deliverer(system, Clock()).deliver_due().delivered == 1

    [message] = smtp_server.messages
    assert message["To"] == "front-desk@harbour.example"
    assert message["Subject"] == f"A new review was published (review {review['id']})"
    text = message.get_content()
    assert "Harbour Dental" in text and "Rating: 5 of 5" in text
    assert f"/verify/{review['id']}" in text
    assert review["patient"].address[2:].lower() not in text.lower()
    [entry] = log_of(practice)
    assert entry["channel"] == "email" and entry["status"] == "delivered"


def test_mail_server_down_then_back_delivers_later(
    news_system: System, smtp_server: SmtpServer
) -> None:
    system = news_system
    practice = practice_with(system, email="front-desk@harbour.example")
    post_review(system, practice.dentist)
    clock = Clock()
    smtp_server.stop()
    assert deliverer(system, clock).deliver_due().retried == 1
    assert log_of(practice)[0]["lastStatus"] == "MAIL_UNAVAILABLE"

    smtp_server.start()
    clock.advance(60)
    assert deliverer(system, clock).deliver_due().delivered == 1
    assert len(smtp_server.messages) == 1
