"""The offline passkey check, without a node: what the chain refuses, it refuses too (the
high-s twin of a signature, indices that do not point at the type and challenge, backup
flags that contradict each other, a key that is not a point of P-256)."""

from __future__ import annotations

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode

from dentareview.audit.webauthn_check import check_passkey_signature
from dentareview.chain.passkeys import (
    P256_N,
    WEBAUTHN_AUTH_TYPES,
    PasskeyKey,
    passkey_account_address,
    wrap_erc6492,
)
from tests.support.passkey_review import PasskeyPatient

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
DIGEST = bytes(range(32))


def _check(patient: PasskeyPatient, assertion: bytes) -> tuple[bool, str]:
    verdict = check_passkey_signature(
        patient.address, DIGEST, patient.wrap(assertion), registry=REGISTRY
    )
    return verdict.ok, verdict.detail


def _altered(assertion: bytes, index: int, value: object) -> bytes:
    fields = list(abi_decode(list(WEBAUTHN_AUTH_TYPES), assertion))
    fields[index] = value
    return abi_encode(list(WEBAUTHN_AUTH_TYPES), fields)


def test_a_genuine_assertion_holds() -> None:
    patient = PasskeyPatient(REGISTRY)
    ok, detail = _check(patient, patient.passkey.sign(DIGEST))
    assert ok, detail
    assert "signed with the patient's passkey" in detail


def test_the_high_s_twin_is_refused() -> None:
    patient = PasskeyPatient(REGISTRY)
    assertion = patient.passkey.sign(DIGEST)
    s = int.from_bytes(abi_decode(list(WEBAUTHN_AUTH_TYPES), assertion)[1], "big")
    ok, detail = _check(patient, _altered(assertion, 1, (P256_N - s).to_bytes(32, "big")))
    assert not ok
    assert "low s" in detail


def test_indices_must_point_at_the_type_and_challenge() -> None:
    patient = PasskeyPatient(REGISTRY)
    assertion = patient.passkey.sign(DIGEST)
    assert _check(patient, _altered(assertion, 2, 0)) == (
        False,
        "is a passkey signature, but its challengeIndex does not point at the challenge",
    )
    assert _check(patient, _altered(assertion, 3, 5)) == (
        False,
        "is a passkey signature, but its typeIndex does not point at the type",
    )


def test_backup_state_without_eligibility_is_refused() -> None:
    patient = PasskeyPatient(REGISTRY)
    assertion = patient.passkey.sign(DIGEST)
    data = bytearray(abi_decode(list(WEBAUTHN_AUTH_TYPES), assertion)[4])
    data[32] |= 0x10  # BS without BE (the signature no longer matches either)
    ok, detail = _check(patient, _altered(assertion, 4, bytes(data)))
    assert not ok
    assert "BS without BE" in detail


def test_a_key_off_the_curve_is_refused() -> None:
    patient = PasskeyPatient(REGISTRY)
    off_curve = PasskeyKey(qx=(1).to_bytes(32, "big"), qy=(1).to_bytes(32, "big"))
    account = passkey_account_address(patient.factory, off_curve)
    signature = wrap_erc6492(patient.factory, off_curve, patient.passkey.sign(DIGEST))
    verdict = check_passkey_signature(account, DIGEST, signature, registry=REGISTRY)
    assert not verdict.ok
    assert "not a point of P-256" in verdict.detail
