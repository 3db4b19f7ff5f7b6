"""Passkeys made at check-in: a registration verifies (the `webauthn` library), names the
account the factory will deploy, and checks the patient in; a bad attestation, a replayed
or unknown challenge and a passkey made for another site are refused with their codes,
and nothing is stored."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web3 import Web3

from dentareview.chain.passkeys import wrap_erc6492
from dentareview.domain.siwe import personal_message_digest
from tests.api.system import System
from tests.support.passkey import SoftPasskey
from tests.support.passkey_registration import credential_id, registration
from tests.support.siwe import get_nonce, post_siwe, siwe_text, wallet_client

ORIGIN = "http://localhost:8000"  # the default public URL's loopback twin; the RP ID is localhost


def _passkey() -> SoftPasskey:
    return SoftPasskey(rp_id="localhost")


def _practice_code(system: System, name: str = "Harbour Dental") -> str:
    dentist = system.new_dentist(name)
    body = wallet_client(system.client, dentist).get("/v1/practice/checkins").json()
    assert body["checkins"] == []
    code: str = body["code"]
    return code


def _challenge(system: System) -> str:
    body = system.client.post("/v1/passkeys/challenge").json()
    assert body["rpId"] == "localhost"
    challenge: str = body["challenge"]
    return challenge


def _register(system: System, code: str, credential: dict[str, Any]) -> Any:
    return system.client.post(f"/v1/checkin/{code}/passkey", json={"credential": credential})


def _error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_a_passkey_checks_the_patient_in_under_the_factorys_address(system: System) -> None:
    dentist = system.new_dentist("Harbour Dental")
    practice = wallet_client(system.client, dentist)
    code = practice.get("/v1/practice/checkins").json()["code"]
    assert system.client.get(f"/v1/checkin/{code.lower()}").json()["name"] == "Harbour Dental"
    passkey = _passkey()

    response = _register(system, code, registration(passkey, _challenge(system)))

    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", body["checkinCode"])
    facts = system.client.get(f"/v1/passkeys/accounts/{body['account'].lower()}").json()
    factory = system.w3.eth.contract(
        address=Web3.to_checksum_address(facts["factory"]),
        abi=[
            {
                "type": "function",
                "name": "accountAddress",
                "stateMutability": "view",
                "inputs": [{"name": "qx", "type": "bytes32"}, {"name": "qy", "type": "bytes32"}],
                "outputs": [{"name": "", "type": "address"}],
            }
        ],
    )
    assert (
        body["account"] == factory.functions.accountAddress(passkey.key.qx, passkey.key.qy).call()
    )
    # Reception sees the check-in; the passkey's public facts are readable by address.
    listed = practice.get("/v1/practice/checkins").json()["checkins"]
    assert [(c["code"], c["account"]) for c in listed] == [(body["checkinCode"], body["account"])]
    assert facts["credentialId"] == body["credentialId"]
    assert (facts["qx"], facts["qy"]) == ("0x" + passkey.key.qx.hex(), "0x" + passkey.key.qy.hex())
    assert facts["deployed"] is False
    assert facts["rewardBalance"] == "0"
    by_credential = system.client.get(f"/v1/passkeys/credentials/{body['credentialId']}").json()
    assert by_credential["account"] == body["account"]


def _nothing_stored(system: System, code: str, passkey: SoftPasskey) -> None:
    from webauthn.helpers import bytes_to_base64url

    from dentareview.db.queries.passkeys import credential_by_id

    with system.sessions() as session:
        assert credential_by_id(session, bytes_to_base64url(credential_id(passkey))) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"user_verified": False}, (422, "PASSKEY_REGISTRATION_INVALID")),
        ({"algorithm": -257}, (422, "PASSKEY_REGISTRATION_INVALID")),  # not ES256
        ({"origin": "https://dentareview.example"}, (422, "PASSKEY_ORIGIN_MISMATCH")),
        ({"rp_id": "dentareview.example"}, (422, "PASSKEY_ORIGIN_MISMATCH")),
    ],
)
def test_bad_registrations_are_refused_and_store_nothing(
    system: System, change: dict[str, Any], expected: tuple[int, str]
) -> None:
    code = _practice_code(system)
    passkey = _passkey()
    response = _register(system, code, registration(passkey, _challenge(system), **change))
    assert _error(response) == expected, response.text
    _nothing_stored(system, code, passkey)


def test_a_malformed_attestation_is_refused(system: System) -> None:
    code = _practice_code(system)
    credential = registration(_passkey(), _challenge(system))
    credential["response"]["attestationObject"] = "bm90IGNib3I"  # "not cbor"
    assert _error(_register(system, code, credential)) == (422, "PASSKEY_REGISTRATION_INVALID")
    assert _error(_register(system, code, {"id": 7})) == (422, "PASSKEY_REGISTRATION_INVALID")


def test_a_challenge_is_spent_once_and_must_be_ours(system: System) -> None:
    code = _practice_code(system)
    challenge = _challenge(system)
    assert _register(system, code, registration(_passkey(), challenge)).status_code == 201

    replayed = _passkey()
    response = _register(system, code, registration(replayed, challenge))
    assert _error(response) == (401, "PASSKEY_CHALLENGE_UNKNOWN")
    _nothing_stored(system, code, replayed)
    invented = registration(_passkey(), "A" * 43)
    assert _error(_register(system, code, invented)) == (401, "PASSKEY_CHALLENGE_UNKNOWN")


def test_the_same_passkey_registers_once_and_unknown_links_are_named(system: System) -> None:
    code = _practice_code(system)
    passkey = _passkey()
    assert _register(system, code, registration(passkey, _challenge(system))).status_code == 201
    again = _register(system, code, registration(passkey, _challenge(system)))
    assert _error(again) == (409, "PASSKEY_ALREADY_REGISTERED")
    unknown = _register(system, "ZZZZ9999", registration(passkey, _challenge(system)))
    assert _error(unknown) == (404, "CHECKIN_NOT_FOUND")
    assert _error(system.client.get("/v1/checkin/ZZZZ9999")) == (404, "CHECKIN_NOT_FOUND")
    missing = system.client.get(f"/v1/passkeys/accounts/0x{'12' * 20}")
    assert _error(missing) == (404, "PASSKEY_NOT_FOUND")


def _registered(system: System, passkey: SoftPasskey) -> dict[str, Any]:
    response = _register(system, _practice_code(system), registration(passkey, _challenge(system)))
    assert response.status_code == 201, response.text
    facts: dict[str, Any] = system.client.get(
        f"/v1/passkeys/accounts/{response.json()['account']}"
    ).json()
    return facts


def test_a_passkey_account_signs_in_before_it_is_deployed(system: System) -> None:
    """SIWE through the registry's check: the passkey's assertion of the message's EIP-191
    hash, wrapped per ERC-6492; another passkey's is refused and keeps the nonce."""
    passkey, thief = _passkey(), _passkey()
    facts = _registered(system, passkey)
    text = siwe_text(address=facts["account"], nonce=get_nonce(system.client)["nonce"])
    digest = personal_message_digest(text)

    def signed(by: SoftPasskey) -> str:
        wrapped = wrap_erc6492(facts["factory"], passkey.key, by.sign(digest))
        return "0x" + wrapped.hex()

    refused = post_siwe(system.client, text, signed(thief))
    assert _error(refused) == (401, "SIWE_SIGNATURE_MISMATCH")
    response = post_siwe(system.client, text, signed(passkey))
    assert response.status_code == 200, response.text
    assert system.client.get("/v1/auth/session").json()["address"] == facts["account"]
    assert system.w3.eth.get_code(facts["account"]) == b""  # checked without a deployment
