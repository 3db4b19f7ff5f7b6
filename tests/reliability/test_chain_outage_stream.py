"""A stream of reviews through a chain outage, against two workers on PostgreSQL:
every submission succeeds as pending, /health says the chain is down, and once the
chain is back every review is anchored and paid exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.system import new_wallet
from tests.reliability.figures import codes_of, record
from tests.reliability.service import (
    Service,
    Stack,
    anchors_per_visit,
    fire,
    operator_txs,
    postgres_stack,
    rewards_minted,
    running,
)
from tests.support.anvil import AnvilNode

PER_PHASE = 15  # reviews before, during and after the outage


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[AnvilNode]:
    node = AnvilNode(state_path=tmp_path / "anvil-state.json")
    node.start()
    yield node
    node.stop()


@pytest.fixture
def stack(chain: AnvilNode, tmp_path: Path) -> Iterator[Stack]:
    with postgres_stack(chain, tmp_path / "data") as s:
        yield s


def test_a_stream_of_reviews_survives_a_chain_outage_and_is_paid_once(
    chain: AnvilNode, stack: Stack, tmp_path: Path
) -> None:
    dentists = [stack.new_dentist() for _ in range(3)]
    patients = [new_wallet() for _ in range(3 * PER_PHASE)]
    visits = [stack.signed_visit(dentists[i % 3], p) for i, p in enumerate(patients)]
    reviews = [stack.signed_review(p, v["message"]) for p, v in zip(patients, visits, strict=True)]
    answers: list[tuple[int, dict[str, object]]] = []
    health_during: list[int] = []
    with running(Service(stack.env(), workers=2, log_path=tmp_path / "service.log")) as service:
        fire(lambda client, i: client.post(f"{service.url}/v1/visits", json=visits[i]), len(visits))
        with httpx.Client(base_url=service.url, timeout=30) as client:
            for index, review in enumerate(reviews):
                if index == PER_PHASE:
                    chain.stop()
                    outage_started = time.monotonic()
                if index == 2 * PER_PHASE:
                    outage = time.monotonic() - outage_started
                    chain.start()
                response = client.post("/v1/reviews", json=review)
                answers.append((response.status_code, response.json()))
                if PER_PHASE <= index < 2 * PER_PHASE:
                    health = client.get("/health")
                    health_during.append(health.status_code)
                    assert health.json()["chain"]["ok"] is False
                time.sleep(0.05)
            during = answers[PER_PHASE : 2 * PER_PHASE]
            seconds = stack.wait_all_anchored(timeout=90)
    txs = operator_txs(stack)
    anchors = anchors_per_visit(stack)
    minted = rewards_minted(stack)
    record(
        "chain_outage_stream",
        requests=len(reviews),
        accepted=sum(status == 202 for status, _ in answers),
        refused=codes_of([a for a in answers if a[0] not in (201, 202)]),
        accepted_during_outage=sum(status == 202 for status, _ in during),
        outage_seconds=round(outage, 1),
        health_503_during_outage=health_during.count(503),
        seconds_to_anchor_all_after=round(seconds, 2),
        anchored=len(anchors),
        rewards_minted=minted,
        reverted_txs=txs.reverted,
        duplicates=sum(count - 1 for count in anchors.values()),
    )
    assert [status for status, _ in answers] == [202] * len(reviews)
    assert all(body["status"] == "pending" for _, body in during)
    assert health_during == [503] * PER_PHASE
    assert len(anchors) == len(reviews) and set(anchors.values()) == {1}
    assert txs.total == txs.nonce and txs.reverted == 0
    assert txs.submit_reviews == minted == len(reviews)
    assert stack.payments_by_status() == {"paid": len(reviews)}
