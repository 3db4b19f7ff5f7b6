"""Hand one message to the configured SMTP server, or say plainly why not.

The caller decides what a failure means: queued mail stays queued and is retried
(services/invitation_mail.py), so this module never retries by itself.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from dentareview.config import Settings
from dentareview.errors import MailUnavailable


def mail_enabled(settings: Settings) -> bool:
    """Email is on when an SMTP host is set."""
    return bool(settings.smtp_host)


def _connect(settings: Settings) -> smtplib.SMTP:
    host = settings.smtp_host
    if not host:
        raise MailUnavailable("Email is off: no SMTP host is configured.")
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_tls == "tls":
        return smtplib.SMTP_SSL(
            host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(host, settings.smtp_port, timeout=timeout)
    if settings.smtp_tls == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def send_message(settings: Settings, message: EmailMessage) -> None:
    """Deliver `message` to the SMTP server; MailUnavailable when it cannot be done now.

    The error names neither the recipient nor the credentials: its text may be logged."""
    try:
        with _connect(settings) as client:
            if settings.smtp_username and settings.smtp_password is not None:
                client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # SMTPException texts can quote a refused recipient: keep only the kind of failure.
        raise MailUnavailable(
            f"The mail server did not take the message ({type(exc).__name__})."
        ) from None
