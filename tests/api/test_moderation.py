"""Flags by anyone, decisions by operators (SIWE wallets listed in a setting), public states."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import select
from web3 import Web3

from dentareview.db.models import ModerationDecisionRow, ReviewRow
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
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
    monkeypatch.setenv(
        "DENTAREVIEW_OPERATOR_ADDRESSES", f" {OPERATOR.address.lower()} ,0x{'1' * 40}"
    )
    monkeypatch.setenv("DENTAREVIEW_FLAG_BURST", "3")
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


def as_wallet(system: System, wallet: LocalAccount) -> TestClient:
    return signed_in(TestClient(system.client.app), wallet)


def anchored_review(system: System) -> dict[str, Any]:
    patient, dentist = new_wallet(), system.new_dentist()
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit, rating=1))
    assert response.status_code == 202, response.text
    system.anchor()
    return {"id": response.json()["id"], "dentist": dentist, "patient": patient}


def test_a_flag_keeps_the_review_online_under_review_and_an_operator_removes_it(
    moderated: System,
) -> None:
    system = moderated
    review = anchored_review(system)
    dentist_client = as_wallet(system, review["dentist"])  # the dentist may flag too

    flagged = dentist_client.post(
        f"/v1/reviews/{review['id']}/flags", json={"reason": "not_genuine"}
    )

    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["state"] == "under_review"
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "under_review" and shown["stateLabel"] == "under review"
    assert shown["text"] and shown["rating"] == 1  # still online
    reputation = f"/v1/dentists/{review['dentist'].address}/reputation"
    assert system.client.get(reputation).json()["count"] == 1  # and still counted

    operator = as_wallet(system, OPERATOR)
    flags = operator.get("/v1/moderation/flags")
    assert flags.status_code == 200, flags.text
    assert [(f["reviewId"], f["reason"]) for f in flags.json()] == [(review["id"], "not_genuine")]
    decided = operator.post(
        f"/v1/moderation/reviews/{review['id']}/decisions",
        json={"action": "remove", "reason": "personal_information", "note": "names a nurse"},
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["operator"] == OPERATOR.address and decided.json()["resolvedFlags"] == 1

    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "removed"
    assert shown["stateLabel"] == "removed by moderation: personal information"
    assert shown["text"] == "" and shown["rating"] is None
    assert [(d["action"], d["reason"], d["operator"]) for d in shown["decisions"]] == [
        ("remove", "personal_information", OPERATOR.address)
    ]
    assert system.client.get(reputation).json()["count"] == 0
    assert operator.get("/v1/moderation/flags").json() == []
    with system.sessions() as session:  # what the patient signed is untouched
        row = session.get(ReviewRow, review["id"])
        assert row is not None and row.text and row.rating == 1


def test_keep_resolves_the_flags_and_is_recorded(moderated: System) -> None:
    system = moderated
    review = anchored_review(system)
    assert (
        system.client.post(
            f"/v1/reviews/{review['id']}/flags", json={"reason": "advertising"}
        ).status_code
        == 201
    )
    operator = as_wallet(system, OPERATOR)
    kept = operator.post(
        f"/v1/moderation/reviews/{review['id']}/decisions",
        json={"action": "keep", "reason": "no_violation"},
    )
    assert kept.status_code == 201, kept.text
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "published"
    assert shown["decisions"][0]["action"] == "keep"
    assert shown["decisions"][0]["reasonLabel"] == "no violation found"
    with system.sessions() as session:
        decisions = session.scalars(select(ModerationDecisionRow)).all()
        assert [(d.action, d.operator) for d in decisions] == [("keep", OPERATOR.address)]


def test_only_operators_moderate(moderated: System) -> None:
    system = moderated
    review = anchored_review(system)
    decision = {"action": "remove", "reason": "advertising"}
    path = f"/v1/moderation/reviews/{review['id']}/decisions"
    anonymous = system.client.post(path, json=decision)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "NOT_SIGNED_IN"
    for wallet in (review["dentist"], review["patient"], new_wallet()):
        client = as_wallet(system, wallet)
        refused = client.post(path, json=decision)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "NOT_AN_OPERATOR"
        assert client.get("/v1/moderation/flags").status_code == 403
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["state"] == "published"


def test_bad_flags_and_decisions_get_clear_errors_and_flags_are_rate_limited(
    moderated: System,
) -> None:
    system = moderated
    review = anchored_review(system)
    path = f"/v1/reviews/{review['id']}/flags"
    bad = system.client.post(path, json={"reason": "i do not like it"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "VALIDATION_ERROR"
    missing = system.client.post("/v1/reviews/999999/flags", json={"reason": "advertising"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "REVIEW_NOT_FOUND"
    operator = as_wallet(system, OPERATOR)
    wrong = operator.post(
        f"/v1/moderation/reviews/{review['id']}/decisions",
        json={"action": "remove", "reason": "no_violation"},
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "reason"
    codes = [system.client.post(path, json={"reason": "advertising"}).status_code for _ in range(5)]
    assert 429 in codes  # burst of 3 per client address (two spent above, one refused)


def test_anomaly_signals_mark_a_burst_of_new_wallets_under_review(moderated: System) -> None:
    system = moderated
    dentist = system.new_dentist()
    ids = []
    for _ in range(6):  # six five-star reviews within minutes, all from brand-new wallets
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient, visited_at=int(time.time()) - 3600)
        response = system.post_review(patient, system.review_message(visit))
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    system.anchor()
    operator = as_wallet(system, OPERATOR)
    path = f"/v1/moderation/dentists/{dentist.address}/signals"
    assert as_wallet(system, dentist).get(path).status_code == 403

    signals = operator.get(path)

    assert signals.status_code == 200, signals.text
    by_name = {s["name"]: s for s in signals.json()["signals"]}
    assert by_name["new_wallets"]["raised"] is True and by_name["new_wallets"]["value"] == 1.0
    assert by_name["burst"]["raised"] is True
    assert by_name["rating_shift"]["raised"] is False  # no earlier reviews to shift from
    marked = operator.post(f"{path}/mark")
    assert marked.status_code == 200, marked.text
    assert sorted(marked.json()["marked"]) == sorted(ids)
    listing = system.client.get(f"/v1/dentists/{dentist.address}/reviews").json()
    assert {item["state"] for item in listing["items"]} == {"under_review"}  # online
    assert listing["items"][0]["decisions"][0]["reason"] == "anomaly"
    # The documented path: an operator keeps (or removes) each one.
    kept = operator.post(
        f"/v1/moderation/reviews/{ids[0]}/decisions",
        json={"action": "keep", "reason": "no_violation"},
    )
    assert kept.status_code == 201
    assert system.client.get(f"/v1/reviews/{ids[0]}").json()["state"] == "published"
