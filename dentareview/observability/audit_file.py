"""What an audit found, written for Prometheus' textfile collector.

`dentareview audit` is a job, not a server: scheduled (cron, a Kubernetes CronJob), it
writes its findings to a file that node_exporter's textfile collector serves, so an
alert can fire on what only the audit sees, such as an anchor marked final that a reorg
deeper than the finality setting took away (`NOT_ANCHORED`, `ANCHORED_BUT_PENDING`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from dentareview.observability.metrics import AUDIT_JOB


def write_audit_metrics(path: Path, *, findings: Mapping[str, int], completed_at: float) -> None:
    """Every kind in `findings` (0 included, so an alert can tell "none" from "no run"),
    and the completion time; written atomically (a temporary file renamed)."""
    registry = CollectorRegistry()
    (found_help, found_labels), (time_help, _) = (
        AUDIT_JOB["dentareview_audit_findings"],
        AUDIT_JOB["dentareview_audit_last_run_timestamp_seconds"],
    )
    found = Gauge("dentareview_audit_findings", found_help, found_labels, registry=registry)
    for kind, count in findings.items():
        found.labels(kind=kind).set(count)
    Gauge(
        "dentareview_audit_last_run_timestamp_seconds", time_help, registry=registry
    ).set(completed_at)
    write_to_textfile(str(path), registry)
