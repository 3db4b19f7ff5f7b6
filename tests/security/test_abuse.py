"""Abuse through the service: self-reviews, replayed signatures (same chain, another
chain id, another registry) and deactivated dentists."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractLogicError

from dentareview.config import Settings
from dentareview.domain.models import Review, Visit
from dentareview.services.dentists import deactivate_dentist, register_dentist
from dentareview.services.deploy import deploy
from tests.api.system import System, new_wallet
from tests.reliability.figures import codes_of, record
from tests.support.wallet import sign_typed


def _eip712_for(system: System, **domain: Any) -> dict[str, Any]:
    body = system.eip712()
    return {**body, "domain": {**body["domain"], **domain}}


def _post_signed(
    system: System,
    path: str,
    signer: LocalAccount,
    eip712: dict[str, Any],
    primary: str,
    message: dict[str, Any],
) -> Any:
    signature = sign_typed(signer, eip712, primary, message)
    return system.client.post(path, json={"message": message, "signature": signature})


@pytest.mark.parametrize("spelling", ["checksummed", "lower", "upper"])
def test_a_dentist_cannot_attest_a_visit_to_themselves(system: System, spelling: str) -> None:
    dentist = system.new_dentist()
    patient = {
        "checksummed": dentist.address,
        "lower": dentist.address.lower(),
        "upper": "0x" + dentist.address[2:].upper(),
    }[spelling]
    message = {**system.visit_message(dentist, dentist), "patient": patient}
    response = system.post_visit(dentist, message)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "SELF_REVIEW"


def test_replayed_signatures_are_refused(system: System, tmp_path: Path) -> None:
    dentist, patient = system.new_dentist(), new_wallet()
    answers: list[Any] = []

    # Same chain, same registry: a second post of the same signed visit or review.
    visit = system.visit_message(dentist, patient)
    signature = sign_typed(dentist, system.eip712(), "Visit", visit)
    body = {"message": visit, "signature": signature}
    answers += [system.client.post("/v1/visits", json=body) for _ in range(2)]
    review = system.review_message(visit)
    review_body = {
        "message": review,
        "signature": sign_typed(patient, system.eip712(), "Review", review),
    }
    answers += [system.client.post("/v1/reviews", json=review_body) for _ in range(2)]
    assert system.anchor().anchored == 1
    # ... and on-chain: the relayer cannot anchor the same review again.
    with pytest.raises(ContractLogicError) as refused:
        _resubmit(system, visit, body["signature"], review, review_body["signature"])
    registry = system.gateway.deployment().registry
    assert registry.error_name(str(refused.value.data)) == "VisitAlreadyReviewed"

    # Another chain id, or another registry: the domain is part of what was signed.
    other_chain = _eip712_for(system, chainId=1)
    other_settings = Settings(rpc_url=system.settings.rpc_url, data_dir=tmp_path / "other")
    other_manifest, _ = deploy(other_settings, system.w3)
    other_registry = _eip712_for(system, verifyingContract=other_manifest.registry.address)
    for eip712 in (other_chain, other_registry):
        foreign_visit = system.visit_message(dentist, patient)
        answers.append(_post_signed(system, "/v1/visits", dentist, eip712, "Visit", foreign_visit))
        open_visit = system.attested_visit(dentist, patient)
        answers.append(
            _post_signed(
                system, "/v1/reviews", patient, eip712, "Review", system.review_message(open_visit)
            )
        )
    codes = [(r.status_code, r.json().get("error", {}).get("code")) for r in answers]
    record(
        "replays",
        requests=len(answers),
        answers=codes_of([(r.status_code, r.json()) for r in answers]),
        anchored=1,
    )
    assert codes == [
        (201, None),
        (409, "DUPLICATE_VISIT"),
        (202, None),
        (409, "DUPLICATE_REVIEW"),
        (400, "INVALID_SIGNATURE"),  # visit signed for chain 1
        (403, "NOT_VISIT_PATIENT"),  # review signed for chain 1
        (400, "INVALID_SIGNATURE"),  # visit signed for another registry
        (403, "NOT_VISIT_PATIENT"),  # review signed for another registry
    ]


def _resubmit(
    system: System, visit: dict[str, Any], visit_sig: str, review: dict[str, Any], review_sig: str
) -> None:
    deployment = system.gateway.deployment()
    call = deployment.registry.submit_review(
        Visit(
            visit_id=bytes.fromhex(visit["visitId"][2:]),
            patient=visit["patient"],
            dentist=visit["dentist"],
            visited_at=visit["visitedAt"],
        ),
        bytes.fromhex(visit_sig[2:]),
        Review(
            visit_id=bytes.fromhex(review["visitId"][2:]),
            rating=review["rating"],
            treatment=review["treatment"],
            bedside=review["bedside"],
            wait_time=review["waitTime"],
            text=review["text"],
            deadline=review["deadline"],
        ),
        bytes.fromhex(review_sig[2:]),
        rewardable=True,
        accepted_at=int(time.time()),
    )
    call.call({"from": deployment.sender.address})


def test_a_deactivated_dentist_loses_new_visits_not_old_reviews(system: System) -> None:
    dentist = system.new_dentist()
    old_patient, late_patient = new_wallet(), new_wallet()
    old_visit = system.attested_visit(dentist, old_patient)
    late_visit = system.attested_visit(dentist, late_patient)
    old = system.post_review(old_patient, system.review_message(old_visit))
    assert system.anchor().anchored == 1
    deployment = system.gateway.deployment()
    nonce = deployment.sender.pending_nonce()
    deactivate_dentist(system.sessions, deployment, address=dentist.address, now=int(time.time()))

    refused = system.post_visit(dentist, system.visit_message(dentist, new_wallet()))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "DENTIST_INACTIVE"
    # The old review stays anchored, counted and provable on-chain.
    review = system.client.get(f"/v1/reviews/{old.json()['id']}").json()
    assert review["status"] == "anchored"
    reputation = system.client.get(f"/v1/dentists/{dentist.address}/reputation").json()
    assert reputation["count"] == 1
    assert deployment.registry.anchored_at(bytes.fromhex(review["digest"][2:])) > 0
    # A review of a visit attested before: accepted, kept pending, never sent to revert.
    late = system.post_review(late_patient, system.review_message(late_visit))
    assert late.status_code == 202
    assert system.anchor().anchored == 0
    assert deployment.sender.pending_nonce() == nonce + 1  # only the deactivation
    assert system.client.get(f"/v1/reviews/{late.json()['id']}").json()["status"] == "pending"
    # Reactivated: it is anchored and paid.
    register_dentist(
        system.sessions, deployment, address=dentist.address, name="Back", now=int(time.time())
    )
    assert system.anchor().anchored == 1
    assert system.token_balance(late_patient.address) == system.manifest.reward_amount


def test_the_wallet_client_domain_matches_the_chain(system: System, w3: Web3) -> None:
    """What wallets sign for is this chain and this registry, nothing else."""
    domain = system.eip712()["domain"]
    assert domain["chainId"] == w3.eth.chain_id
    assert domain["verifyingContract"] == system.manifest.registry.address
