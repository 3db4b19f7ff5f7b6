"""send_message against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from dentareview.errors import MailUnavailable
from dentareview.mail.smtp import mail_enabled, send_message
from tests.support.smtp import SmtpServer


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Dr Smile via DentaReview <reviews@dentareview.test>"
    message["To"] = "patient@example.org"
    message["Subject"] = "Hello"
    message.set_content("Plain words.")
    return message


def test_a_message_reaches_the_server(smtp_server: SmtpServer) -> None:
    send_message(smtp_server.settings(), _message())
    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Hello"
    assert received["From"].addresses[0].display_name == "Dr Smile via DentaReview"
    assert smtp_server.envelopes[0][1] == ["patient@example.org"]


def test_a_server_that_is_down_gives_mail_unavailable(smtp_server: SmtpServer) -> None:
    settings = smtp_server.settings()
    smtp_server.stop()
    with pytest.raises(MailUnavailable) as caught:
        send_message(settings, _message())
    # The error may be logged: it names no recipient.
    assert "patient@example.org" not in str(caught.value)
    assert caught.value.code == "MAIL_UNAVAILABLE"


def test_no_host_means_email_is_off(smtp_server: SmtpServer) -> None:
    settings = smtp_server.settings(smtp_host=None)
    assert not mail_enabled(settings)
    with pytest.raises(MailUnavailable):
        send_message(settings, _message())
    assert smtp_server.messages == []
