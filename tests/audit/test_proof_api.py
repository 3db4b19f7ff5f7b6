"""The full proof (GET /v1/me/reviews/{id}/proof, for the patient) and the public one
(GET /v1/reviews/{id}/proof), verified by `dentareview verify` against the node alone."""

from __future__ import annotations

import json
from pathlib import Path

from dentareview.domain.typed_data import PROOF_TYPES
from tests.api.system import System
from tests.audit.helpers import post_review, proof_of, verify, verify_json

CHECKS = [
    "chain",
    "domain",
    "digest",
    "review-signature",
    "visit-signature",
    "dentist",
    "anchor-event",
    "anchored-at",
    "reward",
]


def test_a_real_reviews_proof_verifies(system: System, tmp_path: Path) -> None:
    posted = post_review(system)
    system.anchor()
    stored = system.client.get(f"/v1/reviews/{posted.id}").json()

    proof = proof_of(system, posted)

    assert proof["version"] == 1
    assert proof["kind"] == "full"
    assert proof["reviewId"] == posted.id
    assert proof["chainId"] == system.manifest.chain_id
    assert proof["registry"] == system.manifest.registry.address
    assert proof["domain"] == system.eip712()["domain"]
    assert proof["types"] == PROOF_TYPES
    assert proof["review"]["message"] == posted.message
    assert proof["visit"]["message"] == posted.visit
    assert proof["digest"] == stored["digest"]
    assert proof["anchor"] == {
        "kind": "single",
        "txHash": stored["txHash"],
        "blockNumber": stored["blockNumber"],
        "logIndex": stored["logIndex"],
    }

    result = verify(system, proof, tmp_path, "--registry", system.manifest.registry.address)
    assert result.exit_code == 0, result.output
    for name in CHECKS:
        assert f"PASS  {name}" in result.output
    assert "FAIL" not in result.output
    assert f"{system.manifest.reward_amount} token units minted to {posted.patient.address}" in (
        result.output
    )
    assert "VERIFIED: all 9 checks hold" in result.output
    assert "RPC calls: " in result.output

    code, checks = verify_json(system, proof, tmp_path)
    assert code == 0
    assert checks == dict.fromkeys(CHECKS, True)


def test_an_unrewarded_review_verifies_and_says_it_was_not_rewarded(
    system: System, tmp_path: Path
) -> None:
    first = post_review(system)
    second = post_review(system, dentist=first.dentist, patient=first.patient)  # cooldown
    system.anchor()

    result = verify(system, proof_of(system, second), tmp_path)

    assert result.exit_code == 0, result.output
    assert "not rewarded: the event's reward is 0 and nothing was queued" in result.output


def test_a_pending_review_has_no_proof_yet(system: System) -> None:
    posted = post_review(system)

    response = system.client.get(f"/v1/reviews/{posted.id}/proof")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "REVIEW_NOT_ANCHORED"
    system.anchor()
    assert system.client.get(f"/v1/reviews/{posted.id}/proof").status_code == 200


def test_an_unknown_review_has_no_proof(system: System) -> None:
    response = system.client.get("/v1/reviews/999999/proof")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "REVIEW_NOT_FOUND"


def test_the_proof_route_is_documented(system: System) -> None:
    spec = system.client.get("/openapi.json").json()
    route = spec["paths"]["/v1/reviews/{review_id}/proof"]["get"]
    assert "REVIEW_NOT_ANCHORED" in json.dumps(route["responses"]["409"])
