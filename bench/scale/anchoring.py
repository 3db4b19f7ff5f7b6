"""Anchoring throughput on Anvil: reviews anchored per second, per-review mode vs batch mode.

Pending reviews of 20 practices are seeded in SQL (as POST /v1/reviews leaves them); the
worker's `run_until_idle` is timed until every one is anchored. Each mode runs RUNS times
on a fresh chain and schema; the median is reported.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from web3 import Web3

from bench.scale.common import (
    Stopwatch,
    Wallet,
    anvil_node,
    insert_dentists,
    insert_pending_reviews,
    insert_visits,
    latest_timestamp,
    settings_for,
    signed_pair,
)
from dentareview.anchoring.batches import BatchAnchorer
from dentareview.anchoring.reviews import Anchorer
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.models import Eip712Domain
from dentareview.services.chain_access import ChainGateway
from dentareview.services.deploy import deploy
from tests.support.databases import fresh_postgres_schema

SINGLE_REVIEWS = 600
SINGLE_PASS = 300  # reviews in flight per pass
BATCH_REVIEWS = 4096
BATCH_SIZE = 1024
DENTISTS = 20
RUNS = 3  # the median run is reported


def _run(work_dir: Path, mode: str, reviews: int) -> dict[str, Any]:
    with anvil_node() as node, fresh_postgres_schema() as database_url:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        settings = settings_for(node, work_dir / mode, database_url)
        manifest, _ = deploy(settings, w3)
        upgrade_database(database_url)
        gateway = ChainGateway(settings)
        # Reviews of many practices, as in production (one practice alone would reach the
        # registry's daily limit of rewarded reviews and take another path).
        dentists = [Wallet() for _ in range(DENTISTS)]
        deployment = gateway.deployment()
        for dentist in dentists:
            deployment.sender.transact(deployment.registry.register_dentist(dentist.address))
        domain = Eip712Domain(
            chain_id=manifest.chain_id, verifying_contract=manifest.registry.address
        )
        now = latest_timestamp(w3)
        pairs = [
            signed_pair(domain, dentists[i % DENTISTS], visited_at=now - 86_400,
                        deadline=now + 86_400)
            for i in range(reviews)
        ]
        engine = make_engine(database_url)
        with Session(engine) as session:
            insert_dentists(session, [d.address for d in dentists], now)
            insert_visits(session, pairs, now)
            insert_pending_reviews(session, pairs, int(time.time()))
            session.commit()
        sessions = make_session_factory(engine)
        worker: Anchorer | BatchAnchorer
        if mode == "single":
            worker = Anchorer(sessions, gateway, batch_limit=SINGLE_PASS)
        else:
            worker = BatchAnchorer(
                sessions, gateway, batch_size=BATCH_SIZE, batch_seconds=0,
                payout_seconds=10**9,  # anchoring only: payouts are measured as gas
            )
        with Stopwatch() as watch:
            report = worker.run_until_idle()
        engine.dispose()
    assert report.anchored == reviews and not report.errors, report
    return {
        "reviews": reviews,
        "seconds": round(watch.seconds, 2),
        "per_second": round(reviews / watch.seconds, 1),
        **({"batch_size": BATCH_SIZE} if mode == "batch" else {}),
    }


def _median_of_runs(work_dir: Path, mode: str, reviews: int) -> dict[str, Any]:
    """RUNS runs, each on a fresh chain and schema; the median run, with all rates."""
    runs = [_run(work_dir / f"run{i}", mode, reviews) for i in range(RUNS)]
    median = sorted(runs, key=lambda run: run["per_second"])[len(runs) // 2]
    return {**median, "runs_per_second": [run["per_second"] for run in runs]}


def measure(work_dir: Path) -> dict[str, Any]:
    single = _median_of_runs(work_dir, "single", SINGLE_REVIEWS)
    batch = _median_of_runs(work_dir, "batch", BATCH_REVIEWS)
    return {
        "single": {**single, "in_flight_per_pass": SINGLE_PASS},
        "batch": batch,
        "batch_over_single": round(batch["per_second"] / single["per_second"], 1),
    }


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(measure(Path(tempfile.mkdtemp())), indent=2))
