"""`dentareview verify` on a passkey patient's review and on a visit a practice's key attested.

A passkey account not deployed yet signs with ERC-6492 (the registry's factory, its
`createAccount(qx, qy)` call, the WebAuthn assertion): online the proof's registry checks it
(`isValidSignatureNow`), offline the WebAuthn data in the full proof is checked the same way.
A visit signed by a visit-signing key holds only while the registry's `visitSignerOf` covers it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex
from sqlalchemy import text

from dentareview.audit.webauthn_check import registry_factory
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import typed_digest
from dentareview.services.proofs import build_proof
from tests.api.system import System, new_wallet
from tests.audit.helpers import audit_json, post_review, proof_of, verify, verify_json
from tests.support.passkey import SoftPasskey
from tests.support.passkey_review import PasskeyPatient
from tests.support.visit_keys import authorise, key_signed_visit

Tamper = Callable[[PasskeyPatient, bytes], bytes]


def _domain(system: System) -> Eip712Domain:
    return Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)


def passkey_proof(system: System) -> tuple[dict[str, Any], PasskeyPatient, bytes]:
    """A passkey patient's review, posted through the API and anchored: its full proof, the
    patient and the Review's digest."""
    patient, dentist = PasskeyPatient(system.manifest.registry.address), system.new_dentist()
    visit = {**system.visit_message(dentist, new_wallet()), "patient": patient.address}
    assert system.post_visit(dentist, visit).status_code == 201
    message = system.review_message(visit)
    signature = patient.sign_typed(system.manifest.chain_id, "Review", message)
    response = system.client.post("/v1/reviews", json={"message": message, "signature": signature})
    assert response.status_code == 202, response.text
    system.anchor()
    with system.sessions() as session:
        proof = build_proof(session, review_id=response.json()["id"], domain=_domain(system))
    return proof.to_json(), patient, typed_digest(_domain(system), "Review", message)


def _offline(system: System, proof: dict[str, Any], tmp_path: Path) -> tuple[int, dict[str, bool]]:
    result = verify(system, proof, tmp_path, "--offline", "--json")
    body = json.loads(result.stdout)
    return result.exit_code, {check["check"]: check["ok"] for check in body["checks"]}


def test_the_factory_is_the_registrys_create_at_nonce_1(system: System) -> None:
    registry = system.gateway.deployment().registry.contract
    on_chain = registry.functions.passkeyAccountFactory().call()
    assert registry_factory(system.manifest.registry.address) == on_chain


def test_a_passkey_review_verifies_online_and_offline(system: System, tmp_path: Path) -> None:
    proof, _, _ = passkey_proof(system)
    online = verify(system, proof, tmp_path)
    assert online.exit_code == 0, online.output
    chain = system.manifest.chain_id
    assert f"signed with the patient's passkey (checked by the registry on chain {chain}" in (
        online.output
    )
    offline = verify(system, proof, tmp_path, "--offline")
    assert offline.exit_code == 0, offline.output
    assert "from the WebAuthn data in the full proof" in offline.output
    assert "needs the node" in offline.output  # the anchor, said as unchecked


def _other_challenge(patient: PasskeyPatient, digest: bytes) -> bytes:
    return patient.wrap(patient.passkey.sign(bytes(32)))


def _uv_cleared(patient: PasskeyPatient, digest: bytes) -> bytes:
    return patient.wrap(patient.passkey.sign(digest, user_verified=False))


def _another_key(patient: PasskeyPatient, digest: bytes) -> bytes:
    return patient.wrap(SoftPasskey().sign(digest))


def _another_factory(patient: PasskeyPatient, digest: bytes) -> bytes:
    return patient.wrap(patient.passkey.sign(digest), factory=Account.create().address)


@pytest.mark.parametrize(
    "tamper",
    [_other_challenge, _uv_cleared, _another_key, _another_factory],
    ids=lambda f: f.__name__,
)
def test_a_tampered_webauthn_signature_fails_online_and_offline(
    system: System, tmp_path: Path, tamper: Tamper
) -> None:
    proof, patient, digest = passkey_proof(system)
    forged = copy.deepcopy(proof)
    forged["review"]["signature"] = encode_hex(tamper(patient, digest))
    for code, checks in (verify_json(system, forged, tmp_path), _offline(system, forged, tmp_path)):
        assert code == 1
        assert checks["review-signature"] is False
        assert checks["digest"] is True


def test_a_deployed_accounts_bare_signature_needs_the_node(system: System, tmp_path: Path) -> None:
    proof, patient, digest = passkey_proof(system)
    bare = copy.deepcopy(proof)
    bare["review"]["signature"] = encode_hex(patient.passkey.sign(digest))
    result = verify(system, bare, tmp_path, "--offline")
    assert result.exit_code == 1
    assert "needs the node" in result.output


# ---------------------------------------------------------------- visit-signing keys


def key_attested_proof(
    system: System, *, valid_for: int, authorised_by: LocalAccount | None = None
) -> dict[str, Any]:
    """An anchored review's full proof whose Visit is signed by a practice's key that
    `authorised_by` (the visit's dentist by default) authorised until visitedAt + valid_for."""
    posted = post_review(system)
    system.anchor()
    proof = proof_of(system, posted)
    key = new_wallet()
    visited_at = int(proof["visit"]["message"]["visitedAt"])
    registry = system.gateway.deployment().registry.contract
    dentist = authorised_by or posted.dentist
    authorise(system.w3, registry, system.eip712(), dentist, key.address, visited_at + valid_for)
    proof["visit"]["signature"] = key_signed_visit(key, system.eip712(), proof["visit"]["message"])
    return proof


def test_a_key_attested_visit_verifies_with_the_node(system: System, tmp_path: Path) -> None:
    proof = key_attested_proof(system, valid_for=3600)
    result = verify(system, proof, tmp_path)
    assert result.exit_code == 0, result.output
    assert "attested by the practice's visit key" in result.output
    offline = verify(system, proof, tmp_path, "--offline")
    assert offline.exit_code == 1
    assert "visitSignerOf" in offline.output


def test_a_key_revoked_before_the_visit_fails(system: System, tmp_path: Path) -> None:
    proof = key_attested_proof(system, valid_for=-1)
    code, checks = verify_json(system, proof, tmp_path)
    assert code == 1
    assert checks["visit-signature"] is False


def test_another_dentists_key_fails(system: System, tmp_path: Path) -> None:
    proof = key_attested_proof(system, valid_for=3600, authorised_by=system.new_dentist("Other"))
    code, checks = verify_json(system, proof, tmp_path)
    assert code == 1
    assert checks["visit-signature"] is False


def test_the_full_audit_counts_a_passkey_review_like_any_other(system: System) -> None:
    """`dentareview audit` re-checks every signature: a passkey patient's ERC-6492 one is
    asked of the registry, and the review is counted and matched with its anchor; a
    signature swapped for another passkey's is reported."""
    proof, patient, _ = passkey_proof(system)
    code, body = audit_json(system)
    assert code == 0, body
    assert body["counts"]["reviews"] == 1 and body["counts"]["anchors"] == 1
    thief = PasskeyPatient(system.manifest.registry.address)
    digest = typed_digest(_domain(system), "Review", proof["review"]["message"])
    forged = patient.wrap(thief.passkey.sign(digest))
    with system.sessions() as session:
        session.execute(
            text("UPDATE reviews SET signature = :signature"), {"signature": encode_hex(forged)}
        )
        session.commit()
    code, body = audit_json(system)
    assert code == 1 and body["discrepancies"], body
