"""A passkey patient's reward lands in their account and leaves it on a passkey signature:
the first transfer deploys the account in the same transaction, a replayed, altered or
foreign signature is refused and stores nothing, and deployments are bounded per practice."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from dentareview.chain.passkeys import wrap_erc6492
from dentareview.domain.siwe import personal_message_digest
from tests.api.system import System, new_wallet
from tests.support.passkey import SoftPasskey, transfer_digest, typed_digest
from tests.support.passkey_registration import registration
from tests.support.siwe import get_nonce, post_siwe, siwe_text, wallet_client

REWARD = 10 * 10**18


def _register(system: System, practice: TestClient, passkey: SoftPasskey) -> dict[str, Any]:
    code = practice.get("/v1/practice/checkins").json()["code"]
    challenge = system.client.post("/v1/passkeys/challenge").json()["challenge"]
    response = system.client.post(
        f"/v1/checkin/{code}/passkey", json={"credential": registration(passkey, challenge)}
    )
    assert response.status_code == 201, response.text
    facts: dict[str, Any] = system.client.get(
        f"/v1/passkeys/accounts/{response.json()['account']}"
    ).json()
    return facts


def _reviewed_passkey_patient(system: System) -> tuple[SoftPasskey, dict[str, Any], TestClient]:
    """A patient who checked in with a passkey, was attested, reviewed with the passkey
    (ERC-6492, the account not deployed) and was paid; signed in with the passkey."""
    dentist = system.new_dentist("Harbour Dental")
    passkey = SoftPasskey(rp_id="localhost")
    facts = _register(system, wallet_client(system.client, dentist), passkey)
    account = facts["account"]
    visit = system.visit_message(dentist, dentist)
    visit["patient"] = account
    assert system.post_visit(dentist, visit).status_code == 201
    review = system.review_message(visit)
    eip712 = system.eip712()
    types = {name: eip712["types"][name] for name in ("EIP712Domain", "Review")}
    digest = typed_digest(
        {"types": types, "primaryType": "Review", "domain": eip712["domain"], "message": review}
    )
    signature = wrap_erc6492(facts["factory"], passkey.key, passkey.sign(digest))
    posted = system.client.post(
        "/v1/reviews", json={"message": review, "signature": "0x" + signature.hex()}
    )
    assert posted.status_code in (201, 202), posted.text
    system.anchor()
    assert system.token_balance(account) == REWARD
    assert system.w3.eth.get_code(account) == b""
    client = TestClient(system.client.app)
    text = siwe_text(address=account, nonce=get_nonce(client)["nonce"])
    sign_in = wrap_erc6492(
        facts["factory"], passkey.key, passkey.sign(personal_message_digest(text))
    )
    assert post_siwe(client, text, "0x" + sign_in.hex()).status_code == 200
    return passkey, facts, client


def _transfer(
    system: System,
    passkey: SoftPasskey,
    account: str,
    *,
    to: str,
    amount: int = REWARD,
    nonce: int = 0,
    signer: SoftPasskey | None = None,
) -> dict[str, Any]:
    message = {
        "token": system.manifest.token.address,
        "to": to,
        "amount": amount,
        "nonce": nonce,
        "deadline": int(time.time()) + 600,
    }
    digest = transfer_digest(chain_id=system.manifest.chain_id, account=account, message=message)
    signature = (signer or passkey).sign(digest)
    return {"message": message, "signature": "0x" + signature.hex()}


def test_the_reward_is_sent_out_once_and_the_first_transfer_deploys_the_account(
    system: System,
) -> None:
    passkey, facts, client = _reviewed_passkey_patient(system)
    account, to = facts["account"], new_wallet().address
    body = _transfer(system, passkey, account, to=to)

    response = client.post("/v1/me/reward-transfers", json=body)
    assert response.status_code == 202, response.text
    assert response.json()["deploysAccount"] is True
    again = client.post("/v1/me/reward-transfers", json=body)
    assert again.json()["error"]["code"] == "TRANSFER_PENDING"
    system.anchor()

    [done] = client.get("/v1/me/reward-transfers").json()
    assert done["status"] == "done" and done["txHash"]
    assert system.token_balance(to) == REWARD and system.token_balance(account) == 0
    assert system.w3.eth.get_code(account) != b""
    # The same signed transfer again: its nonce is spent (and nothing is left to send).
    replay = client.post("/v1/me/reward-transfers", json=body)
    assert replay.status_code == 422 and replay.json()["error"]["code"] == "TRANSFER_REJECTED"
    assert len(client.get("/v1/me/reward-transfers").json()) == 1


def test_what_the_passkey_did_not_sign_is_refused_and_nothing_is_stored(system: System) -> None:
    passkey, facts, client = _reviewed_passkey_patient(system)
    account, to = facts["account"], new_wallet().address
    thief = SoftPasskey(rp_id="localhost")
    cases = {
        "another passkey": _transfer(system, passkey, account, to=to, signer=thief),
        "more than it holds": _transfer(system, passkey, account, to=to, amount=REWARD + 1),
        "a future nonce": _transfer(system, passkey, account, to=to, nonce=1),
        "to the zero address": _transfer(system, passkey, account, to="0x" + "0" * 40),
    }
    altered = _transfer(system, passkey, account, to=to)
    altered["message"]["to"] = new_wallet().address  # signed for `to`, sent elsewhere
    cases["another recipient"] = altered
    for name, body in cases.items():
        response = client.post("/v1/me/reward-transfers", json=body)
        assert response.status_code == 422, (name, response.text)
        assert response.json()["error"]["code"] == "TRANSFER_REJECTED", name
    assert client.get("/v1/me/reward-transfers").json() == []
    assert system.token_balance(account) == REWARD
    # A wallet patient has no passkey account: refused in words, nothing stored.
    wallet = wallet_client(system.client, new_wallet())
    response = wallet.post("/v1/me/reward-transfers", json=cases["another recipient"])
    assert response.json()["error"]["code"] == "PASSKEY_NOT_FOUND"


def test_deployments_are_bounded_per_practice_per_day(system: System) -> None:
    passkey, facts, client = _reviewed_passkey_patient(system)
    system.settings.account_deployments_per_practice_per_day = 0
    body = _transfer(system, passkey, facts["account"], to=new_wallet().address)
    response = client.post("/v1/me/reward-transfers", json=body)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "ACCOUNT_DEPLOYMENT_LIMIT"
    assert client.get("/v1/me/reward-transfers").json() == []
