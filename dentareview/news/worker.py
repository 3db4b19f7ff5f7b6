"""The delivery worker: raises overdue replies and sends pending deliveries, retrying
failures with doubling waits until delivered or `news_max_attempts` are spent.

Every API process runs one (beside the anchoring loop). A delivery is claimed by a
compare-and-set of its due time before it is sent, so two processes never send the same
attempt; a process that dies mid-attempt leaves the claim to expire and the delivery is
tried again (same webhook-id: receivers dedupe).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr

from sqlalchemy.orm import Session, sessionmaker

from dentareview.config import Settings
from dentareview.db.queries.news import (
    DeliveryTarget,
    claim_delivery,
    delivery_target,
    due_deliveries,
    get_delivery,
)
from dentareview.domain.news import NewsEvent, email_text, payload, retry_delay
from dentareview.errors import DentaReviewError
from dentareview.mail.smtp import mail_enabled, send_message
from dentareview.news.webhook import post_webhook, signed_request
from dentareview.observability.metrics import NEWS_DELIVERIES
from dentareview.services.news import channels_of, check_webhook_url, raise_overdue_replies

log = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 60
CLAIM_MARGIN_SECONDS = 60  # beyond the attempt's own timeout


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    outcomes: list[tuple[int, str]] = field(default_factory=list)  # (delivery id, outcome)


_COUNTERS = {"delivered": "delivered", "retry": "retried", "failed": "failed", "dropped": "dropped"}


def _wall_clock() -> int:
    return int(time.time())


class NewsDeliverer:
    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], int] = _wall_clock,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._clock = clock

    def sweep(self) -> int:
        """Raise `reply.overdue` for every review waiting too long; how many were raised."""
        with self._sessions() as session:
            raised = raise_overdue_replies(
                session, now=self._clock(), days=self._settings.reply_overdue_days
            )
            session.commit()
        return raised

    def deliver_due(self, limit: int = 100) -> DeliveryReport:
        """One attempt at every delivery due now (at most `limit`)."""
        report = DeliveryReport()
        now = self._clock()
        with self._sessions() as session:
            due = due_deliveries(session, now=now, limit=limit)
        for delivery_id, seen_due in due:
            outcome = self._attempt(delivery_id, seen_due)
            if outcome is None:
                continue  # another process took it
            report.outcomes.append((delivery_id, outcome))
            counter = _COUNTERS[outcome]
            setattr(report, counter, getattr(report, counter) + 1)
        return report

    def _attempt(self, delivery_id: int, seen_due: int) -> str | None:
        settings = self._settings
        now = self._clock()
        until = now + int(settings.webhook_timeout_seconds) + CLAIM_MARGIN_SECONDS
        with self._sessions() as session:
            if not claim_delivery(session, delivery_id=delivery_id, seen_due=seen_due, until=until):
                session.rollback()
                return None
            session.commit()
            target = delivery_target(session, delivery_id=delivery_id)
            session.expunge_all()  # kept as read: the send needs no session
            session.rollback()  # a read: ends its transaction before the slow send
        if target is None:
            return None
        problem: str | None
        if target.delivery.channel not in channels_of(target.settings):
            outcome, problem = "dropped", "channel removed"
        else:
            problem = self._send(target)
            outcome = "delivered" if problem is None else "retry"
        return self._record(target, outcome, problem)

    def _send(self, target: DeliveryTarget) -> str | None:
        settings = self._settings
        row = target.event
        event = NewsEvent(
            id=row.id,
            kind=row.kind,
            review_id=row.review_id,
            dentist=row.dentist,
            data=json.loads(row.data),
            created_at=row.created_at,
        )
        practice = target.settings
        assert practice is not None  # the channel check above
        if target.delivery.channel == "webhook":
            url, secret = practice.webhook_url or "", practice.webhook_secret or ""
            try:  # again at each attempt: the host's addresses may have changed since
                check_webhook_url(url, allow_private=settings.webhook_allow_private)
            except DentaReviewError:
                return "refused: not a public address"
            data, headers = signed_request(
                secret=secret,
                message_id=target.delivery.message_id,
                body=payload(event, public_url=settings.public_url),
                # The real time of this attempt (receivers refuse stale timestamps),
                # whatever clock schedules the retries.
                now=int(time.time()),
            )
            return post_webhook(url, data, headers, timeout=settings.webhook_timeout_seconds)
        if not mail_enabled(settings):
            return "email is off on this service"
        subject, body = email_text(
            event, practice_name=target.practice_name, public_url=settings.public_url
        )
        message = EmailMessage()
        message["From"] = formataddr(("DentaReview", settings.mail_from))
        message["To"] = practice.email or ""
        message["Subject"] = subject
        message["Message-ID"] = f"<{target.delivery.message_id}@dentareview>"
        message.set_content(body)
        try:
            send_message(settings, message)
        except DentaReviewError as error:
            return error.code
        return None

    def _record(self, target: DeliveryTarget, outcome: str, problem: str | None) -> str:
        settings = self._settings
        now = self._clock()
        with self._sessions() as session:
            row = get_delivery(session, delivery_id=target.delivery.id)
            row.attempts += outcome != "dropped"
            row.last_status = "delivered" if problem is None else problem[:64]
            if outcome == "delivered":
                row.status, row.delivered_at = "delivered", now
            elif outcome == "dropped":
                row.status = "dropped"
            elif row.attempts >= settings.news_max_attempts:
                row.status, outcome = "failed", "failed"
            else:
                row.next_attempt_at = now + retry_delay(
                    row.attempts,
                    base_seconds=settings.news_retry_base_seconds,
                    max_seconds=settings.news_retry_max_seconds,
                )
            session.commit()
        NEWS_DELIVERIES.labels(target.delivery.channel, outcome).inc()
        if outcome != "delivered":
            log.warning(
                "news delivery %d (%s) %s: %s",
                target.delivery.id,
                target.delivery.channel,
                outcome,
                problem,
            )
        return outcome


class NewsLoop:
    """Runs the deliverer every `interval` seconds (at once when woken), and the overdue
    sweep every minute, in a background thread."""

    def __init__(self, deliverer: NewsDeliverer, *, interval_seconds: float) -> None:
        self._deliverer = deliverer
        self._interval = interval_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._swept_at = 0.0
        self._thread = threading.Thread(target=self._run, name="news-loop", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 15) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.step()
            self._wake.wait(self._interval)

    def step(self) -> None:
        try:
            if time.monotonic() - self._swept_at >= SWEEP_EVERY_SECONDS:
                self._swept_at = time.monotonic()
                self._deliverer.sweep()
            while True:  # until nothing due is left (a backlog drains without waiting)
                report = self._deliverer.deliver_due()
                if not report.outcomes:
                    break
        except Exception:  # the loop must outlive any one failure (logged with its trace)
            log.exception("news delivery pass failed; retrying")
