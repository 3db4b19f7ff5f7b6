"""What the Prometheus metrics cost: CPU of `dentareview serve --workers 2` under 10
reviews per second, with metrics on and off, side by side in one run.

Anvil, PostgreSQL and the real service (each window a fresh one). A window attests its
visits first (not measured), then posts pre-signed reviews at the rate for `--seconds`
while the worker anchors them, and reads the CPU time (user + system) of every process
of the service from /proc before and after. With metrics on, /metrics is scraped every
5 s during the window, as a Prometheus would (its cost is counted). The windows
alternate off/on, the order swapped every round, so load drifting on the machine hits
both sides alike.

Writes bench/results/metrics.md. Run from the repository root:
    python -m bench.metrics.run [--rounds 3] [--seconds 20] [--rate 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.scale.loadgen import group_cpu_seconds
from tests.api.system import new_wallet
from tests.reliability.service import Service, Stack, deployed_stack
from tests.support.anvil import PROJECT_ROOT, AnvilNode, free_port
from tests.support.databases import fresh_postgres_schema

RESULTS = PROJECT_ROOT / "bench" / "results"
COMMAND = "python -m bench.metrics.run"
SCRAPE_EVERY_SECONDS = 5.0


def window(stack: Stack, workdir: Path, *, metrics: bool, seconds: float, rate: float) -> float:
    """CPU seconds the service used while taking `rate` reviews a second for `seconds`."""
    count = int(seconds * rate)
    extra = {"DENTAREVIEW_DENTIST_DAILY_VISIT_LIMIT": "1000000"}
    metrics_port = free_port()
    if metrics:
        extra["DENTAREVIEW_METRICS_PORT"] = str(metrics_port)
    log = workdir / f"service-{time.monotonic_ns()}.log"
    service = Service(stack.env(**extra), workers=2, log_path=log).start()
    try:
        dentists = [stack.new_dentist() for _ in range(4)]
        patients = [new_wallet() for _ in range(count)]
        visits = [stack.signed_visit(dentists[i % 4], p) for i, p in enumerate(patients)]
        bodies = [
            stack.signed_review(p, v["message"]) for p, v in zip(patients, visits, strict=True)
        ]
        with httpx.Client(base_url=service.url, timeout=30) as client:
            for visit in visits:
                assert client.post("/v1/visits", json=visit).status_code == 201
            stop = threading.Event()
            scraper = threading.Thread(target=_scrape, args=(metrics_port, stop), daemon=True)
            assert service.process is not None
            before = group_cpu_seconds(service.process.pid)
            if metrics:
                scraper.start()
            started = time.monotonic()
            for index, body in enumerate(bodies):
                time.sleep(max(0.0, started + index / rate - time.monotonic()))
                assert client.post("/v1/reviews", json=body).status_code == 202
            time.sleep(max(0.0, started + seconds - time.monotonic()))
            used = group_cpu_seconds(service.process.pid) - before
            stop.set()
        stack.wait_all_anchored(timeout=120)
        return used
    finally:
        service.stop()


def _scrape(port: int, stop: threading.Event) -> None:
    while not stop.wait(SCRAPE_EVERY_SECONDS):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=10.0)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"off": [], "on": []}
    chain = AnvilNode()
    chain.start()
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            fresh_postgres_schema() as url,
            deployed_stack(chain, Path(tmp) / "data", url) as stack,
        ):
            for round_number in range(args.rounds):
                order = ("off", "on") if round_number % 2 == 0 else ("on", "off")
                for side in order:
                    used = window(
                        stack, Path(tmp), metrics=side == "on", seconds=args.seconds, rate=args.rate
                    )
                    results[side].append(used)
                    print(f"round {round_number + 1} metrics {side}: {used:.2f} s CPU", flush=True)
    finally:
        chain.stop()
    write(results, args)


def write(results: dict[str, list[float]], args: Any) -> None:
    def per_second(values: list[float]) -> float:
        return statistics.median(values) / args.seconds

    off, on = per_second(results["off"]), per_second(results["on"])
    rows = "\n".join(
        f"| {i + 1} | {off_s:.2f} | {on_s:.2f} |"
        for i, (off_s, on_s) in enumerate(zip(results["off"], results["on"], strict=True))
    )
    text = f"""# Metrics: CPU cost

`dentareview serve --workers 2` (with its anchoring worker) on PostgreSQL and Anvil,
{args.rate:g} reviews per second for {args.seconds:g} s per window, {args.rounds} rounds
alternating metrics off and on (the order swapped each round); with metrics on,
`/metrics` scraped every {SCRAPE_EVERY_SECONDS:g} s. CPU: user + system time of every
process of the service, from /proc. A shared 2-core machine: compare the two columns of
one run, not runs with each other.

Command: `{COMMAND} --rounds {args.rounds} --seconds {args.seconds:g} --rate {args.rate:g}`

| round | CPU s, metrics off | CPU s, metrics on |
|---:|---:|---:|
{rows}

Median CPU per second of load: off {off:.3f} s/s, on {on:.3f} s/s
({(on - off) / off * 100:+.1f}%, {(on - off) * 1000 / args.rate:+.2f} ms of CPU per review).
Read it against the spread between the rounds of one side: a difference smaller than
that spread is below what the run resolves.
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "metrics.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
