"""Invitations by email against a real SMTP server (aiosmtpd): one invitation, one
reminder, unsubscribing, retries, the address erased, short links, no review gating."""

from __future__ import annotations

import inspect
import time
from dataclasses import fields
from email.message import EmailMessage
from typing import Any

from eth_account.signers.local import LocalAccount
from sqlalchemy import select, text
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.models import Base, InvitationEmailRow, InvitationRow
from dentareview.mail.invitation_message import InvitationMail, build_message
from dentareview.services.invitation_mail import (
    DeliveryReport,
    deliver_invitations,
    queue_invitation_email,
)
from tests.api.system import DAY, System, new_wallet
from tests.support.siwe import wallet_client
from tests.support.smtp import SmtpServer
from tests.support.wallet import sign_typed

PATIENT_EMAIL = "Patient.One@Example.org"


def post_visit_with_email(
    system: System, dentist: LocalAccount, email: str | None, **extra: Any
) -> tuple[dict[str, Any], Any]:
    message = system.visit_message(dentist, new_wallet())
    signature = sign_typed(dentist, system.eip712(), "Visit", message)
    body: dict[str, Any] = {"message": message, "signature": signature, **extra}
    if email is not None:
        body["email"] = email
    return message, system.client.post("/v1/visits", json=body)


def invited(system: System, dentist: LocalAccount, email: str = PATIENT_EMAIL) -> dict[str, Any]:
    message, response = post_visit_with_email(system, dentist, email)
    assert response.status_code == 201, response.text
    return {**message, **response.json()}


def deliver(system: System, smtp: SmtpServer, now: int, **extra: Any) -> DeliveryReport:
    settings = system.settings.model_copy(update={**smtp.settings_overrides(), **extra})
    return deliver_invitations(system.sessions, settings, now=now)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def invitation_row(system: System, visit_id: str) -> InvitationRow:
    with system.sessions() as session:
        row = session.get(InvitationRow, visit_id)
        assert row is not None
        session.expunge(row)
        return row


def database_text(system: System) -> str:
    """Every row of every table, as text: where an address would show if it were kept."""
    with system.sessions() as session:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        )


def test_an_attested_visit_with_an_email_gets_one_invitation(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist("Dr Smile")
    visit = invited(system, dentist)
    assert visit["emailQueued"] is True
    code = visit["invitationPath"].removeprefix("/i/")
    assert 12 <= len(code) <= 14 and code.isalnum()
    now = int(time.time())

    report = deliver(system, smtp_server, now)
    assert report.sent == ["invitation"]
    [message] = smtp_server.wait_for(1)
    sender = message["From"].addresses[0]
    assert sender.display_name == "Dr Smile via DentaReview"
    assert sender.addr_spec == "reviews@dentareview.test"
    assert smtp_server.envelopes[0][1] == ["Patient.One@example.org"]
    link = f"{system.settings.public_url}/i/{code}"
    assert link in text_of(message)
    html = message.get_body(preferencelist=("html",))
    assert html is not None and link in str(html.get_content())
    [qr] = [part for part in message.walk() if part.get_content_type() == "image/png"]
    png = qr.get_content()
    assert isinstance(png, bytes) and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert f"cid:{str(qr['Content-ID']).strip().strip('<>')}" in str(html.get_content())
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{system.settings.public_url}/u/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text_of(message)

    # Recorded: what was sent and when, with its Message-ID.
    with system.sessions() as session:
        [sent] = session.scalars(select(InvitationEmailRow)).all()
        assert (sent.visit_id, sent.kind, sent.sent_at) == (visit["visitId"], "invitation", now)
        assert sent.message_id == message["Message-ID"]
    assert invitation_row(system, visit["visitId"]).invited_at == now
    assert deliver(system, smtp_server, now + 60).sent == []
    assert len(smtp_server.messages) == 1

    # The practice sees it on its list (never the address).
    practice = wallet_client(system.client, dentist)
    listed = practice.get("/v1/practice/invitations")
    assert listed.status_code == 200, listed.text
    [row] = listed.json()
    assert row["invitationPath"] == visit["invitationPath"]
    assert (row["invitedAt"], row["remindedAt"], row["reviewed"]) == (now, None, False)
    assert "example.org" not in listed.text.lower()
    assert system.client.get("/v1/practice/invitations").status_code == 401


def test_one_reminder_after_the_set_days_and_then_the_address_is_gone(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist()
    visit = invited(system, dentist)
    now = int(time.time())
    assert deliver(system, smtp_server, now, invitation_reminder_days=2).sent == ["invitation"]
    assert deliver(system, smtp_server, now + 2 * DAY - 1, invitation_reminder_days=2).sent == []
    report = deliver(system, smtp_server, now + 2 * DAY, invitation_reminder_days=2)
    assert report.sent == ["reminder"]
    first, reminder = smtp_server.wait_for(2)
    assert reminder["Subject"].startswith("A reminder:")
    assert reminder["List-Unsubscribe"] == first["List-Unsubscribe"]
    row = invitation_row(system, visit["visitId"])
    assert row.reminded_at == now + 2 * DAY
    assert row.email is None
    # Never more than one reminder, however long it waits.
    for later in (3 * DAY, 10 * DAY, 100 * DAY):
        assert deliver(system, smtp_server, now + later, invitation_reminder_days=2).sent == []
    assert len(smtp_server.messages) == 2
    assert "example.org" not in database_text(system).lower()


def test_no_reminder_after_a_review_and_the_address_is_erased(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist()
    patient = new_wallet()
    message = system.visit_message(dentist, patient)
    signature = sign_typed(dentist, system.eip712(), "Visit", message)
    response = system.client.post(
        "/v1/visits", json={"message": message, "signature": signature, "email": PATIENT_EMAIL}
    )
    assert response.status_code == 201, response.text
    now = int(time.time())
    assert deliver(system, smtp_server, now).sent == ["invitation"]
    reviewed = system.post_review(patient, system.review_message(message))
    assert reviewed.status_code == 202, reviewed.text

    report = deliver(system, smtp_server, now + 1)
    assert report.erased == 1
    assert invitation_row(system, message["visitId"]).email is None
    assert deliver(system, smtp_server, now + 30 * DAY).sent == []
    assert len(smtp_server.messages) == 1
    assert "example.org" not in database_text(system).lower()


def test_unsubscribe_is_honoured_at_once_for_the_visit_and_the_practice(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist, other_practice = system.new_dentist(), system.new_dentist("Other Dental")
    visit = invited(system, dentist)
    now = int(time.time())
    deliver(system, smtp_server, now)
    [message] = smtp_server.wait_for(1)
    url = message["List-Unsubscribe"][1:-1]
    path = url.removeprefix(system.settings.public_url)

    # Opening the link shows a button; it unsubscribes nobody by itself.
    page = system.client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert invitation_row(system, visit["visitId"]).unsubscribed_at is None
    # A mail client's RFC 8058 one-click POST.
    done = system.client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200, done.text
    row = invitation_row(system, visit["visitId"])
    assert row.unsubscribed_at is not None and row.email is None
    assert deliver(system, smtp_server, now + 10 * DAY).sent == []

    # The same address at the same practice is not invited again; at another, it is.
    again = invited(system, dentist, PATIENT_EMAIL.upper())
    assert again["emailQueued"] is False
    elsewhere = invited(system, other_practice)
    assert elsewhere["emailQueued"] is True
    assert deliver(system, smtp_server, now + 10 * DAY).sent == ["invitation"]
    assert len(smtp_server.messages) == 2
    assert smtp_server.messages[1]["From"].addresses[0].display_name.startswith("Other Dental")

    unknown = system.client.post("/u/not-a-token")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "INVITATION_NOT_FOUND"


def test_smtp_down_then_up_delivers_once_and_loses_nothing(
    system: System, smtp_server: SmtpServer
) -> None:
    dentist = system.new_dentist()
    visits = [invited(system, dentist, f"patient{i}@example.org") for i in range(3)]
    smtp_server.stop()
    now = int(time.time())
    report = deliver(system, smtp_server, now)
    assert (report.sent, report.failed) == ([], 3)
    assert deliver(system, smtp_server, now + 1).failed == 0  # backing off, not hammering
    for visit in visits:
        row = invitation_row(system, visit["visitId"])
        assert row.email is not None and row.invited_at is None and row.attempts == 1

    smtp_server.start()
    assert deliver(system, smtp_server, now + 120).sent == ["invitation"] * 3
    received = smtp_server.wait_for(3)
    assert sorted(rcpt for _, [rcpt] in smtp_server.envelopes) == [
        f"patient{i}@example.org" for i in range(3)
    ]
    assert deliver(system, smtp_server, now + 240).sent == []
    assert len(received) == len(smtp_server.messages) == 3


def test_without_smtp_the_address_is_erased_when_the_review_window_closes(
    system: System,
) -> None:
    dentist = system.new_dentist()
    visit = invited(system, dentist)
    settings = system.settings  # no SMTP host: email is off
    now = int(time.time())
    assert deliver_invitations(system.sessions, settings, now=now).sent == []
    assert invitation_row(system, visit["visitId"]).email is not None
    closes = visit["visitedAt"] + settings.review_window_days * DAY
    assert deliver_invitations(system.sessions, settings, now=closes).erased == 1
    assert "example.org" not in database_text(system).lower()


def test_a_bad_email_is_refused_and_nothing_is_recorded(system: System) -> None:
    dentist = system.new_dentist()
    for bad in ("not-an-address", "a@b", "two@@example.org", "x" * 400 + "@example.org"):
        message, response = post_visit_with_email(system, dentist, bad)
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] in ("INVALID_EMAIL", "VALIDATION_ERROR")
        assert error["field"] == "email" or error["code"] == "VALIDATION_ERROR"
        assert bad not in response.text
        assert system.client.get(f"/v1/visits/{message['visitId']}/invitation").status_code == 404
    _, response = post_visit_with_email(system, dentist, "not-an-address")
    assert response.json()["error"] == {
        "code": "INVALID_EMAIL",
        "message": "The email address is not a valid address (name@domain); `field` names it.",
        "field": "email",
    }


def test_short_links_redirect_and_old_links_keep_working(system: System) -> None:
    dentist = system.new_dentist()
    visit = system.attested_visit(dentist, new_wallet())  # no email: a link all the same
    with system.sessions() as session:
        row = session.get(InvitationRow, visit["visitId"])
        assert row is not None
        code = row.code
    opened = system.client.get(f"/i/{code}", follow_redirects=False)
    assert opened.status_code == 302
    assert opened.headers["location"] == f"/invite/{visit['visitId']}"
    assert system.client.get(f"/I/{code}").status_code == 404  # only the /i/ route
    old = system.client.get(f"/invite/{visit['visitId']}")
    assert old.status_code == 200 and "text/html" in old.headers["content-type"]
    public = system.client.get(f"/v1/visits/{visit['visitId']}/invitation")
    assert public.status_code == 200
    unknown = system.client.get("/i/0000000000000", follow_redirects=False)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "INVITATION_NOT_FOUND"


def test_every_visit_gets_the_same_email_whatever_the_practice_expects(
    system: System, smtp_server: SmtpServer
) -> None:
    """No review gating: nothing in the queue or the template takes a rating or a
    sentiment, and every invitation of a practice reads the same but for its links (and
    its language, the patient's own)."""
    assert set(inspect.signature(queue_invitation_email).parameters) == {
        "session",
        "visit_id",
        "email",
        "now",
        "language",
    }
    assert {f.name for f in fields(InvitationMail)} == {
        "kind",
        "to",
        "practice_name",
        "link",
        "unsubscribe_url",
        "language",
    }
    assert set(inspect.signature(build_message).parameters) == {"mail", "mail_from"}
    dentist = system.new_dentist("Same Words Dental")
    visits = [invited(system, dentist, f"p{i}@example.org") for i in range(3)]
    deliver(system, smtp_server, int(time.time()))
    bodies = set()
    for message in smtp_server.wait_for(3):
        body = text_of(message)
        unsubscribe = message["List-Unsubscribe"][1:-1]
        body = body.replace(unsubscribe, "<unsubscribe>")
        for visit in visits:
            body = body.replace(visit["invitationPath"], "/i/<code>")
        bodies.add((message["Subject"], body))
    assert len(bodies) == 1


def test_the_service_sends_invitations_by_itself(
    system: System, smtp_server: SmtpServer, w3: Web3
) -> None:
    """The one start command sends them: the app's background loop, not a separate job."""
    settings = Settings(
        **{
            **system.settings.model_dump(),
            **smtp_server.settings_overrides(),
            "anchor_interval_seconds": 0.2,
        }
    )
    app = create_app(settings, w3=w3, run_anchor_worker=True)
    from fastapi.testclient import TestClient

    dentist = system.new_dentist("Loop Dental")
    with TestClient(app) as client:
        message = system.visit_message(dentist, new_wallet())
        signature = sign_typed(dentist, system.eip712(), "Visit", message)
        body = {"message": message, "signature": signature, "email": "loop@example.org"}
        assert client.post("/v1/visits", json=body).status_code == 201
        [received] = smtp_server.wait_for(1, timeout=20)
    assert received["From"].addresses[0].display_name == "Loop Dental via DentaReview"


def test_queue_invitation_email_only_writes_rows(system: System, smtp_server: SmtpServer) -> None:
    """An import queues inside its transaction: a rollback leaves no trace, nothing sent."""
    dentist = system.new_dentist()
    visit = system.attested_visit(dentist, new_wallet())
    with system.sessions() as session:
        queue_invitation_email(
            session, visit_id=visit["visitId"], email="rollback@example.org", now=1
        )
        session.rollback()
    assert invitation_row(system, visit["visitId"]).email is None
    with system.sessions() as session:
        queue_invitation_email(session, visit_id=visit["visitId"], email="twice@example.org", now=1)
        queue_invitation_email(session, visit_id=visit["visitId"], email="twice@example.org", now=1)
        session.commit()
        assert session.execute(text("SELECT count(*) FROM invitation_emails")).scalar() == 0
    assert smtp_server.messages == []
    assert deliver(system, smtp_server, int(time.time())).sent == ["invitation"]
