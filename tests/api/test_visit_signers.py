"""Visit-signing keys: the dentist's wallet authorises a key once (VisitSigner, put
on-chain by the worker), then visits the key signs count as the dentist's, until revoked."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import text

from dentareview.chain.registry import RegistryContract
from tests.api.system import System, new_wallet
from tests.audit.helpers import audit_json
from tests.support.siwe import wallet_client
from tests.support.wallet import sign_typed

DAY = 86_400
PATH = "/v1/practice/visit-signers"


def grant(system: System, page: TestClient, dentist: LocalAccount, key: str, until: int,
          *, nonce: int | None = None, signer: LocalAccount | None = None) -> Response:  # fmt: skip
    """The practice's page posts a VisitSigner its dentist's wallet signed."""
    if nonce is None:
        nonce = page.get(PATH).json()["nextNonce"]
    message = {"signer": key, "validUntil": until, "nonce": nonce}
    signature = sign_typed(signer or dentist, system.eip712(), "VisitSigner", message)
    return page.post(PATH, json={"message": message, "signature": signature})


def error_code(response: Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def registry(system: System) -> RegistryContract:
    return system.gateway.deployment().registry


def key_visit(system: System, key: LocalAccount, dentist: LocalAccount) -> tuple[Any, Response]:
    """A visit of `dentist` for a new patient, signed by `key`."""
    patient = new_wallet()
    message = system.visit_message(dentist, patient)
    return (patient, message), system.post_visit(key, message)


def test_a_key_attests_visits_until_revoked_and_its_reviews_anchor(system: System) -> None:
    dentist, key = system.new_dentist(), new_wallet()
    page = wallet_client(system.client, dentist)
    assert page.get(PATH).json() == {"keys": [], "nextNonce": 0}
    until = int(time.time()) + 30 * DAY

    posted = grant(system, page, dentist, key.address, until)
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "pending"
    # Not on-chain yet: the service does not take the key's visits.
    _, early = key_visit(system, key, dentist)
    assert early.status_code == 403 and error_code(early) == "VISIT_SIGNER_NOT_ACTIVE"

    system.anchor()  # the worker puts the grant on-chain
    assert registry(system).visit_signer_of(key.address) == (dentist.address, until)
    assert registry(system).visit_signer_nonce(dentist.address) == 1
    listed = page.get(PATH).json()
    assert listed["nextNonce"] == 1 and [k["status"] for k in listed["keys"]] == ["active"]

    (patient, visit), accepted = key_visit(system, key, dentist)
    assert accepted.status_code == 201, accepted.text
    with system.sessions() as session:
        signed_by = session.execute(
            text("SELECT signed_by FROM visits WHERE visit_id = :v"), {"v": visit["visitId"]}
        ).scalar_one()
    assert signed_by == key.address
    review = system.post_review(patient, system.review_message(visit))
    assert review.status_code == 202, review.text

    (later_patient, later_visit), before_revocation = key_visit(system, key, dentist)
    assert before_revocation.status_code == 201, before_revocation.text

    system.anchor()
    assert registry(system).digest_of_visit(bytes.fromhex(visit["visitId"][2:])) is not None

    # Revoked: refused at once, before the chain confirms.
    revoked = grant(system, page, dentist, key.address, int(time.time()))
    assert revoked.status_code == 201, revoked.text
    assert revoked.json()["status"] == "revoked"
    _, refused = key_visit(system, key, dentist)
    assert refused.status_code == 403 and error_code(refused) == "VISIT_SIGNER_REVOKED"
    # A visit attested before the revocation stays reviewable, on-chain too.
    late_review = system.post_review(later_patient, system.review_message(later_visit))
    assert late_review.status_code == 202, late_review.text
    system.anchor()
    _, valid_until = registry(system).visit_signer_of(key.address)
    assert valid_until <= int(time.time()) and valid_until >= later_visit["visitedAt"]
    assert registry(system).digest_of_visit(bytes.fromhex(later_visit["visitId"][2:])) is not None
    assert [k["status"] for k in page.get(PATH).json()["keys"]] == ["revoked"]

    # The full audit accepts the key's visits: the chain's visitSignerOf covers them.
    code, report = audit_json(system)
    assert code == 0 and report["ok"], report["discrepancies"]

    # A visit signed by a key the dentist never authorised is flagged.
    stranger = new_wallet()
    forged = sign_typed(stranger, system.eip712(), "Visit", visit)
    with system.sessions() as session:
        session.execute(
            text("UPDATE visits SET signature = :s WHERE visit_id = :v"),
            {"s": forged, "v": visit["visitId"]},
        )
        session.commit()
    code, report = audit_json(system)
    assert code == 1 and "VISIT_CHANGED" in report["discrepancies"]


def test_refusals_each_with_their_own_code(system: System) -> None:
    dentist, other, key = system.new_dentist(), system.new_dentist("Other"), new_wallet()
    page, other_page = wallet_client(system.client, dentist), wallet_client(system.client, other)
    until = int(time.time()) + DAY

    wrong_nonce = grant(system, page, dentist, key.address, until, nonce=5)
    assert wrong_nonce.status_code == 409 and error_code(wrong_nonce) == "VISIT_SIGNER_NONCE"
    not_theirs = grant(system, page, dentist, key.address, until, signer=new_wallet())
    assert not_theirs.status_code == 400 and error_code(not_theirs) == "INVALID_SIGNATURE"
    itself = grant(system, page, dentist, dentist.address, until)
    assert itself.status_code == 409 and error_code(itself) == "VISIT_SIGNER_NOT_AVAILABLE"
    assert page.get(PATH).json() == {"keys": [], "nextNonce": 0}

    assert grant(system, page, dentist, key.address, until).status_code == 201
    # Another dentist cannot take the key, nor can the key sign that dentist's visits.
    taken = grant(system, other_page, other, key.address, until)
    assert taken.status_code == 409 and error_code(taken) == "VISIT_SIGNER_NOT_AVAILABLE"
    system.anchor()
    _, for_other = key_visit(system, key, other)
    assert for_other.status_code == 400 and error_code(for_other) == "INVALID_SIGNATURE"
    # Visits after the key's validUntil are not the key's to attest.
    late = system.visit_message(dentist, new_wallet(), visited_at=until + 1)
    refused_late = system.post_visit(key, late)
    assert refused_late.status_code == 403 and error_code(refused_late) == "VISIT_SIGNER_REVOKED"
    # Not signed in: no keys.
    assert system.client.get(PATH).status_code == 401


def test_a_practice_system_reads_check_ins_with_its_key_until_revoked(system: System) -> None:
    """Through the practice-system side: the key signs in (SIWE) and reads which account
    checked in, as reception does on the visits page; a revoked key reads nothing."""
    dentist, key = system.new_dentist(), new_wallet()
    page = wallet_client(system.client, dentist)
    until = int(time.time()) + 30 * DAY
    assert grant(system, page, dentist, key.address, until).status_code == 201
    practice_system = wallet_client(system.client, key)
    early = practice_system.get("/v1/practice/checkins")
    assert early.status_code == 403 and error_code(early) == "NOT_A_DENTIST"  # not on-chain yet
    system.anchor()
    code = page.get("/v1/practice/checkins").json()["code"]
    assert practice_system.get("/v1/practice/checkins").json()["code"] == code
    assert grant(system, page, dentist, key.address, int(time.time())).status_code == 201
    revoked = practice_system.get("/v1/practice/checkins")
    assert revoked.status_code == 403 and error_code(revoked) == "NOT_A_DENTIST"
    stranger = wallet_client(system.client, new_wallet()).get("/v1/practice/checkins")
    assert error_code(stranger) == "NOT_A_DENTIST"
