"""`dentareview migrate | serve | anchor`: the service and its worker."""

from __future__ import annotations

import logging
import os
import time
from typing import Annotated

import typer
import uvicorn

from dentareview.anchoring.modes import build_anchorer
from dentareview.anchoring.reviews import AnchorReport
from dentareview.anchoring.worker import AnchorLoop, WorkerLease
from dentareview.api.server import APP_FACTORY, run_workers
from dentareview.cli.common import (
    fail,
    refuse_unsafe_operator_key,
    with_settings,
)
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.observability.exposition import (
    mark_worker_dead,
    remove_multiprocess_dir,
    serve_metrics,
    use_multiprocess_dir,
)
from dentareview.observability.logging import LogFormat, configure_logging, uvicorn_options
from dentareview.redaction import display_url
from dentareview.services.chain_access import ChainGateway


def _export(settings: Settings) -> None:
    """Hand the resolved settings to uvicorn's worker processes through the environment."""
    os.environ["DENTAREVIEW_RPC_URL"] = settings.rpc_url
    os.environ["DENTAREVIEW_OPERATOR_KEY"] = settings.operator_key.get_secret_value()
    os.environ["DENTAREVIEW_DATA_DIR"] = str(settings.data_dir)
    os.environ["DENTAREVIEW_DATABASE_URL"] = settings.resolved_database_url
    if settings.allow_dev_keys:
        os.environ["DENTAREVIEW_ALLOW_DEV_KEYS"] = "true"


def _served_url(host: str, port: int) -> str:
    """The public URL when none is configured: the address served (loopback for a
    wildcard bind). Sign-in messages and the cross-site check of signed-in changes
    compare browsers' origins with it."""
    name = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{f'[{name}]' if ':' in name else name}:{port}"


@with_settings("data_dir", "database")
def migrate_command(settings: Settings) -> None:
    """Apply the database migrations (Alembic `upgrade head`)."""
    upgrade_database(settings.resolved_database_url)
    typer.echo(f"database migrated: {_redacted(settings.resolved_database_url)}")


@with_settings("rpc", "key", "data_dir", "database", "dev_keys")
def serve_command(
    settings: Settings,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Run the API (with its anchoring worker); OpenAPI docs at /docs."""
    log_format = configure_logging(settings.log_format)
    os.environ["DENTAREVIEW_LOG_FORMAT"] = log_format  # the same in every worker process
    refuse_unsafe_operator_key(settings)
    upgrade_database(settings.resolved_database_url)
    _export(settings)
    if "public_url" not in settings.model_fields_set:
        os.environ["DENTAREVIEW_PUBLIC_URL"] = _served_url(host, port)
    base = f"http://{host}:{port}"
    _announce(
        log_format,
        API=f"{base}/v1/chain",
        docs=f"{base}/docs",
        health=f"{base}/health",
        chain=display_url(settings.rpc_url),
        database=_redacted(settings.resolved_database_url),
    )
    if workers > 1:
        raise typer.Exit(_run_workers(settings, host, port, workers))
    serve_metrics(settings)  # this one process's metrics, if a metrics port is set
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, **uvicorn_options())


def _run_workers(settings: Settings, host: str, port: int, workers: int) -> int:
    """The worker processes, and (if a metrics port is set) /metrics served by this
    parent process, summing the files the workers write their values to."""
    if settings.metrics_port is None:
        return run_workers(host, port, workers)
    directory, ours = use_multiprocess_dir()  # before the workers start: they inherit it
    metrics = serve_metrics(settings)
    try:
        return run_workers(host, port, workers, on_exit=mark_worker_dead)
    finally:
        if metrics is not None:
            metrics.stop()
        if ours:
            remove_multiprocess_dir(directory)


def _announce(log_format: LogFormat, **where: str) -> None:
    """Where to find the service: a table at a terminal, one log record in JSON logs (a
    log collector reading stdout and stderr together gets only JSON lines)."""
    if log_format == "text":
        for name, value in where.items():
            typer.echo(f"{name:<10}{value}")
        return
    logging.getLogger(__name__).info("serving", extra={k.lower(): v for k, v in where.items()})


@with_settings("rpc", "key", "data_dir", "database", "dev_keys")
def anchor_command(
    settings: Settings,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep anchoring until interrupted")
    ] = False,
) -> None:
    """Relay pending reviews to the registry now (the service also does this by itself)."""
    configure_logging(settings.log_format)
    refuse_unsafe_operator_key(settings)
    upgrade_database(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    anchorer = build_anchorer(settings, make_session_factory(engine), ChainGateway(settings))
    if not watch:
        report = anchorer.run_until_idle()
        typer.echo(_summary(report))
        if report.errors:
            raise fail("; ".join(report.errors))
        return
    # Watching: the active worker if no other process is, else a standby that takes
    # over when the active one dies (see anchoring/worker.py).
    lease = WorkerLease(engine)
    loop = AnchorLoop(anchorer, interval_seconds=settings.anchor_interval_seconds, lease=lease)
    try:
        while True:
            found = loop.step()
            if found is not None and (found.touched or found.errors):
                typer.echo(_summary(found))
            time.sleep(settings.anchor_interval_seconds)
    finally:
        lease.release()


def _summary(report: AnchorReport) -> str:
    return f"anchored {report.anchored}, reconciled {report.reconciled}, failed {report.failed}"


def _redacted(url: str) -> str:
    """A database URL without its password, fit for printing."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    credentials, host = rest.rsplit("@", 1)
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
