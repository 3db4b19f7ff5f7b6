"""Runs the anchorer in a background thread of the service process."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from dentareview.services.anchoring import AnchorReport


class AnchorPasses(Protocol):
    """An anchorer of either mode (single: Anchorer, batch: BatchAnchorer)."""

    def run_until_idle(self) -> AnchorReport: ...


log = logging.getLogger(__name__)


class AnchorLoop:
    """Anchors every `interval` seconds, or at once when woken by a new review."""

    def __init__(self, anchorer: AnchorPasses, *, interval_seconds: float) -> None:
        self._anchorer = anchorer
        self._interval = interval_seconds
        self._wake = threading.Event()
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

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = self._anchorer.run_until_idle()
                if report.anchored or report.reconciled:
                    log.info("anchored %d, reconciled %d", report.anchored, report.reconciled)
            except Exception:  # noqa: BLE001 - the loop must outlive any one failure
                log.exception("anchoring pass failed; retrying")
            self._wake.wait(self._interval)
