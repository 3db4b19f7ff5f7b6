"""Reward limits: one per patient per dentist per 93 days, three per patient per 30 days."""

from __future__ import annotations

from tests.api.system import System, new_wallet
from tests.support.siwe import wallet_client


def test_second_review_of_same_dentist_is_published_but_not_rewarded(system: System) -> None:
    dentist, patient = system.new_dentist(), new_wallet()
    first = system.post_review(
        patient, system.review_message(system.attested_visit(dentist, patient))
    )
    second = system.post_review(
        patient, system.review_message(system.attested_visit(dentist, patient), rating=2)
    )
    assert first.json()["rewarded"] is True
    body = second.json()
    assert second.status_code == 202, second.text
    assert body["rewarded"] is False
    assert body["reward"]["reasonCode"] == "DENTIST_COOLDOWN"
    assert "93 days" in body["reward"]["reason"]

    assert system.anchor().anchored == 2
    assert system.token_balance(patient.address) == system.manifest.reward_amount
    published = system.client.get(f"/v1/reviews/{body['id']}").json()
    assert published["status"] == "anchored"
    assert published["rewarded"] is False


def test_fourth_reward_in_thirty_days_is_withheld(system: System) -> None:
    patient = new_wallet()
    answers = []
    for _ in range(4):
        dentist = system.new_dentist()
        visit = system.attested_visit(dentist, patient)
        answers.append(system.post_review(patient, system.review_message(visit)).json())
    assert [a["rewarded"] for a in answers] == [True, True, True, False]
    assert answers[3]["reward"]["reasonCode"] == "PATIENT_LIMIT"

    assert system.anchor().anchored == 4
    assert system.token_balance(patient.address) == 3 * system.manifest.reward_amount
    rewards = (
        wallet_client(system.client, patient).get(f"/v1/patients/{patient.address}/rewards").json()
    )
    assert rewards["paid"] == str(3 * system.manifest.reward_amount)
    assert rewards["pending"] == "0"
    assert len(rewards["items"]) == 3
