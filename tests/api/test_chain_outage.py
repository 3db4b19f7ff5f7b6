"""Chain stopped: reviews are accepted as pending. Chain back: anchored and paid exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.support.anvil import AnvilNode


@pytest.fixture
def own_chain(tmp_path: Path) -> Iterator[AnvilNode]:
    node = AnvilNode(state_path=tmp_path / "anvil-state.json")
    node.start()
    yield node
    node.stop()


@pytest.fixture
def outage_system(own_chain: AnvilNode, tmp_path: Path, database_url: str) -> Iterator[System]:
    w3 = Web3(Web3.HTTPProvider(own_chain.rpc_url))
    yield from start_system(own_chain.rpc_url, w3, tmp_path / "data", database_url)


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
