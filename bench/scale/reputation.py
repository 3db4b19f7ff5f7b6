"""Reputation query latency at 100k anchored reviews (PostgreSQL, bulk-seeded in SQL).

1,000 dentists: dentist 1 is a large practice with a tenth of all reviews (10k), the
others ~90 each, anchored over the last two years. Sequential GETs over HTTP, after
a warm-up, against a real uvicorn process; the large practice also revalidated with its
ETag (304). The stored totals are rebuilt after the SQL seed, and the rebuild timed.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from web3 import Web3

from bench.scale.common import anvil_node, settings_for
from bench.scale.intake import _service_env
from bench.scale.loadgen import request, run_load, uvicorn_server
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.deploy import deploy
from dentareview.services.reputation_rebuild import rebuild_reputation
from tests.support.databases import fresh_postgres_schema

REVIEWS = 100_000
DENTISTS = 1_000
QUERIES = 400

# Decimal digits only, so each address is already in checksum form.
SEED = """
INSERT INTO dentists (address, name, active, registered_at, updated_at)
SELECT '0x' || lpad(d::text, 40, '0'), 'Practice ' || d, true, 0, 0
FROM generate_series(1, :dentists) AS d;

INSERT INTO visits (visit_id, patient, dentist, visited_at, signature, created_at)
SELECT '0x' || lpad(i::text, 64, '0'), '0x' || lpad((10000000 + i)::text, 40, '0'),
       '0x' || lpad((CASE WHEN i % 10 = 0 THEN 1 ELSE 2 + i % (:dentists - 1) END)::text, 40, '0'),
       :now - (i % 730) * 86400, '0x' || repeat('ab', 65), :now
FROM generate_series(1, :reviews) AS i;

INSERT INTO reviews (visit_id, digest, patient, dentist, rating, treatment, bedside,
    wait_time, text, deadline, signature, submitted_at, status, rewardable, tx_hash,
    block_number, log_index, anchored_at, anchor_attempts)
SELECT v.visit_id, '0xdd' || lpad(to_hex(n), 62, '0'), v.patient, v.dentist,
       1 + n * 7 % 5, 1 + n * 3 % 5, 1 + n * 11 % 5, 1 + n * 13 % 5,
       'A careful and painless treatment, explained step by step by a friendly team.',
       v.visited_at + 86400, v.signature, v.visited_at + 3600, 'anchored', true,
       '0xee' || lpad(to_hex(n / 256), 62, '0'), n / 256, 0, v.visited_at + 7200, 1
FROM (SELECT *, CAST(substr(visit_id, 3) AS bigint) AS n FROM visits) AS v;
ANALYZE;
"""


def _etag(port: int, path: str) -> str:
    answer = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=10)
    answer.raise_for_status()
    return answer.headers["ETag"]


def _address(n: int) -> str:
    return "0x" + str(n).rjust(40, "0")


def measure(work_dir: Path) -> dict[str, Any]:
    with anvil_node() as node, fresh_postgres_schema() as database_url:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        settings = settings_for(node, work_dir / "reputation", database_url)
        deploy(settings, w3)
        upgrade_database(database_url)
        engine = make_engine(database_url)
        started = time.perf_counter()
        with engine.begin() as connection:
            for statement in filter(str.strip, SEED.split(";")):
                connection.execute(text(statement), {
                    "dentists": DENTISTS, "reviews": REVIEWS, "now": int(time.time()),
                })
        seed_seconds = time.perf_counter() - started
        # Seeded in SQL, around the anchoring queries that keep the totals: rebuild them,
        # as `dentareview reputation rebuild` does (and time it).
        started = time.perf_counter()
        rebuild_reputation(engine, make_session_factory(engine))
        rebuild_seconds = time.perf_counter() - started
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM reviews")).scalar_one()
        engine.dispose()
        rng = random.Random(6)
        typical = [
            request("GET", f"/v1/dentists/{_address(rng.randrange(2, DENTISTS + 1))}/reputation")
            for _ in range(QUERIES)
        ]
        large_path = f"/v1/dentists/{_address(1)}/reputation"
        large = [request("GET", large_path)] * QUERIES
        with uvicorn_server(
            "dentareview.api.app:app_from_environment", workers=1, env=_service_env(settings)
        ) as served:
            port = served.port
            run_load(port, typical[:50], 1)
            etag = _etag(port, large_path)
            revalidated = [
                request("GET", large_path, headers={"If-None-Match": etag})
            ] * QUERIES
            results: dict[str, Any] = {}
            for name, requests in (("typical", typical), ("large", large)):
                result = run_load(port, requests, 1)  # one keep-alive connection
                assert result.statuses == {200: len(requests)}, result.statuses
                results[name] = {
                    "queries": result.requests,
                    "p50_ms": round(result.p50_ms, 2),
                    "p99_ms": round(result.p99_ms, 2),
                }
            result = run_load(port, revalidated, 1)
            assert result.statuses == {304: len(revalidated)}, result.statuses
            results["large_revalidated_304"] = {
                "queries": result.requests,
                "p50_ms": round(result.p50_ms, 2),
                "p99_ms": round(result.p99_ms, 2),
            }
    return {
        "reviews": count,
        "dentists": DENTISTS,
        "reviews_of_large_dentist": REVIEWS // 10,
        "seed_seconds": round(seed_seconds, 1),
        "rebuild_seconds": round(rebuild_seconds, 2),
        **results,
    }


if __name__ == "__main__":
    import json
    import tempfile

    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(json.dumps(measure(Path(tempfile.mkdtemp())), indent=2))
