"""`/metrics` on a listener of its own (`metrics_host`:`metrics_port`), apart from the
public API, summed over the worker processes of this host.

With several workers each process writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode); the process that
serves /metrics sums them at scrape time. Each API host has its own listener and is
scraped on its own: Prometheus adds the `instance` label.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Final
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app, multiprocess
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from dentareview.config import Settings
from dentareview.db.session import make_engine, make_session_factory
from dentareview.observability.collectors import OutboxCollector, RedisCollector

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
METRICS_PATH: Final = "/metrics"


def use_multiprocess_dir() -> tuple[str, bool]:
    """Before the worker processes start: the directory they write their values to (the
    one configured, emptied of an earlier run's files, else a new temporary one, exported
    to them through the environment). True when it is ours to remove at exit."""
    configured = os.environ.get(MULTIPROC_ENV)
    if configured:
        for stale in Path(configured).glob("*.db"):
            stale.unlink()
        return configured, False
    path = tempfile.mkdtemp(prefix="dentareview-metrics-")
    os.environ[MULTIPROC_ENV] = path
    return path, True


def mark_worker_dead(pid: int) -> None:
    """A worker process exited: its live gauges (the lease, the pool) stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


class _ThisProcess(Collector):
    """The default registry of a single process (its metrics and the process figures)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry(settings: Settings) -> CollectorRegistry:
    """Everything one scrape answers: the counters, histograms and gauges of every worker
    process (or of this one), and the gauges read from the database and Redis now."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    engine = make_engine(settings.resolved_database_url)
    registry.register(OutboxCollector(make_session_factory(engine)))
    if settings.redis_url is not None:
        registry.register(RedisCollector(settings.redis_url.get_secret_value()))
    return registry


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Scrapes every few seconds would flood the log."""


class _Server(ThreadingWSGIServer):
    address_family = socket.AF_INET


class _Server6(ThreadingWSGIServer):
    address_family = socket.AF_INET6


class MetricsServer:
    """Serves `GET /metrics` (and nothing else) from a daemon thread."""

    def __init__(self, registry: CollectorRegistry, *, host: str, port: int) -> None:
        metrics = make_wsgi_app(registry)

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if environ.get("PATH_INFO") != METRICS_PATH:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"only /metrics is served here\n"]
            return metrics(environ, start_response)  # type: ignore[no-any-return]

        server_class = _Server6 if ":" in host else _Server
        self._httpd = make_server(host, port, app, server_class, handler_class=_Quiet)
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="metrics", daemon=True
        )

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def serve_metrics(settings: Settings) -> MetricsServer | None:
    """The metrics listener if `metrics_port` is set (off by default)."""
    if settings.metrics_port is None:
        return None
    registry = scrape_registry(settings)
    return MetricsServer(registry, host=settings.metrics_host, port=settings.metrics_port).start()


def remove_multiprocess_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
