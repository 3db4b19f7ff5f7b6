"""Anonymous reviews are reported and moderated as named ones: the same reasons, limits,
states and public record, keyed by the anonymous review's id; a removed one is not shown
nor counted. The review is stored as the publisher leaves it once anchored
(tests/support/anonymous_rows.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web3 import Web3

from dentareview.db.models import AnonymousReviewRow, ModerationDecisionRow, ReviewFlagRow
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.support.anonymous_rows import TEXT
from tests.support.anonymous_rows import anchored_anonymous as stored_anonymous
from tests.support.anvil import AnvilNode
from tests.support.siwe import signed_in

OPERATOR = new_wallet()


@pytest.fixture
def moderated(
    anvil: AnvilNode,
    w3: Web3,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[System]:
    monkeypatch.setenv("DENTAREVIEW_OPERATOR_ADDRESSES", OPERATOR.address.lower())
    monkeypatch.setenv("DENTAREVIEW_FLAG_BURST", "3")
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


def as_wallet(system: System, wallet: LocalAccount) -> TestClient:
    return signed_in(TestClient(system.client.app), wallet)


def anchored_anonymous(system: System, dentist: LocalAccount, *, rating: int = 2) -> str:
    return stored_anonymous(system.sessions, dentist.address, rating=rating)


def count(system: System, dentist: LocalAccount) -> int:
    reputation = system.client.get(f"/v1/dentists/{dentist.address}/reputation")
    assert reputation.status_code == 200, reputation.text
    return int(reputation.json()["count"])


def test_a_reported_anonymous_review_stays_under_review_until_an_operator_removes_it(
    moderated: System,
) -> None:
    system = moderated
    dentist = system.new_dentist()
    review_id = anchored_anonymous(system, dentist)
    assert count(system, dentist) == 1

    flagged = system.client.post(
        f"/v1/anonymous-reviews/{review_id}/flags", json={"reason": "personal_information"}
    )

    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["state"] == "under_review"
    assert flagged.json()["anonymousReviewId"] == review_id
    shown = system.client.get(f"/v1/anonymous-reviews/{review_id}").json()
    assert shown["state"] == "under_review" and shown["stateLabel"] == "under review"
    assert shown["text"] == TEXT and shown["rating"] == 2  # still online
    assert count(system, dentist) == 1  # and still counted

    operator = as_wallet(system, OPERATOR)
    assert operator.get("/v1/moderation/flags").json() == []  # named reviews' flags only
    queue = operator.get("/v1/moderation/anonymous-flags")
    assert queue.status_code == 200, queue.text
    assert [(f["anonymousReviewId"], f["reason"]) for f in queue.json()] == [
        (review_id, "personal_information")
    ]
    decided = operator.post(
        f"/v1/moderation/anonymous-reviews/{review_id}/decisions",
        json={"action": "remove", "reason": "personal_information", "note": "names a nurse"},
    )
    assert decided.status_code == 201, decided.text
    body = decided.json()
    assert body["anonymousReviewId"] == review_id and body["reviewId"] is None
    assert body["operator"] == OPERATOR.address and body["resolvedFlags"] == 1

    for shown in (
        system.client.get(f"/v1/anonymous-reviews/{review_id}").json(),
        system.client.get(f"/v1/dentists/{dentist.address}/anonymous-reviews").json()["items"][0],
    ):
        assert shown["state"] == "removed"
        assert shown["stateLabel"] == "removed by moderation: personal information"
        assert shown["text"] == "" and shown["rating"] is None and shown["waitTime"] is None
        assert [(d["action"], d["reason"], d["note"]) for d in shown["decisions"]] == [
            ("remove", "personal_information", "names a nurse")
        ]
    assert count(system, dentist) == 0
    assert operator.get("/v1/moderation/anonymous-flags").json() == []
    with system.sessions() as session:  # what was proven is untouched
        row = session.get(AnonymousReviewRow, review_id)
        assert row is not None and row.text == TEXT and row.rating == 2


def test_keep_resolves_the_reports_and_the_review_still_counts(moderated: System) -> None:
    system = moderated
    dentist = system.new_dentist()
    review_id = anchored_anonymous(system, dentist, rating=5)
    path = f"/v1/anonymous-reviews/{review_id}/flags"
    assert system.client.post(path, json={"reason": "advertising"}).status_code == 201
    assert system.client.post(path, json={"reason": "not_genuine"}).status_code == 201
    operator = as_wallet(system, OPERATOR)

    kept = operator.post(
        f"/v1/moderation/anonymous-reviews/{review_id}/decisions",
        json={"action": "keep", "reason": "no_violation"},
    )

    assert kept.status_code == 201, kept.text
    assert kept.json()["resolvedFlags"] == 2
    shown = system.client.get(f"/v1/anonymous-reviews/{review_id}").json()
    assert shown["state"] == "published" and shown["stateLabel"] is None
    assert shown["text"] == TEXT and shown["rating"] == 5
    assert shown["decisions"][0]["reasonLabel"] == "no violation found"
    assert count(system, dentist) == 1
    with system.sessions() as session:
        decisions = session.scalars(select(ModerationDecisionRow)).all()
        assert [(d.action, d.review_id, d.anonymous_review_id) for d in decisions] == [
            ("keep", None, review_id)
        ]


def test_only_operators_moderate_and_bad_reports_store_nothing(moderated: System) -> None:
    system = moderated
    dentist = system.new_dentist()
    review_id = anchored_anonymous(system, dentist)
    decision = {"action": "remove", "reason": "advertising"}
    path = f"/v1/moderation/anonymous-reviews/{review_id}/decisions"
    signed_out = system.client.post(path, json=decision)
    assert signed_out.status_code == 401
    assert signed_out.json()["error"]["code"] == "NOT_SIGNED_IN"
    for wallet in (dentist, new_wallet()):
        client = as_wallet(system, wallet)
        refused = client.post(path, json=decision)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "NOT_AN_OPERATOR"
        assert client.get("/v1/moderation/anonymous-flags").status_code == 403

    flags = f"/v1/anonymous-reviews/{review_id}/flags"
    bad = system.client.post(flags, json={"reason": "i do not like it"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "VALIDATION_ERROR"
    missing = system.client.post(
        f"/v1/anonymous-reviews/0x{'00' * 16}/flags", json={"reason": "advertising"}
    )
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "ANONYMOUS_REVIEW_NOT_FOUND"
    operator = as_wallet(system, OPERATOR)
    wrong = operator.post(path, json={"action": "remove", "reason": "no_violation"})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "reason"
    with system.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReviewFlagRow)) == 0
        assert session.scalar(select(func.count()).select_from(ModerationDecisionRow)) == 0
    shown = system.client.get(f"/v1/anonymous-reviews/{review_id}").json()
    assert shown["state"] == "published" and count(system, dentist) == 1
    codes = [
        system.client.post(flags, json={"reason": "advertising"}).status_code for _ in range(5)
    ]
    assert 429 in codes  # the review flags' burst of 3 per client address
