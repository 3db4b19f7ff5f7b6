"""The verification page on a passkey patient's full proof: the registry's
`isValidSignatureNow`, asked through the visitor's node, accepts the ERC-6492 signature,
and the page says so in plain words; another key's signature turns the check red."""

from __future__ import annotations

import json
from typing import Any

import httpx
from eth_utils.hexadecimal import encode_hex
from playwright.sync_api import Page, expect

from dentareview.domain.models import Eip712Domain
from dentareview.services.proofs import build_proof
from tests.api.system import System, new_wallet
from tests.support.passkey import SoftPasskey
from tests.support.passkey_review import PasskeyPatient
from tests.support.visit_keys import authorise, key_signed_visit
from tests.support.wallet import sign_typed
from tests.web.browser import shoot
from tests.web.conftest import WebSystem


def _full_proof(web: WebSystem) -> tuple[dict[str, Any], PasskeyPatient]:
    stack = web.stack
    chain_id, registry = stack.manifest.chain_id, stack.manifest.registry.address
    patient, dentist = PasskeyPatient(registry), web.new_dentist("Passkey Row Dental")
    visit = {**System.visit_message(dentist, new_wallet()), "patient": patient.address}
    signed = {"message": visit, "signature": sign_typed(dentist, stack.eip712, "Visit", visit)}
    assert httpx.post(f"{web.url}/v1/visits", json=signed, timeout=10).status_code == 201
    message = System.review_message(visit)
    body = {"message": message, "signature": patient.sign_typed(chain_id, "Review", message)}
    response = httpx.post(f"{web.url}/v1/reviews", json=body, timeout=10)
    assert response.status_code == 202, response.text
    review_id = response.json()["id"]
    web.wait_anchored(review_id)
    with stack.sessions() as session:
        proof = build_proof(session, review_id=review_id, domain=Eip712Domain(chain_id, registry))
    return proof.to_json(), patient


def _check(page: Page, web: WebSystem, proof: dict[str, Any]) -> None:
    page.goto(f"{web.url}/verify")
    page.get_by_label("Proof (JSON)").fill(json.dumps(proof, indent=2))
    page.get_by_role("button", name="Check this proof").click()


def test_a_passkey_review_verifies_in_the_browser(page: Page, web: WebSystem) -> None:
    proof, patient = _full_proof(web)
    _check(page, web, proof)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "pass", timeout=20_000)
    signature = page.locator("[data-check=review-signature]")
    expect(signature).to_have_attribute("data-verdict", "pass")
    expect(signature).to_contain_text("Signed with the patient's passkey")
    shoot(page, "verify-passkey", phone=False)

    digest = bytes.fromhex(proof["digest"][2:])
    proof["review"]["signature"] = encode_hex(patient.wrap(SoftPasskey().sign(digest)))
    _check(page, web, proof)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail", timeout=20_000)
    expect(signature).to_have_attribute("data-verdict", "fail")
    expect(page.locator("[data-check=digest]")).to_have_attribute("data-verdict", "pass")


def test_a_key_attested_visit_verifies_in_the_browser(page: Page, web: WebSystem) -> None:
    dentist, patient, key = web.new_dentist("Visit Key Dental"), new_wallet(), new_wallet()
    review_id = web.review(patient, web.visit(dentist, patient))
    web.wait_anchored(review_id)
    proof = web.api_get(f"/v1/me/reviews/{review_id}/proof", wallet=patient)
    stack = web.stack
    visit = proof["visit"]["message"]
    registry = stack.gateway.deployment().registry.contract
    authorise(stack.w3, registry, stack.eip712, dentist, key.address, visit["visitedAt"] + 60)
    proof["visit"]["signature"] = key_signed_visit(key, stack.eip712, visit)
    _check(page, web, proof)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "pass", timeout=20_000)
    attested = page.locator("[data-check=visit-signature]")
    expect(attested).to_have_attribute("data-verdict", "pass")
    expect(attested).to_contain_text(
        "Attested by the practice's visit key, authorised by the dentist's wallet on chain"
    )

    # Another dentist's key is not this dentist's: red.
    other = new_wallet()
    authorise(stack.w3, registry, stack.eip712, web.new_dentist("Elsewhere"), other.address, 2**40)
    proof["visit"]["signature"] = key_signed_visit(other, stack.eip712, visit)
    _check(page, web, proof)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "fail", timeout=20_000)
    expect(attested).to_have_attribute("data-verdict", "fail")
