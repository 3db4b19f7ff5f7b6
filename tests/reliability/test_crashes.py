"""SIGKILL the service at each step of anchoring; after a restart every review is
anchored exactly once, with no second transaction and no lost review."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dentareview.anchoring.crash_points import CRASH_AT_VARIABLE, CRASH_STEPS, CrashStep
from dentareview.api.app import create_app
from tests.api.system import new_wallet
from tests.reliability.figures import record
from tests.reliability.service import (
    Service,
    Stack,
    anchors_per_visit,
    operator_txs,
    postgres_stack,
    running,
)
from tests.support.anvil import AnvilNode

REVIEWS = 3
# What the crashed pass had sent when it died; after the restart the total must be REVIEWS.
SENT_BEFORE_CRASH = {"signed": 0, "noted": 0, "sent_one": 1, "sent": REVIEWS, "mined": REVIEWS}


@pytest.fixture
def stack(own_chain: AnvilNode, tmp_path: Path) -> Iterator[Stack]:
    with postgres_stack(own_chain, tmp_path / "data") as s:
        yield s


def _pending_reviews(stack: Stack, count: int = REVIEWS) -> list[dict[str, Any]]:
    """`count` reviews stored pending (the API without its worker), for one pass to take."""
    dentist = stack.new_dentist()
    patients = [new_wallet() for _ in range(count)]
    visits = [stack.signed_visit(dentist, patient) for patient in patients]
    with TestClient(create_app(stack.settings, run_anchor_worker=False)) as client:
        for patient, visit in zip(patients, visits, strict=True):
            assert client.post("/v1/visits", json=visit).status_code == 201
            answer = client.post("/v1/reviews", json=stack.signed_review(patient, visit["message"]))
            assert answer.status_code == 202, answer.text
    return [
        {"patient": p.address, "visitId": v["message"]["visitId"]}
        for p, v in zip(patients, visits, strict=True)
    ]


def _crash(stack: Stack, step: CrashStep, log: Path) -> None:
    crashing = Service(stack.env(**{CRASH_AT_VARIABLE: step}), log_path=log)
    crashing.start(may_exit=True)
    assert crashing.wait_exit(timeout=60) == -signal.SIGKILL, crashing.log()


def _check_anchored_once(stack: Stack, reviews: list[dict[str, Any]], from_block: int) -> Any:
    txs = operator_txs(stack, from_block=from_block)
    anchors = anchors_per_visit(stack, from_block=from_block)
    token = stack.gateway.deployment().token
    balances = [token.functions.balanceOf(r["patient"]).call() for r in reviews]
    assert txs.total == txs.submit_reviews == len(reviews), txs
    assert txs.reverted == 0
    assert {r["visitId"]: anchors.get(r["visitId"]) for r in reviews} == {
        r["visitId"]: 1 for r in reviews
    }
    assert balances == [stack.manifest.reward_amount] * len(reviews)
    assert stack.payments_by_status() == {"paid": len(reviews)}
    return txs


@pytest.mark.parametrize("step", CRASH_STEPS)
def test_a_crash_at_any_step_of_anchoring_loses_nothing_and_pays_once(
    stack: Stack, step: CrashStep, tmp_path: Path
) -> None:
    reviews = _pending_reviews(stack)
    start = int(stack.w3.eth.block_number) + 1
    _crash(stack, step, tmp_path / "crash.log")
    sent = operator_txs(stack, from_block=start).total
    assert sent == SENT_BEFORE_CRASH[step]
    assert stack.pending_count() == REVIEWS  # nothing was marked before the crash

    with running(Service(stack.env(), log_path=tmp_path / "restart.log")):
        stack.wait_all_anchored()
    txs = _check_anchored_once(stack, reviews, start)
    record(
        f"crash_at_{step}",
        reviews=REVIEWS,
        txs_sent_before_crash=sent,
        txs_total=txs.total,
        reverted=txs.reverted,
        anchored=REVIEWS - stack.pending_count(),
        rewards_paid=stack.payments_by_status().get("paid", 0),
        duplicates=txs.total - REVIEWS,
    )


def test_a_crash_while_transactions_wait_in_the_pool_does_not_send_them_again(
    stack: Stack, tmp_path: Path
) -> None:
    """Blocks stop being mined, the service dies after sending: on restart it must
    wait for the noted transactions instead of signing new ones for the same visits."""
    reviews = _pending_reviews(stack)
    start = int(stack.w3.eth.block_number) + 1
    rpc = stack.w3.provider.make_request
    rpc("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        _crash(stack, "sent", tmp_path / "crash.log")
        with running(Service(stack.env(), log_path=tmp_path / "restart.log")):
            import time

            time.sleep(2)  # several passes of the restarted worker see them in flight
            in_pool = int(stack.w3.eth.get_transaction_count(stack.operator, "pending"))
            rpc("evm_setAutomine", [True])  # type: ignore[arg-type]
            rpc("evm_mine", [])  # type: ignore[arg-type]
            stack.wait_all_anchored()
    finally:
        rpc("evm_setAutomine", [True])  # type: ignore[arg-type]
    txs = _check_anchored_once(stack, reviews, start)
    assert in_pool == txs.nonce
    record(
        "crash_with_txs_in_pool",
        reviews=REVIEWS,
        txs_total=txs.total,
        reverted=txs.reverted,
        anchored=REVIEWS - stack.pending_count(),
        duplicates=txs.total - REVIEWS,
    )


PIPELINE = 8  # one pass's transactions, in flight together


def test_a_crash_in_the_middle_of_a_pipeline_sends_the_rest_once_from_the_gap(
    stack: Stack, tmp_path: Path
) -> None:
    """One pass signs and notes 8 transactions with consecutive nonces, broadcasts the
    first half and dies. On restart the first half is found (receipts), the second half
    is unknown to the node and its nonces unused: it is signed again from the first free
    nonce. Nothing is sent twice, nothing is lost, no nonce is left empty."""
    reviews = _pending_reviews(stack, PIPELINE)
    start = int(stack.w3.eth.block_number) + 1
    nonce_before = int(stack.w3.eth.get_transaction_count(stack.operator, "latest"))
    _crash(stack, "sent_half", tmp_path / "crash.log")
    sent = operator_txs(stack, from_block=start).total
    assert sent == PIPELINE // 2
    assert stack.pending_count() == PIPELINE  # noted, not marked

    with running(Service(stack.env(), log_path=tmp_path / "restart.log")):
        stack.wait_all_anchored()
    txs = _check_anchored_once(stack, reviews, start)
    nonce_after = int(stack.w3.eth.get_transaction_count(stack.operator, "latest"))
    assert nonce_after - nonce_before == PIPELINE  # every nonce used once, none skipped
    record(
        "crash_mid_pipeline",
        reviews=PIPELINE,
        txs_sent_before_crash=sent,
        txs_total=txs.total,
        reverted=txs.reverted,
        anchored=PIPELINE - stack.pending_count(),
        rewards_paid=stack.payments_by_status().get("paid", 0),
        duplicates=txs.total - PIPELINE,
    )
