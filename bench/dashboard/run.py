"""The practice dashboard at 10,000 reviews: API latency and page load in Chromium.

One practice with 10,000 anchored reviews (12,500 attested visits of 7,000 patients,
some coming back) over the last 12 months, among 30 other practices with 1,000 reviews
each (40,000 reviews in all), seeded directly through the database layer (the ORM's
bulk inserts). Then, against the real service (`dentareview serve`, SQLite, one worker)
on Anvil:

- GET /v1/practice/dashboard over HTTP, signed in with SIWE, sequential after a warm-up;
- the same service call in-process on PostgreSQL (same rows), when a server is reachable;
- the /practice page in headless Chromium: from navigation to the page ready with its
  three charts drawn, a fresh load each time (the session cookie kept).

    python -m bench.dashboard.run            # writes bench/results/dashboard.{json,md}
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_utils.crypto import keccak
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.models import DentistRow, ReviewReplyRow, ReviewRow, VisitRow
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.practice import practice_dashboard

DAY = 86_400
PRACTICE_REVIEWS = 10_000
PRACTICE_EXTRA_VISITS = 2_500
PRACTICE_PATIENTS = 7_000
OTHER_PRACTICES = 30
OTHER_REVIEWS = 1_000
API_RUNS = 40
PAGE_RUNS = 10
RESULTS = Path(__file__).resolve().parents[1] / "results"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TEXT = "A careful and painless treatment, explained step by step by a friendly team."
REPLY = "Thank you for your kind words, we look forward to seeing you again."
REPLIED_SHARE = 0.7  # of the practice's reviews; a tenth of the replies edited once


def practice_account() -> Any:
    return Account.from_key(keccak(b"dentareview-bench-dashboard-practice"))


def _address(n: int) -> str:
    return "0x" + str(n).rjust(40, "0")  # decimal digits only: already checksummed


def seed(session: Session, *, practice: str, now: int) -> dict[str, int]:
    """Rows as the service writes them, bulk-inserted; deterministic."""
    rng = random.Random(12)
    session.execute(
        insert(DentistRow),
        [
            {
                "address": practice,
                "name": "Harbour Dental",
                "active": True,
                "registered_at": now - 800 * DAY,
                "updated_at": now,
            }
        ]
        + [
            {
                "address": _address(d),
                "name": f"Practice {d}",
                "active": True,
                "registered_at": 0,
                "updated_at": 0,
            }
            for d in range(1, OTHER_PRACTICES + 1)
        ],
    )
    visits: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    serial = 0

    def add(dentist: str, patient: str, visited_at: int, review: bool, month_bias: float) -> None:
        nonlocal serial
        serial += 1
        visit_id = "0x" + keccak(f"bench-dashboard-{serial}".encode()).hex()
        visits.append(
            {
                "visit_id": visit_id,
                "patient": patient,
                "dentist": dentist,
                "visited_at": visited_at,
                "signature": "0x" + "ab" * 65,
                "created_at": visited_at,
            }
        )
        if not review:
            return
        delay = int(rng.expovariate(1 / (2.5 * DAY)))
        submitted = min(visited_at + 600 + delay, now - 120)
        rating = max(1, min(5, round(rng.gauss(3.6 + month_bias, 1.0))))

        def sub(shift: float) -> int:
            return max(1, min(5, round(rating + shift + rng.choice((-1, 0, 0, 1)))))

        reviews.append(
            {
                "visit_id": visit_id,
                "digest": "0x" + keccak(visit_id.encode()).hex(),
                "patient": patient,
                "dentist": dentist,
                "rating": rating,
                "treatment": sub(0.3),
                "bedside": sub(0.1 + month_bias),
                "wait_time": sub(-0.6),
                "text": TEXT,
                "deadline": submitted + DAY,
                "signature": "0x" + "cd" * 65,
                "submitted_at": submitted,
                "status": "anchored",
                "rewardable": rng.random() < 0.93,
                "tx_hash": "0x" + "ee" * 32,
                "block_number": serial,
                "log_index": 0,
                "anchored_at": submitted + 12,
                "anchor_attempts": 1,
                "block_hash": "0x" + "ff" * 32,
                "final": True,
            }
        )

    patients = [_address(10_000_000 + p) for p in range(PRACTICE_PATIENTS)]
    span = 360 * DAY
    for i in range(PRACTICE_REVIEWS + PRACTICE_EXTRA_VISITS):
        visited_at = (
            now - 2 * DAY - int(span * (i / (PRACTICE_REVIEWS + PRACTICE_EXTRA_VISITS)) ** 0.8)
        )
        bias = 0.5 * (1 - (now - visited_at) / span)  # the practice improves over the year
        add(
            practice,
            patients[rng.randrange(PRACTICE_PATIENTS)],
            visited_at,
            i % 5 != 4,
            bias,
        )
    practice_reviews = len(reviews)
    for d in range(1, OTHER_PRACTICES + 1):
        for _ in range(OTHER_REVIEWS):
            add(
                _address(d),
                _address(20_000_000 + rng.randrange(50_000)),
                now - 2 * DAY - rng.randrange(360 * DAY),
                True,
                0.0,
            )
    for start in range(0, len(visits), 5_000):
        session.execute(insert(VisitRow), visits[start : start + 5_000])
    for start in range(0, len(reviews), 5_000):
        session.execute(insert(ReviewRow), reviews[start : start + 5_000])
    replies = seed_replies(session, practice=practice, rng=rng, now=now)
    for start in range(0, len(replies), 5_000):
        session.execute(insert(ReviewReplyRow), replies[start : start + 5_000])
    session.commit()
    return {
        "practice_replies": len(replies),
        "practice_reviews": practice_reviews,
        "practice_visits": PRACTICE_REVIEWS + PRACTICE_EXTRA_VISITS,
        "reviews": len(reviews),
        "visits": len(visits),
    }


def seed_replies(
    session: Session, *, practice: str, rng: random.Random, now: int
) -> list[dict[str, Any]]:
    """Reply versions to about REPLIED_SHARE of the practice's reviews (signatures made up,
    as for the reviews: the dashboard counts them and never checks them)."""
    rows: list[dict[str, Any]] = []
    stmt = select(ReviewRow.id, ReviewRow.digest, ReviewRow.submitted_at).where(
        ReviewRow.dentist == practice
    )
    for review_id, review_digest, submitted_at in session.execute(stmt):
        if rng.random() >= REPLIED_SHARE:
            continue
        previous = "0x" + "00" * 32
        signed_at = min(submitted_at + int(rng.expovariate(1 / (1.5 * DAY))), now - 60)
        for seq in range(1, 3 if rng.random() < 0.1 else 2):
            digest = "0x" + keccak(f"bench-reply-{review_id}-{seq}".encode()).hex()
            rows.append(
                {
                    "review_id": review_id,
                    "seq": seq,
                    "dentist": practice,
                    "digest": digest,
                    "review_digest": review_digest,
                    "previous_digest": previous,
                    "text": REPLY,
                    "text_hash": "0x" + keccak(REPLY.encode()).hex(),
                    "deadline": signed_at + DAY,
                    "signature": "0x" + "ef" * 65,
                    "created_at": signed_at + (seq - 1) * 3600,
                }
            )
            previous = digest
    return rows


def stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "runs": len(ordered),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
    }


def measure_api(url: str, account: Any) -> tuple[dict[str, float], dict[str, Any]]:
    from tests.support.siwe import sign_in

    with httpx.Client(base_url=url, timeout=60) as client:
        answer = sign_in(client, account)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text
        for _ in range(3):
            client.get("/v1/practice/dashboard")
        samples = []
        body: dict[str, Any] = {}
        for _ in range(API_RUNS):
            started = time.perf_counter()
            response = client.get("/v1/practice/dashboard")
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
        policy = Settings().policy()
        samples = []
        with sessions() as session:
            for run in range(API_RUNS + 3):
                started = time.perf_counter()
                practice_dashboard(session, wallet=account.address, now=now, policy=policy)
                if run >= 3:
                    samples.append((time.perf_counter() - started) * 1000)
        engine.dispose()
        return stats(samples)
    finally:
        schema.__exit__(None, None, None)


def measure_page(url: str, rpc_url: str, account: Any) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from tests.web.browser import CHROMIUM, CHROMIUM_FLAGS, DESKTOP, TestWallet

    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        TestWallet(account, rpc_url).attach(page)
        page.goto(f"{url}/practice")
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.get_by_role("button", name="Sign in with wallet").click()
        try:
            page.wait_for_selector("#histogram-chart", timeout=60_000)
        except Exception:
            print(page.inner_text("main"), console, file=sys.stderr)
            raise
        for _ in range(PAGE_RUNS):
            started = time.perf_counter()
            page.goto(f"{url}/practice")
            page.wait_for_selector("main[data-ready=true] #histogram-chart", timeout=60_000)
            samples.append((time.perf_counter() - started) * 1000)
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "practice-dashboard-desktop.png"), full_page=True)
        browser.close()
    return stats(samples)


def main() -> dict[str, Any]:
    from tests.web.conftest import web_system

    account = practice_account()
    now = int(time.time())
    # The rows are made up (no transactions behind them): the anchoring worker, which
    # re-checks anchors on the chain, stays off.
    with web_system(Path(tempfile.mkdtemp()), DENTAREVIEW_ANCHOR_WORKER="false") as system:
        with system.stack.sessions() as session:
            counts = seed(session, practice=account.address, now=now)
        api, body = measure_api(system.url, account)
        page = measure_page(system.url, system.rpc_url, account)
    postgres = measure_postgres(account, now)
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        **counts,
        "dashboard_api_sqlite_http": api,
        "dashboard_service_postgresql": postgres,
        "dashboard_page_chromium": page,
        "figures": {
            "score": body["score"]["bayesianScore"],
            "count": body["score"]["count"],
            "funnel": body["funnel"],
            "retention": body["retention"],
            "replies": body["replies"],
        },
    }


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dashboard.json").write_text(json.dumps(result, indent=2) + "\n")
    api, page, pg = (
        result["dashboard_api_sqlite_http"],
        result["dashboard_page_chromium"],
        result["dashboard_service_postgresql"],
    )
    rows = [
        ("GET /v1/practice/dashboard over HTTP (SQLite, `dentareview serve`)", api),
        ("the same service call in-process (PostgreSQL)", pg),
        ("/practice page in Chromium, navigation to ready with 3 charts", page),
    ]
    lines = [
        "# Practice dashboard at 10,000 reviews",
        "",
        "```sh",
        "python -m bench.dashboard.run",
        "```",
        "",
        f"Measured {result['when']} ({result['machine']}). One practice with "
        f"{result['practice_reviews']:,} anchored reviews and {result['practice_visits']:,} "
        f"attested visits over 12 months, among {result['reviews']:,} reviews and "
        f"{result['visits']:,} visits in all, seeded through the database layer "
        "(bench/dashboard/run.py; the anchoring worker is off, as the rows have no "
        "transactions behind them). The service and Anvil run on the same machine.",
        "",
        "| what | runs | median | p95 | min | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, s in rows:
        if s is None:
            lines.append(f"| {name} | – | no PostgreSQL reachable | | | |")
        else:
            lines.append(
                f"| {name} | {s['runs']} | {s['median_ms']} ms | {s['p95_ms']} ms "
                f"| {s['min_ms']} ms | {s['max_ms']} ms |"
            )
    f = result["figures"]
    lines += [
        "",
        "The page load is from `page.goto` to `main[data-ready=true]` with the charts' canvases "
        "in place: the shell, the page module, Chart.js (from the browser cache after the "
        "first run), `GET /v1/practice` and the dashboard call.",
        "",
        f"Figures shown: score {f['score']} over {f['count']:,} reviews; funnel "
        f"{f['funnel']['visits']:,} visits → {f['funnel']['reviews']:,} reviews → "
        f"{f['funnel']['rewarded']:,} rewarded; verified retention "
        f"{f['retention']['repeatPatients']:,} of {f['retention']['patients']:,} patients; "
        f"replies to {f['replies']['replied']:,} of {f['replies']['reviews']:,} reviews "
        f"({result['practice_replies']:,} signed versions), median time to reply "
        f"{round((f['replies']['medianSecondsToReply'] or 0) / 3600, 1)} h.",
        "",
        "Every query filters on the dentist first and reads one index range: "
        "`ix_reviews_dentist_status_anchored_at` for the scores, months and funnel, "
        "`ix_visits_dentist_patient_visited_at` (migration 0005) for retention, whose "
        "`LAG() OVER (PARTITION BY patient ORDER BY visited_at)` walks that index in order; "
        "the median time to review is picked by the database with ORDER BY … OFFSET; the "
        "reply rate and median time to reply read `ix_review_replies_dentist_seq_created_at` "
        "(migration 0011) for the practice's first replies, joined to its reviews.",
        "",
    ]
    (RESULTS / "dashboard.md").write_text("\n".join(lines))


if __name__ == "__main__":
    outcome = main()
    write(outcome)
    print(json.dumps(outcome, indent=2))
