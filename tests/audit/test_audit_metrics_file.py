"""What only the audit sees reaches the operators' alerts: `audit --metrics-file` writes the
findings by kind for a textfile collector, and the failed reviews are a scrape-time gauge."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from dentareview.audit.findings import Kind
from dentareview.observability.collectors import OutboxCollector
from tests.api.system import System
from tests.audit.helpers import audit, post_review


def _samples(path: Path) -> dict[tuple[str, str], float]:
    return {
        (sample.name, sample.labels.get("kind", "")): sample.value
        for family in text_string_to_metric_families(path.read_text())
        for sample in family.samples
    }


def test_an_anchor_the_chain_no_longer_holds_is_written_for_the_alert(
    system: System, tmp_path: Path
) -> None:
    anchored = post_review(system)
    assert system.anchor().anchored == 1
    lost = post_review(system)  # recorded as anchored below: what a deep reorg leaves
    with system.sessions() as session:
        real = session.execute(
            text("SELECT tx_hash, block_number, anchored_at FROM reviews WHERE id = :id"),
            {"id": anchored.id},
        ).one()
        session.execute(
            text(
                "UPDATE reviews SET status = 'anchored', tx_hash = :tx, block_number = :block,"
                " log_index = 0, anchored_at = :at WHERE id = :id"
            ),
            {"tx": real.tx_hash, "block": real.block_number, "at": real.anchored_at, "id": lost.id},
        )
        session.commit()
    metrics = tmp_path / "dentareview_audit.prom"

    result = audit(system, "--metrics-file", str(metrics))

    assert result.exit_code == 1, result.output
    samples = _samples(metrics)
    assert samples[("dentareview_audit_findings", "NOT_ANCHORED")] == 1
    assert samples[("dentareview_audit_findings", "TEXT_CHANGED")] == 0
    assert {kind for name, kind in samples if name == "dentareview_audit_findings"} == {
        kind.value for kind in Kind
    }
    assert samples[("dentareview_audit_last_run_timestamp_seconds", "")] > 0


def test_reviews_that_can_never_be_anchored_are_a_gauge(system: System) -> None:
    def failed() -> float:
        (family,) = [
            f for f in OutboxCollector(system.sessions).collect()
            if f.name == "dentareview_reviews_failed"
        ]
        return family.samples[0].value

    review = post_review(system)
    assert failed() == 0
    with system.sessions() as session:
        session.execute(
            text("UPDATE reviews SET failure_code = 'SIGNATURE_REVOKED' WHERE id = :id"),
            {"id": review.id},
        )
        session.commit()
    assert failed() == 1
