"""Wallets as they are: v as 0/1, and smart-contract accounts (ERC-1271) for both roles."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from eth_account.signers.local import LocalAccount

from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.visits import get_visit
from tests.api.system import System, new_wallet
from tests.audit.helpers import audit
from tests.contracts.helpers import deploy_smart_account
from tests.support.anvil import dev_account
from tests.support.wallet import sign_typed

REWARD = 10 * 10**18


def with_v_as_0_or_1(signature: str) -> str:
    raw = bytes.fromhex(signature[2:])
    assert raw[64] in (27, 28)
    return "0x" + (raw[:64] + bytes([raw[64] - 27])).hex()


def test_signatures_with_v_0_or_1_are_stored_as_27_or_28_and_anchor(system: System) -> None:
    """Some hardware wallets answer v as 0/1; the registry's ECDSA wants 27/28."""
    dentist, patient = system.new_dentist(), new_wallet()
    visit = system.visit_message(dentist, patient)
    visit_sig = with_v_as_0_or_1(sign_typed(dentist, system.eip712(), "Visit", visit))
    response = system.client.post("/v1/visits", json={"message": visit, "signature": visit_sig})
    assert response.status_code == 201, response.text
    review = system.review_message(visit)
    original = sign_typed(patient, system.eip712(), "Review", review)
    response = system.client.post(
        "/v1/reviews", json={"message": review, "signature": with_v_as_0_or_1(original)}
    )
    assert response.status_code == 202, response.text
    body = response.json()
    with system.sessions() as session:
        stored = get_review(session, review_id=body["id"])
        stored_visit = get_visit(session, visit_id=visit["visitId"])
        assert stored is not None and stored_visit is not None
        assert stored.signature == original  # normalised: v = 27/28
        assert stored_visit.signature[-2:] in ("1b", "1c")
    assert system.anchor().anchored == 1
    view = system.client.get(f"/v1/reviews/{body['id']}").json()
    assert (view["status"], view["digest"]) == ("anchored", body["digest"])
    assert system.token_balance(patient.address) == REWARD


def smart_account_for(system: System, owner: LocalAccount) -> str:
    return str(deploy_smart_account(system.w3, dev_account(0), owner.address).address)


def test_smart_contract_accounts_attest_review_anchor_and_are_paid(system: System) -> None:
    """A practice on a Safe-like account and a patient on a smart wallet: the whole flow."""
    practice_owner, patient_owner = new_wallet(), new_wallet()
    practice = smart_account_for(system, practice_owner)
    patient_account = smart_account_for(system, patient_owner)
    system.register(AddressOnly(practice), "Smart Practice")
    visit = {
        "visitId": "0x" + bytes(range(32)).hex(),
        "patient": patient_account,
        "dentist": practice,
        "visitedAt": int(time.time()) - 3600,
    }
    visit_sig = sign_typed(practice_owner, system.eip712(), "Visit", visit)
    response = system.client.post("/v1/visits", json={"message": visit, "signature": visit_sig})
    assert response.status_code == 201, response.text
    review = system.review_message(visit)
    review_sig = sign_typed(patient_owner, system.eip712(), "Review", review)
    response = system.client.post("/v1/reviews", json={"message": review, "signature": review_sig})
    assert response.status_code == 202, response.text
    assert system.anchor().anchored == 1
    assert system.token_balance(patient_account) == REWARD


def test_a_key_that_does_not_own_the_smart_account_is_refused(system: System) -> None:
    dentist, owner, stranger = system.new_dentist(), new_wallet(), new_wallet()
    patient_account = smart_account_for(system, owner)
    visit = system.attested_visit(dentist, AddressOnly(patient_account))
    review = system.review_message(visit)
    signature = sign_typed(stranger, system.eip712(), "Review", review)
    response = system.client.post("/v1/reviews", json={"message": review, "signature": signature})
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "NOT_VISIT_PATIENT"
    # Not 65 bytes, and an EOA patient: a clear INVALID_SIGNATURE, never a 500.
    visit = system.attested_visit(dentist, new_wallet())
    review = system.review_message(visit)
    response = system.client.post(
        "/v1/reviews", json={"message": review, "signature": "0x" + "ab" * 97}
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "INVALID_SIGNATURE"


@dataclass(frozen=True)
class AddressOnly:
    """An account known by its address alone (a smart account has no key of its own)."""

    address: str


def test_a_revoked_smart_account_signature_ends_failed_published_and_reported(
    system: System,
) -> None:
    """ERC-1271 signatures are revocable: the review can then never be anchored. It stays
    published with a named terminal state, /health counts it, the audit reports it."""
    dentist, owner = system.new_dentist(), new_wallet()
    account = deploy_smart_account(system.w3, dev_account(0), owner.address)
    visit = system.attested_visit(dentist, AddressOnly(str(account.address)))
    review = system.review_message(visit)
    signature = sign_typed(owner, system.eip712(), "Review", review)
    response = system.client.post("/v1/reviews", json={"message": review, "signature": signature})
    assert response.status_code == 202, response.text
    review_id = response.json()["id"]
    # The account changes hands before the relay sends: the old owner's signature is void.
    system.w3.eth.send_transaction(  # Anvil's unlocked account 5 pays the owner's gas
        {"from": dev_account(5).address, "to": owner.address, "value": 10**17}
    )
    tx = account.functions.transferOwnership(new_wallet().address).build_transaction(
        {
            "from": owner.address,
            "nonce": system.w3.eth.get_transaction_count(owner.address),
            "chainId": system.w3.eth.chain_id,
        }
    )
    signed = owner.sign_transaction(tx)
    system.w3.eth.wait_for_transaction_receipt(
        system.w3.eth.send_raw_transaction(signed.raw_transaction)
    )

    report = system.anchor()
    assert report.given_up == 1 and report.anchored == 0
    view = system.client.get(f"/v1/reviews/{review_id}").json()
    assert (view["status"], view["failureCode"]) == ("failed", "REVIEW_SIGNATURE_REJECTED")
    assert view["text"] == review["text"]  # still published
    assert system.anchor().given_up == 0  # terminal: not tried again
    health = system.client.get("/health").json()
    assert "1 that can never be anchored" in health["relay"]["detail"]
    result = audit(system, "--json")
    found = json.loads(result.output)["discrepancies"]
    assert list(found) == ["ANCHOR_FAILED"], result.output
    assert [item["reviewId"] for item in found["ANCHOR_FAILED"]["items"]] == [review_id]
