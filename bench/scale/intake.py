"""Intake: POST /v1/reviews per second and latency against PostgreSQL, beside a bare endpoint.

Real uvicorn processes (2 workers on 2 cores), the anchoring worker off, write rate
limits off; every request is a distinct review, signed before any timing. The bare
endpoint (bare_app.py) parses and validates the same bodies and does nothing else.

Both servers run side by side and are measured in alternating rounds (service, then
bare, at each concurrency): the cores are shared with other work and their speed
drifts by more than the differences measured, so each round's ratio compares two
runs a few seconds apart, and the report gives the median over the rounds.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from web3 import Web3

from bench.scale.common import (
    Wallet,
    anvil_node,
    insert_dentists,
    insert_visits,
    latest_timestamp,
    review_body,
    settings_for,
    signed_pair,
)
from bench.scale.loadgen import (
    LoadResult,
    Served,
    cpu_seconds,
    cpu_spent,
    postgres_cpu_seconds,
    request,
    run_load,
    uvicorn_server,
)
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine
from dentareview.domain.models import Eip712Domain
from dentareview.services.deploy import deploy
from tests.support.databases import fresh_postgres_schema

LEVELS = {1: 300, 8: 1000, 32: 1200}  # concurrency: requests per round
ROUNDS = 3
WARMUP = 64
WORKERS = 2


def _service_env(settings: Any) -> dict[str, str]:
    return {
        **os.environ,
        "DENTAREVIEW_RPC_URL": settings.rpc_url,
        "DENTAREVIEW_DATA_DIR": str(settings.data_dir),
        "DENTAREVIEW_DATABASE_URL": settings.resolved_database_url,
        "DENTAREVIEW_ANCHOR_WORKER": "false",
        "DENTAREVIEW_RATE_LIMIT_IP_PER_MINUTE": "0",
        "DENTAREVIEW_RATE_LIMIT_WALLET_PER_MINUTE": "0",
    }


def _summary(result: LoadResult) -> dict[str, Any]:
    return {
        "requests": result.requests,
        "per_second": round(result.per_second, 1),
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "statuses": {str(k): v for k, v in sorted(result.statuses.items())},
    }


def _measured(server: Served, batch: list[bytes], concurrency: int) -> dict[str, Any]:
    """One run, with the CPU the server's processes and PostgreSQL spent per request."""
    server_cpu, database_cpu = cpu_seconds(server.pids), postgres_cpu_seconds()
    result = run_load(server.port, batch, concurrency)
    server_cpu = cpu_seconds(server.pids) - server_cpu
    database_cpu = cpu_spent(database_cpu, postgres_cpu_seconds())
    return {
        **_summary(result),
        "server_cpu_ms": round(server_cpu / result.requests * 1000, 2),
        "postgres_cpu_ms": round(database_cpu / result.requests * 1000, 2),
    }


def _median_of(rounds: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in rounds), 2)


def _levels_summary(rounds: list[dict[str, dict[str, Any]]], concurrency: str) -> dict[str, Any]:
    """Medians over the rounds at one concurrency, and every round's figures."""
    at = [r[concurrency] for r in rounds]
    return {
        "per_second": _median_of(at, "per_second"),
        "server_cpu_ms": _median_of(at, "server_cpu_ms"),
        "postgres_cpu_ms": _median_of(at, "postgres_cpu_ms"),
        "p50_ms": _median_of(at, "p50_ms"),
        "p99_ms": _median_of(at, "p99_ms"),
        "rounds": at,
    }


def measure(work_dir: Path) -> dict[str, Any]:
    with anvil_node() as node, fresh_postgres_schema() as database_url:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        settings = settings_for(node, work_dir / "intake", database_url)
        manifest, _ = deploy(settings, w3)
        upgrade_database(database_url)
        domain = Eip712Domain(
            chain_id=manifest.chain_id, verifying_contract=manifest.registry.address
        )
        now = latest_timestamp(w3)
        dentists = [Wallet() for _ in range(20)]
        per_round = sum(LEVELS.values())
        pairs = [
            signed_pair(domain, dentists[i % len(dentists)], visited_at=now - 86_400,
                        deadline=int(time.time()) + 3 * 3600)
            for i in range(WARMUP + per_round * ROUNDS)
        ]
        engine = make_engine(database_url)
        with Session(engine) as session:
            insert_dentists(session, [d.address for d in dentists], now)
            insert_visits(session, pairs, now)
            session.commit()
        engine.dispose()
        bodies = [request("POST", "/v1/reviews", review_body(p)) for p in pairs]
        env = _service_env(settings)
        service_rounds: list[dict[str, dict[str, Any]]] = []
        bare_rounds: list[dict[str, dict[str, Any]]] = []
        with (
            uvicorn_server("dentareview.api.app:app_from_environment", workers=WORKERS,
                           env=env) as service,
            uvicorn_server("bench.scale.bare_app:create_bare_app", workers=WORKERS,
                           env=env) as bare,
        ):
            run_load(service.port, bodies[:WARMUP], 4)
            run_load(bare.port, bodies[:WARMUP], 4)
            offset = WARMUP
            for _ in range(ROUNDS):
                service_round, bare_round = {}, {}
                for concurrency, count in LEVELS.items():
                    batch = bodies[offset:offset + count]  # new reviews for the service
                    offset += count
                    service_round[str(concurrency)] = _measured(service, batch, concurrency)
                    bare_round[str(concurrency)] = _measured(bare, batch, concurrency)
                service_rounds.append(service_round)
                bare_rounds.append(bare_round)
    levels = [str(c) for c in LEVELS]
    return {
        "workers": WORKERS,
        "cores": os.cpu_count(),
        "rounds": ROUNDS,
        "service": {c: _levels_summary(service_rounds, c) for c in levels},
        "bare": {c: _levels_summary(bare_rounds, c) for c in levels},
        "ratio": {  # the median of each round's own ratio
            c: round(
                statistics.median(
                    s[c]["per_second"] / b[c]["per_second"]
                    for s, b in zip(service_rounds, bare_rounds, strict=True)
                ),
                3,
            )
            for c in levels
        },
    }


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(measure(Path(tempfile.mkdtemp())), indent=2))
