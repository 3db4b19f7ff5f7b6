"""The gauges computed at scrape time: the outbox's queues (read from the database, as
`GET /health` and `/v1/operator/queue` read them) and whether Redis answers.

They run in the process that answers the scrape only, so they need no multiprocess
files: every process shares one database and one Redis.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.models import BatchRow, PayoutRow, ReviewRow, StatementAnchorRow
from dentareview.db.queries.anchoring import relay_queue
from dentareview.observability.metrics import SCRAPE_TIME

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KindQueue:
    waiting: int
    in_flight: int
    unfinal: int
    oldest_waiting_at: int | None
    failed: int = 0  # can never be sent (reviews only: the others are retried until sent)


def _queue(
    session: Session,
    table: Any,
    *,
    pending: ColumnElement[bool],
    done: ColumnElement[bool],
    accepted_at: Any,
) -> KindQueue:
    def count(*conditions: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0)

    unsent = table.sent_tx_hash.is_(None)
    oldest = session.scalar(select(func.min(accepted_at)).where(pending, unsent))
    return KindQueue(
        waiting=count(pending, unsent),
        in_flight=count(pending, table.sent_tx_hash.is_not(None)),
        unfinal=count(done, table.final.is_(False)),
        oldest_waiting_at=None if oldest is None else int(oldest),
    )


def outbox_queues(session: Session, *, now: int) -> dict[str, KindQueue]:
    """Per writer kind: writes waiting, in flight, included but not final, oldest waiting."""
    reviews = relay_queue(session, now=now)  # the counts /health shows
    alive_pending = (ReviewRow.status == "pending") & ReviewRow.failure_code.is_(None)
    oldest_review = session.scalar(
        select(func.min(ReviewRow.submitted_at)).where(
            alive_pending, ReviewRow.sent_tx_hash.is_(None)
        )
    )
    return {
        "review": KindQueue(
            waiting=reviews.pending + reviews.waiting,
            in_flight=reviews.in_flight,
            unfinal=reviews.not_final,
            oldest_waiting_at=None if oldest_review is None else int(oldest_review),
            failed=reviews.failed,
        ),
        "batch": _queue(
            session,
            BatchRow,
            pending=BatchRow.status == "built",
            done=BatchRow.status == "anchored",
            accepted_at=BatchRow.created_at,
        ),
        "payout": _queue(
            session,
            PayoutRow,
            pending=PayoutRow.status == "built",
            done=PayoutRow.status == "paid",
            accepted_at=PayoutRow.created_at,
        ),
        "statement": _queue(
            session,
            StatementAnchorRow,
            pending=StatementAnchorRow.status == "pending",
            done=StatementAnchorRow.status == "anchored",
            accepted_at=StatementAnchorRow.created_at,
        ),
    }


def _family(name: str) -> GaugeMetricFamily:
    documentation, labels = SCRAPE_TIME[name]
    return GaugeMetricFamily(name, documentation, labels=list(labels))


class OutboxCollector(Collector):
    """`dentareview_outbox_{waiting,in_flight,unfinal,oldest_waiting_age_seconds}`."""

    def __init__(
        self, sessions: sessionmaker[Session], *, clock: Callable[[], float] = time.time
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = int(self._clock())
        try:
            with self._sessions() as session:
                queues = outbox_queues(session, now=now)
        except SQLAlchemyError as error:  # the scrape still answers; the database alert fires
            log.warning("outbox gauges unavailable: %s", type(error).__name__)
            return
        families = {
            name: _family(name) for name in SCRAPE_TIME if name.startswith("dentareview_outbox_")
        }
        for kind, queue in queues.items():
            families["dentareview_outbox_waiting"].add_metric([kind], queue.waiting)
            families["dentareview_outbox_in_flight"].add_metric([kind], queue.in_flight)
            families["dentareview_outbox_unfinal"].add_metric([kind], queue.unfinal)
            age = 0 if queue.oldest_waiting_at is None else max(0, now - queue.oldest_waiting_at)
            families["dentareview_outbox_oldest_waiting_age_seconds"].add_metric([kind], age)
        failed = _family("dentareview_reviews_failed")
        failed.add_metric([], queues["review"].failed)
        yield from (*families.values(), failed)


class RedisCollector(Collector):
    """`dentareview_redis_up`: 1 if Redis answers a PING within the timeout, else 0."""

    def __init__(self, url: str, *, timeout_seconds: float = 0.5) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = _family("dentareview_redis_up")
        try:
            up = bool(self._client.ping())
        except redis.RedisError:
            up = False
        family.add_metric([], 1 if up else 0)
        yield family
