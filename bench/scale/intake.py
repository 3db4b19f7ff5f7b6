"""Intake: POST /v1/reviews per second and latency against PostgreSQL, beside a bare endpoint.

Real uvicorn processes (2 workers on 2 cores), the anchoring worker off, write rate
limits off; every request is a distinct review, signed before any timing. The bare
endpoint (bare_app.py) parses and validates the same bodies and does nothing else.
"""

from __future__ import annotations

import os
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
from bench.scale.loadgen import LoadResult, request, run_load, uvicorn_server
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine
from dentareview.domain.models import Eip712Domain
from dentareview.services.deploy import deploy
from tests.support.databases import fresh_postgres_schema

LEVELS = {1: 500, 8: 1500, 32: 2000}  # concurrency: requests
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
        total = WARMUP * 2 + sum(LEVELS.values())
        pairs = [
            signed_pair(domain, dentists[i % len(dentists)], visited_at=now - 86_400,
                        deadline=int(time.time()) + 3 * 3600)
            for i in range(total)
        ]
        engine = make_engine(database_url)
        with Session(engine) as session:
            insert_dentists(session, [d.address for d in dentists], now)
            insert_visits(session, pairs, now)
            session.commit()
        engine.dispose()
        bodies = [request("POST", "/v1/reviews", review_body(p)) for p in pairs]

        def levels(port: int) -> dict[str, Any]:
            run_load(port, bodies[:WARMUP], 4)
            offset, results = WARMUP, {}
            for concurrency, count in LEVELS.items():
                results[str(concurrency)] = _summary(
                    run_load(port, bodies[offset:offset + count], concurrency)
                )
                offset += count
            return results

        env = _service_env(settings)
        service_app = "dentareview.api.app:app_from_environment"
        with uvicorn_server(service_app, workers=WORKERS, env=env) as port:
            service = levels(port)
        bare_app = "bench.scale.bare_app:create_bare_app"
        with uvicorn_server(bare_app, workers=WORKERS, env=env) as port:
            bare = levels(port)
    return {
        "workers": WORKERS,
        "cores": os.cpu_count(),
        "service": service,
        "bare": bare,
        "ratio": {
            c: round(service[c]["per_second"] / bare[c]["per_second"], 3) for c in service
        },
    }


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(measure(Path(tempfile.mkdtemp())), indent=2))
