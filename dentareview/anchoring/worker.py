"""Runs the anchorer in a background thread, as the one active worker or a standby.

Every API process (on every host) and every `dentareview anchor --watch` runs an
anchoring loop, but only the holder of the worker lease anchors: a database lock
held on a connection of its own (PostgreSQL advisory lock, or a file lock beside a
SQLite database). The others stand by and try to take the lease every interval;
when the active process dies, the database drops its connection and its lock, and
a standby takes over within about one interval. Each pass also takes the relayer
lock, so even a one-off `dentareview anchor` never relays beside the active worker.
"""

from __future__ import annotations

import logging
import socket
import threading
from contextlib import suppress
from typing import Protocol

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from dentareview.anchoring.reviews import AnchorReport
from dentareview.db.queries.locks import release_worker_lock, try_worker_lock
from dentareview.observability.metrics import WORKER_LEASE_HELD, WORKER_TAKEOVERS


class AnchorPasses(Protocol):
    """An anchorer of either mode (single: Anchorer, batch: BatchAnchorer)."""

    def run_until_idle(self) -> AnchorReport: ...


log = logging.getLogger(__name__)

# A host that vanishes without closing its connection (power, network) is noticed by
# the database's TCP keepalives after about idle + interval * count seconds.
_KEEPALIVES = "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
_KEEPALIVES += "SET tcp_keepalives_count = 3"


class WorkerLease:
    """The right to be the one active anchoring worker of a database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: Connection | None = None
        self._told_standby = False
        # One series per process (the multiprocess files add its pid): 1 on the holder.
        self._held = WORKER_LEASE_HELD.labels(socket.gethostname()[:64])
        self._held.set(0)

    @property
    def active(self) -> bool:
        return self._connection is not None

    def hold(self) -> bool:
        """True while this process is the active worker: keeps a lease it holds (if its
        connection still lives), else takes the lease if nobody holds it."""
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except SQLAlchemyError:
                log.error("lost the worker lease (its database connection failed); standing by")
                self._close()
        return self._take()

    def release(self) -> None:
        if self._connection is None:
            return
        # Closing the connection below drops the lock all the same if this fails.
        with suppress(SQLAlchemyError):
            release_worker_lock(self._connection)
        self._close()

    def _take(self) -> bool:
        try:
            connection = self._engine.connect()
        except SQLAlchemyError:
            return False  # the database is down: nobody can anchor anyway
        try:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(_KEEPALIVES)
            if try_worker_lock(connection):
                self._connection = connection
                self._told_standby = False
                self._held.set(1)
                WORKER_TAKEOVERS.inc()
                log.warning("this process is now the active anchoring worker")
                return True
        except SQLAlchemyError:
            pass
        connection.close()
        if not self._told_standby:
            self._told_standby = True
            log.warning("standing by: another process is the active anchoring worker")
        return False

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        self._held.set(0)
        if connection is not None:
            try:
                connection.close()
            except SQLAlchemyError:
                connection.invalidate()


class AnchorLoop:
    """Anchors every `interval` seconds, or at once when woken by a new review; with a
    lease, only while this process holds it (otherwise it stands by)."""

    def __init__(
        self,
        anchorer: AnchorPasses,
        *,
        interval_seconds: float,
        lease: WorkerLease | None = None,
    ) -> None:
        self._anchorer = anchorer
        self._interval = interval_seconds
        self._lease = lease
        self._wake = threading.Event()
        self._trouble = ""  # the last pass's errors, logged when they change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="anchor-loop", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def run_forever(self) -> None:
        """Run in the calling thread until `stop` (from another thread or a signal)."""
        self._run()

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.clear()
                self.step()
                self._wake.wait(self._interval)
        finally:
            if self._lease is not None:
                self._lease.release()

    def step(self) -> AnchorReport | None:
        """One pass if this process may anchor now; None when it stands by."""
        if self._lease is not None and not self._lease.hold():
            return None
        try:
            report = self._anchorer.run_until_idle()
        except Exception:  # the loop must outlive any one failure (logged with its trace)
            log.exception("anchoring pass failed; retrying")
            return None
        if report.anchored or report.reconciled:
            log.info("anchored %d, reconciled %d", report.anchored, report.reconciled)
        # What holds anchoring back (chain away, fees over the cap), once per change.
        trouble = "; ".join(report.errors)
        if trouble and trouble != self._trouble:
            log.warning("anchoring held back: %s", trouble)
        self._trouble = trouble
        return report
