"""Chain stopped: reviews are accepted as pending. Chain back: anchored and paid exactly once."""

from __future__ import annotations

from tests.api.system import System, new_wallet
from tests.support.anvil import AnvilNode


def test_reviews_survive_a_chain_outage_and_are_paid_once(
    own_chain: AnvilNode, outage_system: System
) -> None:
    system = outage_system
    dentist = system.new_dentist()
    patients = [new_wallet() for _ in range(3)]
    visits = [system.attested_visit(dentist, patient) for patient in patients]
    before = system.post_review(patients[0], system.review_message(visits[0]))
    assert before.status_code == 202, before.text

    own_chain.stop()
    health = system.client.get("/health")
    assert health.status_code == 503
    assert health.json()["chain"]["ok"] is False
    assert health.json()["database"]["ok"] is True
    during = [
        system.post_review(patient, system.review_message(visit))
        for patient, visit in zip(patients[1:], visits[1:], strict=True)
    ]
    assert [r.status_code for r in during] == [202, 202], [r.text for r in during]
    assert all(r.json()["status"] == "pending" for r in during)
    stalled = system.anchor()
    assert stalled.anchored == 0
    assert stalled.errors

    own_chain.start()
    assert system.client.get("/health").json()["chain"]["ok"] is True
    assert system.anchor().anchored == 3
    assert system.anchor().touched == 0
    for patient in patients:
        assert system.token_balance(patient.address) == system.manifest.reward_amount
    for answer in [before, *during]:
        review = system.client.get(f"/v1/reviews/{answer.json()['id']}").json()
        assert review["status"] == "anchored"
