"""Nothing public names a patient; patient-only views answer to that patient's wallet.

Each of these failed before sign-in existed: the public proof carried the patient's
wallet and visit time, and anyone could read any wallet's rewards.
"""

from __future__ import annotations

import json
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from tests.api.system import System, new_wallet
from tests.support.siwe import signed_in


def posted_review(system: System, patient: LocalAccount, dentist: LocalAccount) -> dict[str, Any]:
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit))
    assert response.status_code == 202, response.text
    return {"id": response.json()["id"], "visit": visit}


def names(body: object, wallet: LocalAccount) -> bool:
    """Does the JSON mention the wallet, in any case, with or without 0x?"""
    return wallet.address[2:].lower() in json.dumps(body).lower()


def as_wallet(system: System, wallet: LocalAccount) -> TestClient:
    return signed_in(TestClient(system.client.app), wallet)


def test_the_public_proof_names_no_patient_and_no_visit_time(system: System) -> None:
    patient, dentist = new_wallet(), system.new_dentist()
    review = posted_review(system, patient, dentist)
    system.anchor()

    response = system.client.get(f"/v1/reviews/{review['id']}/proof")

    assert response.status_code == 200, response.text
    proof = response.json()
    assert proof["kind"] == "public"
    assert not names(proof, patient)
    assert "visitedAt" not in json.dumps(proof["review"])
    assert "visit" not in proof and "signature" not in proof["review"]
    assert str(review["visit"]["visitedAt"]) not in json.dumps(proof)
    assert proof["dentist"] == dentist.address
    assert proof["withheld"] == [
        "review.signature",
        "visit.message.patient",
        "visit.message.visitedAt",
        "visit.signature",
    ]
    assert proof["review"]["message"]["visitId"] == review["visit"]["visitId"]


def test_public_review_views_never_show_the_patient(system: System) -> None:
    patient, dentist = new_wallet(), system.new_dentist()
    anchored = posted_review(system, patient, dentist)
    system.anchor()
    pending = posted_review(system, patient, system.new_dentist())

    for path in (
        f"/v1/reviews/{anchored['id']}",
        f"/v1/reviews/{pending['id']}",
        f"/v1/dentists/{dentist.address}/reviews?includePending=true",
        f"/v1/dentists/{dentist.address}/reputation",
    ):
        response = system.client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert not names(response.json(), patient), path


def test_rewards_answer_only_to_the_wallet_signed_in(system: System) -> None:
    patient, stranger = new_wallet(), new_wallet()
    posted_review(system, patient, system.new_dentist())
    path = f"/v1/patients/{patient.address}/rewards"

    anonymous = system.client.get(path)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "NOT_SIGNED_IN"

    other = as_wallet(system, stranger).get(path)
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "FORBIDDEN"
    assert not names(other.json(), patient)

    own = as_wallet(system, patient).get(path.lower())  # any case in, checksummed out
    assert own.status_code == 200, own.text
    assert own.json()["patient"] == patient.address
    assert own.json()["earned"] == str(system.manifest.reward_amount)


def test_own_rewards_need_no_wallet_in_the_path(system: System) -> None:
    patient = new_wallet()
    posted_review(system, patient, system.new_dentist())
    assert system.client.get("/v1/me/rewards").json()["error"]["code"] == "NOT_SIGNED_IN"
    own = as_wallet(system, patient).get("/v1/me/rewards")
    assert own.status_code == 200, own.text
    assert own.json()["patient"] == patient.address
    assert (
        own.json()
        == as_wallet(system, patient).get(f"/v1/patients/{patient.address}/rewards").json()
    )


def test_a_stranger_reviewing_a_public_visit_id_learns_nothing_of_its_patient(
    system: System,
) -> None:
    patient = new_wallet()
    review = posted_review(system, patient, system.new_dentist())
    visit_id = system.client.get(f"/v1/reviews/{review['id']}").json()["visitId"]
    forged = system.review_message({"visitId": visit_id})

    response = system.post_review(new_wallet(), forged)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NOT_VISIT_PATIENT"
    assert not names(response.json(), patient)
    assert str(review["visit"]["visitedAt"]) not in response.text


def test_a_malformed_address_is_still_a_validation_error_when_signed_in(system: System) -> None:
    response = as_wallet(system, new_wallet()).get("/v1/patients/0x1234/rewards")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_my_reviews_list_the_signed_in_patients_own_with_status_and_reward(
    system: System,
) -> None:
    patient, dentist = new_wallet(), system.new_dentist()
    first = posted_review(system, patient, dentist)
    system.anchor()
    second = posted_review(system, patient, dentist)  # same dentist: cooldown, no reward
    posted_review(system, new_wallet(), dentist)  # somebody else's

    response = as_wallet(system, patient).get("/v1/me/reviews")

    assert response.status_code == 200, response.text
    page = response.json()
    assert page["patient"] == patient.address and page["total"] == 2
    newest, oldest = page["items"]
    assert (newest["id"], oldest["id"]) == (second["id"], first["id"])
    assert oldest["status"] == "anchored" and newest["status"] == "pending"
    assert oldest["visitedAt"] == first["visit"]["visitedAt"]
    assert oldest["reward"]["rewarded"] is True
    assert oldest["reward"]["amount"] == str(system.manifest.reward_amount)
    assert oldest["reward"]["status"] in {"paid", "queued"}
    assert newest["reward"] == {
        "rewarded": False,
        "amount": "0",
        "status": "none",
        "reasonCode": "DENTIST_COOLDOWN",
        "reason": newest["reward"]["reason"],
    }
    assert (
        as_wallet(system, patient).get("/v1/me/reviews?limit=1&offset=1").json()["items"][0]["id"]
        == first["id"]
    )


def test_my_reviews_need_a_session(system: System) -> None:
    response = system.client.get("/v1/me/reviews")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "NOT_SIGNED_IN"


def test_the_full_proof_is_for_the_reviews_own_patient_only(system: System) -> None:
    patient, dentist = new_wallet(), system.new_dentist()
    review = posted_review(system, patient, dentist)
    system.anchor()
    path = f"/v1/me/reviews/{review['id']}/proof"

    assert system.client.get(path).json()["error"]["code"] == "NOT_SIGNED_IN"
    other = as_wallet(system, new_wallet()).get(path)
    assert (other.status_code, other.json()["error"]["code"]) == (403, "FORBIDDEN")

    own = as_wallet(system, patient).get(path)

    assert own.status_code == 200, own.text
    proof = own.json()
    assert proof["kind"] == "full"
    assert proof["visit"]["message"] == review["visit"]
    assert proof["visit"]["message"]["patient"] == patient.address
    assert proof["review"]["signature"].startswith("0x")
    public = system.client.get(f"/v1/reviews/{review['id']}/proof").json()
    for key in ("reviewId", "chainId", "registry", "domain", "types", "digest", "anchor"):
        assert public[key] == proof[key], key
    assert public["review"]["message"] == proof["review"]["message"]


def test_the_full_proof_of_an_unknown_or_pending_review(system: System) -> None:
    patient = new_wallet()
    review = posted_review(system, patient, system.new_dentist())
    client = as_wallet(system, patient)

    unknown = client.get("/v1/me/reviews/999999/proof")
    pending = client.get(f"/v1/me/reviews/{review['id']}/proof")

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "REVIEW_NOT_FOUND")
    assert (pending.status_code, pending.json()["error"]["code"]) == (409, "REVIEW_NOT_ANCHORED")


def test_a_visit_answers_only_to_its_patient_and_its_dentist(system: System) -> None:
    """Every review publishes its visitId: the visit behind it must not name the patient."""
    patient, dentist = new_wallet(), system.new_dentist()
    review = posted_review(system, patient, dentist)
    visit_id = system.client.get(f"/v1/reviews/{review['id']}").json()["visitId"]
    path = f"/v1/visits/{visit_id}"

    anonymous = system.client.get(path)
    stranger = as_wallet(system, new_wallet()).get(path)
    other_dentist = as_wallet(system, system.new_dentist("Across the Street")).get(path)

    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "NOT_SIGNED_IN")
    for refused in (stranger, other_dentist):
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    for answer in (anonymous, stranger, other_dentist):
        assert not names(answer.json(), patient)
        assert str(review["visit"]["visitedAt"]) not in answer.text
    for party in (patient, dentist):
        own = as_wallet(system, party).get(f"/v1/visits/0x{visit_id[2:].upper()}")
        assert own.status_code == 200, own.text
        assert own.headers["cache-control"] == "no-store"
        body = own.json()
        assert (body["patient"], body["dentist"]) == (patient.address, dentist.address)
        assert body["visitedAt"] == review["visit"]["visitedAt"]
        assert body["review"] == {"id": review["id"], "status": "pending"}


def test_the_invitation_shows_anyone_the_practice_and_nothing_of_the_patient(
    system: System,
) -> None:
    patient, dentist = new_wallet(), system.new_dentist("Link Dental")
    visit = system.attested_visit(dentist, patient)
    path = f"/v1/visits/{visit['visitId']}/invitation"

    before = system.client.get(path)
    response = system.post_review(patient, system.review_message(visit))
    after = system.client.get(path)

    assert before.status_code == 200, before.text
    assert before.json() == {
        "visitId": visit["visitId"],
        "dentist": dentist.address,
        "dentistName": "Link Dental",
        "dentistActive": True,
        "review": None,
    }
    assert after.json()["review"] == {"id": response.json()["id"], "status": "pending"}
    for answer in (before, after):
        assert not names(answer.json(), patient)
        assert str(visit["visitedAt"]) not in answer.text
    missing = system.client.get("/v1/visits/0x" + "ab" * 32 + "/invitation")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "VISIT_NOT_FOUND")
    malformed = system.client.get("/v1/visits/0x1234/invitation")
    assert (malformed.status_code, malformed.json()["error"]["field"]) == (422, "visitId")
