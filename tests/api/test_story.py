"""The whole story over HTTP: visit, review, anchoring, reward on-chain, reputation."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import encode_typed_data

from dentareview.domain.models import Eip712Domain, Review, parse_bytes32
from dentareview.domain.typed_data import review_digest
from tests.api.system import REVIEW_TEXT, System, new_wallet
from tests.support.siwe import wallet_client
from tests.support.wallet import sign_typed


def test_full_story_rewards_patient_on_chain(system: System) -> None:
    dentist, patient = system.new_dentist("Bright Smiles"), new_wallet()
    visit = system.attested_visit(dentist, patient)

    message = system.review_message(visit, rating=4, treatment=5, bedside=4, wait_time=2)
    accepted = system.post_review(patient, message)
    assert accepted.status_code == 202, accepted.text
    body = accepted.json()
    assert body["status"] == "pending"
    assert body["rewarded"] is True
    assert system.token_balance(patient.address) == 0

    report = system.anchor()
    assert report.anchored == 1

    reward = system.manifest.reward_amount
    assert system.token_balance(patient.address) == reward
    stored = system.client.get(f"/v1/reviews/{body['id']}").json()
    assert stored["status"] == "anchored"
    assert stored["text"] == REVIEW_TEXT
    assert stored["txHash"].startswith("0x")
    assert "patient" not in stored  # the public view never shows the wallet

    # The digest the service reports is the one any EIP-712 library computes...
    domain = Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)
    expected = review_digest(
        domain,
        Review(
            parse_bytes32(visit["visitId"], "visitId"), 4, 5, 4, 2, REVIEW_TEXT, message["deadline"]
        ),
    )
    assert body["digest"] == "0x" + expected.hex()
    # ...and the one the registry recorded.
    registry = system.gateway.deployment().registry
    assert registry.anchored_at(expected) > 0

    rewards = (
        wallet_client(system.client, patient).get(f"/v1/patients/{patient.address}/rewards").json()
    )
    assert rewards["paid"] == str(reward)
    assert rewards["onChainBalance"] == str(reward)

    reputation = system.client.get(f"/v1/dentists/{dentist.address}/reputation").json()
    assert reputation["count"] == 1
    assert reputation["mean"] == 4.0
    assert reputation["name"] == "Bright Smiles"

    # Anchoring again pays nothing more.
    assert system.anchor().touched == 0
    assert system.token_balance(patient.address) == reward


def test_wait_parameter_returns_201_once_anchored(system: System) -> None:
    from dentareview.anchoring.worker import AnchorLoop

    loop = AnchorLoop(system.anchorer(), interval_seconds=0.05)
    loop.start()
    try:
        dentist, patient = system.new_dentist(), new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = system.post_review(patient, system.review_message(visit), wait=10)
    finally:
        loop.stop()
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "anchored"
    assert response.json()["txHash"].startswith("0x")


def test_one_star_and_five_star_earn_the_same_reward(system: System) -> None:
    paid = []
    for rating in (1, 5):
        dentist, patient = system.new_dentist(), new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = system.post_review(patient, system.review_message(visit, rating=rating))
        assert response.status_code == 202, response.text
        system.anchor()
        paid.append(system.token_balance(patient.address))
    assert paid[0] == paid[1] == system.manifest.reward_amount


def test_eip712_endpoint_is_what_wallets_sign_with(system: System) -> None:
    eip712 = system.eip712()
    assert eip712["domain"] == {
        "name": "DentaReview",
        "version": "1",
        "chainId": system.manifest.chain_id,
        "verifyingContract": system.manifest.registry.address,
    }
    assert [f["name"] for f in eip712["types"]["Review"]] == [
        "visitId",
        "rating",
        "treatment",
        "bedside",
        "waitTime",
        "text",
        "deadline",
    ]
    message = {
        "visitId": "0x" + "11" * 32,
        "patient": new_wallet().address,
        "dentist": new_wallet().address,
        "visitedAt": 1_700_000_000,
    }
    wallet = new_wallet()
    signature = sign_typed(wallet, eip712, "Visit", message)
    types = {name: eip712["types"][name] for name in ("EIP712Domain", "Visit")}
    full = {"domain": eip712["domain"], "types": types, "primaryType": "Visit", "message": message}
    assert Account.recover_message(encode_typed_data(full_message=full), signature=signature) == (
        wallet.address
    )


def test_reviews_keep_flowing_while_the_worker_anchors(system: System) -> None:
    from dentareview.anchoring.worker import AnchorLoop

    dentist = system.new_dentist()
    pairs = [
        (patient, system.attested_visit(dentist, patient))
        for patient in (new_wallet() for _ in range(25))
    ]
    loop = AnchorLoop(system.anchorer(), interval_seconds=0.01)
    loop.start()
    try:
        answers = [system.post_review(p, system.review_message(v)) for p, v in pairs]
    finally:
        loop.stop()
    assert [a.status_code for a in answers] == [202] * len(pairs), [a.text for a in answers]
    system.anchor()
    statuses = {
        system.client.get(f"/v1/reviews/{a.json()['id']}").json()["status"] for a in answers
    }
    assert statuses == {"anchored"}
