"""Latency of `POST /v1/reviews` with anchoring in the background, and the worker's rate.

Starts its own Anvil and a real `dentareview serve` process (anchoring worker on),
attests visits over HTTP, pre-signs the reviews with eth-account, then:

1. latency: posts the reviews one after another and times each request;
2. anchoring: with the worker off, queues reviews and times `Anchorer.run_until_idle`
   anchoring them on Anvil (reviews per second), over several rounds.

Writes bench/results/service.json and service.md.

Run from the repository root:
    python -m bench.service.review_latency [--reviews 300] [--anchor-reviews 300]
        [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount

from dentareview.anchoring.reviews import Anchorer
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import register_dentist
from dentareview.services.deploy import deploy
from tests.support.anvil import PROJECT_ROOT, AnvilNode, free_port
from tests.support.wallet import sign_typed

RESULTS = PROJECT_ROOT / "bench" / "results"
COMMAND = "python -m bench.service.review_latency"
TEXT = (
    "The hygienist was gentle and thorough, the dentist explained the x-rays and "
    "the whole visit started on time."
)


class Stack:
    """Anvil, a deployment, a database and (optionally) a served API."""

    def __init__(self, workdir: Path, database_url: str | None) -> None:
        self.anvil = AnvilNode()
        self.anvil.start()
        self.settings = Settings(
            rpc_url=self.anvil.rpc_url,
            data_dir=workdir / "data",
            database_url=database_url or f"sqlite:///{workdir / 'bench.db'}",
        )
        self.gateway = ChainGateway(self.settings)
        deploy(self.settings, self.gateway.w3)
        upgrade_database(self.settings.resolved_database_url)
        self.sessions = make_session_factory(make_engine(self.settings.resolved_database_url))
        self.server: subprocess.Popen[bytes] | None = None
        self.port = free_port()

    def serve(self, *, worker: bool) -> httpx.Client:
        env = {
            **os.environ,
            "DENTAREVIEW_RPC_URL": self.settings.rpc_url,
            "DENTAREVIEW_DATA_DIR": str(self.settings.data_dir),
            "DENTAREVIEW_DATABASE_URL": self.settings.resolved_database_url,
            "DENTAREVIEW_ANCHOR_WORKER": "true" if worker else "false",
        }
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "dentareview.api.app:app_from_environment",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        for _ in range(200):
            try:
                if client.get("/v1/chain").status_code == 200:
                    return client
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the API did not start")

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(10)
            self.server = None

    def close(self) -> None:
        self.stop_server()
        self.anvil.stop()


def signed_reviews(stack: Stack, client: httpx.Client, count: int) -> list[dict[str, Any]]:
    """Attest `count` visits (20 dentists) and pre-sign one review for each."""
    eip712 = client.get("/v1/eip712").json()
    dentists: list[LocalAccount] = [Account.create() for _ in range(20)]
    deployment = stack.gateway.deployment()
    for dentist in dentists:
        register_dentist(
            stack.sessions, deployment, address=dentist.address, name="Bench", now=int(time.time())
        )
    bodies = []
    for index in range(count):
        dentist, patient = dentists[index % len(dentists)], Account.create()
        visit = {
            "visitId": "0x" + os.urandom(32).hex(),
            "patient": patient.address,
            "dentist": dentist.address,
            "visitedAt": int(time.time()) - 3600,
        }
        response = client.post(
            "/v1/visits",
            json={"message": visit, "signature": sign_typed(dentist, eip712, "Visit", visit)},
        )
        assert response.status_code == 201, response.text
        review = {
            "visitId": visit["visitId"],
            "rating": 1 + index % 5,
            "treatment": 4,
            "bedside": 5,
            "waitTime": 3,
            "text": TEXT,
            "deadline": int(time.time()) + 7200,
        }
        bodies.append(
            {"message": review, "signature": sign_typed(patient, eip712, "Review", review)}
        )
    return bodies


def measure_latency(stack: Stack, count: int, *, worker: bool) -> dict[str, Any]:
    client = stack.serve(worker=worker)
    bodies = signed_reviews(stack, client, count)
    latencies = []
    for body in bodies:
        started = time.perf_counter()
        response = client.post("/v1/reviews", json=body)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 202, response.text
    deadline = time.monotonic() + (120 if worker else 0)
    page: dict[str, Any] = {}
    while time.monotonic() < deadline:  # the worker keeps up in the background
        page = client.get(f"/v1/reviews/{count}").json()
        if page.get("status") == "anchored":
            break
        time.sleep(0.2)
    stack.stop_server()
    ordered = sorted(latencies)
    return {
        "requests": count,
        "median_ms": round(statistics.median(latencies), 2),
        "p90_ms": round(ordered[int(0.9 * count) - 1], 2),
        "p99_ms": round(ordered[int(0.99 * count) - 1], 2),
        "anchoring_worker_in_process": worker,
        "all_anchored": page.get("status") == "anchored" if worker else None,
    }


def measure_anchoring(stack: Stack, count: int, rounds: int) -> dict[str, Any]:
    client = stack.serve(worker=False)
    rates = []
    anchorer = Anchorer(stack.sessions, stack.gateway, batch_limit=100)
    anchorer.run_until_idle()  # drain what earlier steps left pending, untimed
    for _ in range(rounds):
        for body in signed_reviews(stack, client, count):
            assert client.post("/v1/reviews", json=body).status_code == 202
        started = time.perf_counter()
        report = anchorer.run_until_idle()
        elapsed = time.perf_counter() - started
        assert report.anchored == count, report
        rates.append(count / elapsed)
    stack.stop_server()
    return {
        "reviews_per_round": count,
        "rounds": rounds,
        "reviews_per_second_median": round(statistics.median(rates), 1),
        "reviews_per_second_each": [round(rate, 1) for rate in rates],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=300)
    parser.add_argument("--anchor-reviews", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(Path(workdir), args.database_url)
        try:
            latency = measure_latency(stack, args.reviews, worker=True)
            latency_alone = measure_latency(stack, args.reviews, worker=False)
            anchoring = measure_anchoring(stack, args.anchor_reviews, args.rounds)
        finally:
            stack.close()
    database = "PostgreSQL" if args.database_url else "SQLite"
    result = {
        "command": COMMAND,
        "database": database,
        "latency": latency,
        "latency_worker_elsewhere": latency_alone,
        "anchoring": anchoring,
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "service.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "service.md").write_text(
        f"# Review intake latency and anchoring rate\n\nCommand: `{COMMAND}`"
        f"{' --database-url ...' if args.database_url else ''}\n\n"
        f"Database: {database}; one uvicorn process; Anvil 1.7.1 (automine); "
        f"{os.cpu_count()} CPUs.\n\n"
        "| figure | value |\n|---|---:|\n"
        f"| `POST /v1/reviews` requests (sequential, worker anchoring in background) "
        f"| {latency['requests']} |\n"
        f"| median latency | {latency['median_ms']} ms |\n"
        f"| p90 / p99 latency | {latency['p90_ms']} / {latency['p99_ms']} ms |\n"
        f"| the same with the worker in another process (`dentareview anchor --watch`): "
        f"median / p99 | {latency_alone['median_ms']} / {latency_alone['p99_ms']} ms |\n"
        f"| worker anchoring rate, median of {anchoring['rounds']} rounds of "
        f"{anchoring['reviews_per_round']} | {anchoring['reviews_per_second_median']} reviews/s |\n"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
