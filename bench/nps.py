"""Verified NPS on the practice's dashboard at 10,000 reviews: GET /v1/practice/nps latency.

The dashboard bench's rows (bench/dashboard/run.py: one practice with 10,000 anchored
reviews over 12 months among 40,000 reviews of 31 practices), each review followed by its
patient's signed 0-10 recommendation (signatures made up: the NPS counts them and never
checks them), seeded through the database layer. Then, against the real service
(`dentareview serve`, SQLite, one worker) on Anvil, GET /v1/practice/nps over HTTP signed
in with SIWE, sequential after a warm-up; and the same service call in-process on
PostgreSQL (same rows), when a server is reachable.

    python -m bench.nps            # writes bench/results/nps.{json,md}
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from eth_utils.crypto import keccak
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.dashboard.run import practice_account, seed
from dentareview.db.migrate import upgrade_database
from dentareview.db.models import RecommendationRow, ReviewRow
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.recommendations import practice_nps

RUNS = 300
WARM_UP = 10
RESULTS = Path(__file__).resolve().parent / "results"
# A practice most patients like: P(score) for 0..10.
WEIGHTS = (1, 1, 1, 2, 2, 3, 4, 8, 14, 28, 36)


def seed_recommendations(session: Session) -> int:
    """One recommendation per review, a minute after it; deterministic."""
    rng = random.Random(17)
    rows = [
        {
            "visit_id": visit_id,
            "review_id": review_id,
            "dentist": dentist,
            "score": rng.choices(range(11), WEIGHTS)[0],
            "deadline": submitted_at + 3600,
            "digest": "0x" + keccak(f"bench-nps-{review_id}".encode()).hex(),
            "signature": "0x" + "ab" * 65,
            "created_at": submitted_at + 60,
        }
        for review_id, visit_id, dentist, submitted_at in session.execute(
            select(ReviewRow.id, ReviewRow.visit_id, ReviewRow.dentist, ReviewRow.submitted_at)
        )
    ]
    for start in range(0, len(rows), 5_000):
        session.execute(insert(RecommendationRow), rows[start : start + 5_000])
    session.commit()
    return len(rows)


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2),
        "min_ms": round(ordered[0], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure_http(url: str, account: Any) -> tuple[dict[str, float], dict[str, Any]]:
    from tests.support.siwe import sign_in

    with httpx.Client(base_url=url, timeout=60) as client:
        answer = sign_in(client, account)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text
        for _ in range(WARM_UP):
            client.get("/v1/practice/nps")
        samples, body = [], {}
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get("/v1/practice/nps")
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            body = response.json()
    return stats(samples), body


def measure_postgres(account: Any, now: int) -> dict[str, float] | None:
    from tests.support.databases import fresh_postgres_schema

    try:
        schema = fresh_postgres_schema()
        url = schema.__enter__()
    except BaseException:  # noqa: BLE001 - no server: pytest's skip is an exception too
        return None
    try:
        upgrade_database(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with sessions() as session:
            seed(session, practice=account.address, now=now)
            seed_recommendations(session)
        samples = []
        with sessions() as session:
            for run in range(RUNS + WARM_UP):
                started = time.perf_counter()
                practice_nps(session, wallet=account.address, now=now)
                session.rollback()  # a request's own transaction each time
                if run >= WARM_UP:
                    samples.append((time.perf_counter() - started) * 1000)
        engine.dispose()
        return stats(samples)
    finally:
        schema.__exit__(None, None, None)


def main() -> dict[str, Any]:
    from tests.web.conftest import web_system

    account = practice_account()
    now = int(time.time())
    # Made-up rows (no transactions behind them): the anchoring worker stays off.
    with web_system(Path(tempfile.mkdtemp()), DENTAREVIEW_ANCHOR_WORKER="false") as system:
        with system.stack.sessions() as session:
            counts = seed(session, practice=account.address, now=now)
            counts["recommendations"] = seed_recommendations(session)
        http, body = measure_http(system.url, account)
    postgres = measure_postgres(account, now)
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        **counts,
        "nps_api_sqlite_http": http,
        "nps_service_postgresql": postgres,
        "total": body["total"],
        "shown_months": sum(not m["hidden"] for m in body["months"]),
    }


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nps.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = [
        (
            "GET /v1/practice/nps over HTTP (SQLite, `dentareview serve`)",
            result["nps_api_sqlite_http"],
        ),
        ("the same service call in-process (PostgreSQL)", result["nps_service_postgresql"]),
    ]
    lines = [
        "# Verified NPS on the dashboard at 10,000 reviews",
        "",
        "```sh",
        "python -m bench.nps",
        "```",
        "",
        f"Measured {result['when']} ({result['machine']}). One practice with "
        f"{result['practice_reviews']:,} anchored reviews over 12 months, among "
        f"{result['reviews']:,} reviews in all, each followed by its patient's recommendation "
        f"({result['recommendations']:,} rows), seeded through the database layer (bench/nps.py "
        "on bench/dashboard/run.py's rows; the anchoring worker is off, as the rows have no "
        "transactions behind them). The service and Anvil run on the same machine.",
        "",
        "| what | runs | median | p99 | min | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        if s is None:
            lines.append(f"| {name} | – | no PostgreSQL reachable | | | |")
        else:
            lines.append(
                f"| {name} | {s['runs']} | {s['median_ms']} ms | {s['p99_ms']} ms "
                f"| {s['min_ms']} ms | {s['max_ms']} ms |"
            )
    t = result["total"]
    lines += [
        "",
        f"Figures shown: {result['shown_months']} of 12 months, NPS {t['nps']} over "
        f"{t['count']:,} answers ({t['promoters']:,} promoters, {t['passives']:,} passives, "
        f"{t['detractors']:,} detractors).",
        "",
        "One query: promoters, passives and detractors summed per UTC month with "
        "`GROUP BY` in the database, reading the practice's range of "
        "`ix_recommendations_dentist_created_at` (migration 0017) and each row's review by "
        "its primary key (anchored, not erased, not removed).",
        "",
    ]
    (RESULTS / "nps.md").write_text("\n".join(lines))


if __name__ == "__main__":
    write(main())
