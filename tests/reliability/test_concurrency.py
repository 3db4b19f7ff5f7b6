"""Concurrent submissions against two uvicorn workers on PostgreSQL: one review per
visit, one reward, one relaying process, no colliding nonce."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dentareview.api.convert import review_from_wire, signature_from_wire, visit_from_wire
from dentareview.api.schemas import SignedReview, SignedVisit
from dentareview.db.models import ReviewRow
from dentareview.db.queries.reviews import ReviewTarget
from dentareview.domain.models import Eip712Domain
from dentareview.errors import DuplicateReview
from dentareview.services import reviews as reviews_service
from dentareview.services.reviews import submit_review
from dentareview.services.visits import attest_visit
from tests.api.system import REVIEW_TEXT, new_wallet
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

CONCURRENCY = 50


@pytest.fixture(scope="module")
def stack(own_chain: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("data")
    with postgres_stack(own_chain, data_dir) as stack:
        yield stack


@pytest.fixture(scope="module")
def service(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    log = tmp_path_factory.mktemp("logs") / "service.log"
    with running(Service(stack.env(), workers=2, log_path=log)) as service:
        yield service


def _accepted(answers: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [body for status, body in answers if status in (201, 202)]


def _attest(service: Service, visits: list[dict[str, Any]]) -> None:
    answers = fire(
        lambda client, i: client.post(f"{service.url}/v1/visits", json=visits[i]), len(visits)
    )
    assert [status for status, _ in answers] == [201] * len(visits), answers


def _race_one_visit(
    stack: Stack, service: Service, bodies: list[dict[str, Any]], patient_address: str, name: str
) -> None:
    answers = fire(
        lambda client, i: client.post(f"{service.url}/v1/reviews", json=bodies[i]), len(bodies)
    )
    accepted = _accepted(answers)
    refused = codes_of([a for a in answers if a[0] not in (201, 202)])
    stack.wait_all_anchored()
    visit_id = bodies[0]["message"]["visitId"]
    anchors = anchors_per_visit(stack).get(visit_id, 0)
    balance = stack.gateway.deployment().token.functions.balanceOf(patient_address).call()
    rewards = balance // stack.manifest.reward_amount
    record(
        name,
        requests=len(bodies),
        accepted=len(accepted),
        refused=refused,
        anchored=anchors,
        rewards_minted=rewards,
        duplicates=anchors - 1 + rewards - 1,
    )
    assert len(accepted) == 1, answers
    assert refused == {"DUPLICATE_REVIEW": len(bodies) - 1}
    assert anchors == 1
    assert balance == stack.manifest.reward_amount


def test_fifty_copies_of_one_signed_review_make_one_review_and_one_reward(
    stack: Stack, service: Service
) -> None:
    dentist, patient = stack.new_dentist(), new_wallet()
    visit = stack.signed_visit(dentist, patient)
    _attest(service, [visit])
    body = stack.signed_review(patient, visit["message"])
    _race_one_visit(stack, service, [body] * CONCURRENCY, patient.address, "same_review_x50")


def test_fifty_different_reviews_of_one_visit_make_one_review_and_one_reward(
    stack: Stack, service: Service
) -> None:
    dentist, patient = stack.new_dentist(), new_wallet()
    visit = stack.signed_visit(dentist, patient)
    _attest(service, [visit])
    bodies = [
        stack.signed_review(
            patient, visit["message"], rating=1 + i % 5, text=f"{REVIEW_TEXT} Note {i}."
        )
        for i in range(CONCURRENCY)
    ]
    _race_one_visit(stack, service, bodies, patient.address, "different_reviews_one_visit_x50")


def test_a_burst_on_two_workers_is_relayed_by_one_with_no_colliding_nonce(
    stack: Stack, service: Service
) -> None:
    dentists = [stack.new_dentist() for _ in range(4)]
    patients = [new_wallet() for _ in range(CONCURRENCY)]
    visits = [stack.signed_visit(dentists[i % 4], p) for i, p in enumerate(patients)]
    _attest(service, visits)
    bodies = [stack.signed_review(p, v["message"]) for p, v in zip(patients, visits, strict=True)]
    answers = fire(
        lambda client, i: client.post(f"{service.url}/v1/reviews", json=bodies[i]), len(bodies)
    )
    seconds = stack.wait_all_anchored()
    with stack.sessions() as session:
        anchored = int(session.scalar(select(func.count()).select_from(ReviewRow)) or 0)
    txs = operator_txs(stack)
    anchors = anchors_per_visit(stack)
    minted = rewards_minted(stack)
    record(
        "burst_two_workers",
        requests=len(bodies),
        accepted=len(_accepted(answers)),
        refused=codes_of([a for a in answers if a[0] not in (201, 202)]),
        anchored_in_module=anchored,
        seconds_to_anchor_all=round(seconds, 2),
        operator_txs=txs.total,
        operator_nonce=txs.nonce,
        reverted_txs=txs.reverted,
        submit_review_txs=txs.submit_reviews,
        rewards_minted=minted,
        duplicates=sum(count - 1 for count in anchors.values()),
    )
    assert len(_accepted(answers)) == len(bodies), answers
    assert txs.nonce == txs.total  # every nonce used exactly once, none skipped
    assert txs.reverted == 0
    assert txs.submit_reviews == anchored == len(anchors)
    assert set(anchors.values()) == {1}
    assert minted == anchored


def test_the_unique_constraint_alone_refuses_a_second_review(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the application's duplicate check switched off, PostgreSQL's unique
    constraint still lets exactly one of twenty concurrent submissions through."""
    looked_up = reviews_service.visit_for_review

    def blind(session: Session, *, visit_id: str) -> ReviewTarget | None:
        target = looked_up(session, visit_id=visit_id)
        return None if target is None else dataclasses.replace(target, reviewed=False)

    monkeypatch.setattr(reviews_service, "visit_for_review", blind)
    dentist, patient = stack.new_dentist(), new_wallet()
    visit = stack.signed_visit(dentist, patient)

    domain = Eip712Domain(
        chain_id=stack.manifest.chain_id, verifying_contract=stack.manifest.registry.address
    )
    policy = stack.settings.policy()
    signed_visit = SignedVisit.model_validate(visit)
    with stack.sessions() as session:
        attest_visit(
            session,
            domain=domain,
            visit=visit_from_wire(signed_visit.message),
            signature=signature_from_wire(signed_visit.signature),
            now=int(time.time()),
            policy=policy,
        )
        session.commit()
    bodies = [
        SignedReview.model_validate(
            stack.signed_review(patient, visit["message"], text=f"{REVIEW_TEXT} Take {i}.")
        )
        for i in range(20)
    ]
    barrier = threading.Barrier(len(bodies))
    outcomes: list[str] = []

    def submit(body: SignedReview) -> None:
        with stack.sessions() as session:
            barrier.wait()
            try:
                submit_review(
                    session,
                    domain=domain,
                    review=review_from_wire(body.message),
                    signature=signature_from_wire(body.signature),
                    now=int(time.time()),
                    policy=policy,
                    reward_amount=stack.manifest.reward_amount,
                )
                session.commit()
                outcomes.append("accepted")
            except DuplicateReview:
                outcomes.append("DUPLICATE_REVIEW")

    threads = [threading.Thread(target=submit, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with stack.sessions() as session:
        stored = session.scalar(
            select(func.count())
            .select_from(ReviewRow)
            .where(ReviewRow.visit_id == visit["message"]["visitId"])
        )
    record(
        "constraint_only_x20",
        requests=len(bodies),
        accepted=outcomes.count("accepted"),
        refused={"DUPLICATE_REVIEW": outcomes.count("DUPLICATE_REVIEW")},
        stored=stored,
    )
    assert sorted(outcomes) == ["DUPLICATE_REVIEW"] * 19 + ["accepted"]
    assert stored == 1
