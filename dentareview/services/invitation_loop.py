"""Sends due invitation emails in a background thread of the service.

Every process of `dentareview serve` runs one; each invitation is claimed by one process
before it is sent (services/invitation_mail.py), so none is sent twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from dentareview.config import Settings
from dentareview.services.invitation_mail import DeliveryReport, deliver_invitations

log = logging.getLogger(__name__)


class InvitationLoop:
    """A delivery pass every `interval_seconds`, with the service's clock."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], int],
        interval_seconds: float,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="invitation-mail", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step()
            self._stop.wait(self._interval)

    def step(self) -> DeliveryReport | None:
        try:
            return deliver_invitations(self._sessions, self._settings, now=self._clock())
        except Exception:  # the loop must outlive any one failure (logged with its trace)
            log.exception("invitation email pass failed; retrying")
            return None
