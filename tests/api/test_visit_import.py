"""POST /v1/practice/visits/import on a real Anvil, on SQLite and PostgreSQL: signed by
the practice's key, all or nothing, idempotent, a changed visit a conflict."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount

from dentareview.db.queries.invitations import get_invitation
from dentareview.domain.visit_import import MAX_VISITS
from tests.api.system import System, new_wallet
from tests.support.wallet import sign_typed

PATH = "/v1/practice/visits/import"


def entry(
    system: System, signer: LocalAccount, message: dict[str, Any], email: str | None = None
) -> dict[str, Any]:
    body = {"message": message, "signature": sign_typed(signer, system.eip712(), "Visit", message)}
    return body if email is None else {**body, "email": email}


def recorded(system: System, message: dict[str, Any]) -> bool:
    response = system.client.get(f"/v1/visits/{message['visitId']}/invitation")
    return bool(response.status_code == 200)


def test_an_import_records_every_visit_queues_invitations_and_adds_nothing_twice(
    system: System,
) -> None:
    dentist = system.new_dentist()
    messages = [system.visit_message(dentist, new_wallet()) for _ in range(3)]
    body = {
        "visits": [
            entry(system, dentist, messages[0], email="pat.one@example.org"),
            entry(system, dentist, messages[1]),
            entry(system, dentist, messages[2]),
        ]
    }
    first = system.client.post(PATH, json=body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["imported"], answer["alreadyThere"]) == (3, 0)
    assert [r["result"] for r in answer["results"]] == ["imported"] * 3
    assert [r["visitId"] for r in answer["results"]] == [m["visitId"] for m in messages]
    assert all(recorded(system, m) for m in messages)
    with system.sessions() as session:
        invited = get_invitation(session, visit_id=messages[0]["visitId"])
        assert invited is not None and invited.email == "pat.one@example.org"
        plain = get_invitation(session, visit_id=messages[1]["visitId"])
        assert plain is None or plain.email is None
    assert "pat.one@example.org" not in first.text  # never echoed

    again = system.client.post(PATH, json=body)
    assert again.status_code == 200, again.text
    assert (again.json()["imported"], again.json()["alreadyThere"]) == (0, 3)


def test_one_refused_visit_imports_nothing_and_every_outcome_is_said(system: System) -> None:
    dentist = system.new_dentist()
    good = system.visit_message(dentist, new_wallet())
    forged = system.visit_message(dentist, new_wallet())
    future = system.visit_message(dentist, new_wallet(), visited_at=int(time.time()) + 86_400)
    body = {
        "visits": [
            entry(system, dentist, good, email="pat@example.org"),
            entry(system, new_wallet(), forged),
            entry(system, dentist, future),
        ]
    }
    response = system.client.post(PATH, json=body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["error"]["code"] == "VISIT_IMPORT_REJECTED"
    assert answer["error"]["message"] == "2 of 3 visits were refused; none was imported"
    results = answer["results"]
    assert [r["entry"] for r in results] == [1, 2, 3]
    assert [r["result"] for r in results] == ["imported", "refused", "refused"]
    assert results[1]["error"]["code"] == "INVALID_SIGNATURE"
    assert results[2]["error"]["code"] == "VISIT_IN_FUTURE"
    assert not any(recorded(system, m) for m in (good, forged, future))
    with system.sessions() as session:
        assert get_invitation(session, visit_id=good["visitId"]) is None


def test_the_same_visit_id_with_other_content_is_a_conflict(system: System) -> None:
    dentist = system.new_dentist()
    patient = new_wallet()
    original = system.visit_message(dentist, patient)
    assert system.client.post(PATH, json={"visits": [entry(system, dentist, original)]}).is_success
    changed = {**original, "visitedAt": original["visitedAt"] - 3600}
    fresh = system.visit_message(dentist, new_wallet())
    body = {"visits": [entry(system, dentist, fresh), entry(system, dentist, changed)]}
    response = system.client.post(PATH, json=body)
    assert response.status_code == 422, response.text
    results = response.json()["results"]
    assert results[1]["result"] == "refused"
    assert results[1]["error"]["code"] == "VISIT_CONFLICT"
    assert results[1]["error"]["field"] == "message.visitId"
    assert not recorded(system, fresh)


def test_an_import_is_one_dentist_and_bounded(system: System) -> None:
    one, other = system.new_dentist("One Dental"), system.new_dentist("Other Dental")
    body = {
        "visits": [
            entry(system, one, system.visit_message(one, new_wallet())),
            entry(system, other, system.visit_message(other, new_wallet())),
        ]
    }
    mixed = system.client.post(PATH, json=body)
    assert mixed.status_code == 422
    assert mixed.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": "every visit of an import must name the same dentist",
        "field": "visits",
    }
    signed = entry(system, one, system.visit_message(one, new_wallet()))
    too_many = system.client.post(PATH, json={"visits": [signed] * (MAX_VISITS + 1)})
    assert too_many.status_code == 422
    assert too_many.json()["error"]["code"] == "VALIDATION_ERROR"
    empty = system.client.post(PATH, json={"visits": []})
    assert empty.status_code == 422


def test_a_bad_email_refuses_the_import(system: System) -> None:
    dentist = system.new_dentist()
    message = system.visit_message(dentist, new_wallet())
    body = {"visits": [entry(system, dentist, message, email="not an address")]}
    response = system.client.post(PATH, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["results"][0]["error"]["code"] == "INVALID_EMAIL"
    assert "not an address" not in response.text
    assert not recorded(system, message)
