"""A real SMTP server for tests (aiosmtpd in a thread), keeping what it receives.

Tests read `server.messages` (parsed EmailMessage objects, in arrival order) and may stop
and restart the server on the same port to simulate an outage.
"""

from __future__ import annotations

import email.policy
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from dentareview.config import Settings
from tests.support.anvil import free_port


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    async def handle_DATA(  # noqa: N802 (the name aiosmtpd calls)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        parsed = BytesParser(policy=email.policy.default).parsebytes(content)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a port of this pytest worker's own."""

    def __init__(self) -> None:
        self.port = free_port()
        self._collector = _Collector()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self._collector.messages)

    @property
    def envelopes(self) -> list[tuple[str, list[str]]]:
        return list(self._collector.envelopes)

    def start(self) -> None:
        controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings_overrides(self) -> dict[str, Any]:
        """The Settings fields that send mail here (plain SMTP, no login)."""
        return {
            "smtp_host": "127.0.0.1",
            "smtp_port": self.port,
            "smtp_tls": "none",
            "mail_from": "reviews@dentareview.test",
        }

    def settings(self, **extra: Any) -> Settings:
        return Settings(**{**self.settings_overrides(), **extra})

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once at least `count` have arrived (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        while len(self._collector.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} messages, got {len(self._collector.messages)}"
                )
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
