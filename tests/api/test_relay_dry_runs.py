"""The pipelined relay's dry runs: one `eth_simulateV1` request for a pass, or, on a node
without it, a batch of `eth_estimateGas`. Either way a review the registry would refuse
gets no transaction (and no nonce), and the others are anchored, once each."""

from __future__ import annotations

from typing import Any

import pytest

from dentareview.relay.engine import DryRunFailed, Relay
from tests.api.system import System, new_wallet


@pytest.mark.parametrize("dry_run", ["simulated", "estimated"])
def test_a_refused_review_takes_no_nonce_and_the_rest_are_anchored(
    system: System, monkeypatch: pytest.MonkeyPatch, dry_run: str
) -> None:
    if dry_run == "estimated":  # a node without eth_simulateV1

        def unsupported(_relay: Relay, _calls: Any) -> Any:
            raise DryRunFailed("the method eth_simulateV1 does not exist")

        monkeypatch.setattr(Relay, "_simulate_many", unsupported)
    good, refused = system.new_dentist(), system.new_dentist()
    reviews = []
    for dentist in (good, refused, good):
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        answer = system.post_review(patient, system.review_message(visit))
        assert answer.status_code == 202, answer.text
        reviews.append(int(answer.json()["id"]))
    # Deactivated on-chain only: the service still thinks it active, the registry refuses.
    deployment = system.gateway.deployment()
    deployment.sender.transact(deployment.registry.deactivate_dentist(refused.address))
    nonce_before = system.w3.eth.get_transaction_count(deployment.sender.address)

    report = system.anchorer().run_once()

    assert (report.anchored, report.failed, report.given_up) == (2, 1, 0)
    # Two transactions, consecutive nonces: the refusal left no gap.
    assert system.w3.eth.get_transaction_count(deployment.sender.address) == nonce_before + 2
    statuses = [system.client.get(f"/v1/reviews/{i}").json()["status"] for i in reviews]
    assert statuses == ["anchored", "pending", "anchored"]
