"""The operator's API: everything behind an operator's SIWE sign-in, hostile bodies
refused in words, dentists recorded only as the registry shows them, and queue health
figures (last anchor, fees) as the chain's receipts give them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hexbytes import HexBytes
from sqlalchemy import select
from web3 import Web3

from dentareview.db.models import DentistRow, ReviewRow, StatementAnchorRow
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.api.test_moderation import anchored_review, as_wallet
from tests.support.anvil import AnvilNode

OPERATOR = new_wallet()


@pytest.fixture
def operated(
    anvil: AnvilNode,
    w3: Web3,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[System]:
    monkeypatch.setenv("DENTAREVIEW_OPERATOR_ADDRESSES", OPERATOR.address)
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


def admin_sends(system: System, call_name: str, address: str) -> None:
    """The registry's admin (the deployer on a local chain) sends the transaction."""
    deployment = system.gateway.deployment()
    registry = deployment.registry
    call = getattr(registry, call_name)(address)
    receipt = deployment.sender.transact(call)
    assert receipt["status"] == 1


def operator_only_calls(review_id: int, dentist: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", "/v1/operator", None),
        ("GET", "/v1/operator/queue", None),
        ("GET", "/v1/moderation/flags", None),
        ("GET", "/v1/moderation/under-review", None),
        ("GET", f"/v1/moderation/dentists/{dentist}/signals", None),
        (
            "POST",
            f"/v1/moderation/reviews/{review_id}/decisions",
            {"action": "remove", "reason": "advertising"},
        ),  # fmt: skip
        ("POST", "/v1/operator/dentists", {"address": new_wallet().address, "name": "X"}),
        ("POST", f"/v1/operator/dentists/{dentist}/deactivation", None),
        ("POST", f"/v1/operator/dentists/{dentist}/name", {"name": "Mine", "reason": "mine"}),
        ("GET", "/v1/operator/name-decisions", None),
    ]


def test_a_non_operator_gets_none_of_the_operator_calls(operated: System) -> None:
    system = operated
    review = anchored_review(system)
    calls = operator_only_calls(review["id"], review["dentist"].address)
    for method, path, body in calls:
        anonymous = system.client.request(method, path, json=body)
        assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (
            401,
            "NOT_SIGNED_IN",
        ), path
    for wallet in (review["dentist"], review["patient"], new_wallet()):
        client = as_wallet(system, wallet)
        for method, path, body in calls:
            refused = client.request(method, path, json=body)
            assert refused.status_code == 403, (path, refused.text)
            error = refused.json()["error"]
            assert error["code"] == "NOT_AN_OPERATOR"
            assert "operators" in error["message"]
    # Nothing changed: the review is as published and the dentist still active.
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["state"] == "published"
    with system.sessions() as session:
        row = session.get(DentistRow, review["dentist"].address)
        assert row is not None and row.active
    assert as_wallet(system, OPERATOR).get("/v1/operator").json() == {"address": OPERATOR.address}


@pytest.mark.parametrize(
    ("path_kind", "body", "field"),
    [
        ("flag", {"reason": "<script>alert(1)</script>"}, "reason"),
        ("flag", {"reason": None}, "reason"),
        ("flag", {}, "reason"),
        ("decision", {"action": "delete", "reason": "advertising"}, "action"),
        ("decision", {"action": "remove", "reason": "i said so"}, "reason"),
        ("decision", {"action": "keep", "reason": "no_violation", "note": "a\x00b"}, "note"),
        ("decision", {"action": "keep", "reason": "no_violation", "note": "x" * 501}, "note"),
        ("register", {"address": "0x1234", "name": "Harbour"}, "address"),
        ("register", {"address": "<img src=x>", "name": "Harbour"}, "address"),
        ("register", {"address": "0x" + "ab" * 20, "name": ""}, "name"),
        # A name's own refusals (control characters, length…): tests/api/test_practice_names.py
        ("register", {"address": "0x" + "ab" * 20, "name": "A", "active": False}, "active"),
    ],
)
def test_hostile_bodies_get_a_clear_error(
    operated: System, path_kind: str, body: dict[str, Any], field: str
) -> None:
    system = operated
    review = anchored_review(system)
    paths = {
        "flag": f"/v1/reviews/{review['id']}/flags",
        "decision": f"/v1/moderation/reviews/{review['id']}/decisions",
        "register": "/v1/operator/dentists",
    }
    operator = as_wallet(system, OPERATOR)
    refused = operator.post(paths[path_kind], json=body)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and error["field"] == field
    assert error["message"] and "Traceback" not in refused.text
    not_json = operator.post(
        paths[path_kind], content=b"{reason:", headers={"content-type": "application/json"}
    )
    assert not_json.status_code in (400, 422) and "error" in not_json.json()
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["state"] == "published"


def test_a_dentist_is_recorded_only_as_the_registry_shows_it(operated: System) -> None:
    system = operated
    operator = as_wallet(system, OPERATOR)
    dentist = new_wallet()
    body = {"address": dentist.address.lower(), "name": "Harbour Dental"}

    # The browser claims a registration the chain does not show: refused, nothing recorded.
    refused = operator.post("/v1/operator/dentists", json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "DENTIST_NOT_ON_CHAIN"
    assert refused.json()["error"]["field"] == "address"
    with system.sessions() as session:
        assert session.get(DentistRow, dentist.address) is None

    admin_sends(system, "register_dentist", dentist.address)
    recorded = operator.post("/v1/operator/dentists", json=body)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json() == {"address": dentist.address, "name": "Harbour Dental", "active": True}
    listed = system.client.get("/v1/dentists", params={"q": "Harbour"}).json()["items"]
    assert [(d["address"], d["active"]) for d in listed] == [(dentist.address, True)]

    # A deactivation the chain does not show yet is refused; once sent, it is recorded.
    path = f"/v1/operator/dentists/{dentist.address}/deactivation"
    early = operator.post(path)
    assert (early.status_code, early.json()["error"]["code"]) == (
        409,
        "DENTIST_STILL_ACTIVE_ON_CHAIN",
    )
    admin_sends(system, "deactivate_dentist", dentist.address)
    done = operator.post(path)
    assert done.status_code == 200 and done.json()["active"] is False
    # Recording the inactive dentist as registered again is refused: the chain says inactive.
    again = operator.post("/v1/operator/dentists", json=body)
    assert again.json()["error"]["code"] == "DENTIST_NOT_ON_CHAIN"
    assert "inactive" in again.json()["error"]["message"]
    unknown = operator.post(f"/v1/operator/dentists/{new_wallet().address}/deactivation")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "DENTIST_NOT_FOUND")


def test_queue_health_matches_the_chain_receipts(operated: System, w3: Web3) -> None:
    system = operated
    operator = as_wallet(system, OPERATOR)
    empty = operator.get("/v1/operator/queue")
    assert empty.status_code == 200, empty.text
    assert empty.json()["lastAnchor"] is None and empty.json()["feesWei"] == "0"

    ids = [anchored_review(system)["id"] for _ in range(3)]
    patient, dentist = new_wallet(), system.new_dentist()
    visit = system.attested_visit(dentist, patient)
    waiting = system.post_review(patient, system.review_message(visit))
    assert waiting.status_code == 202  # not anchored: pending

    health = operator.get("/v1/operator/queue").json()

    with system.sessions() as session:
        rows = session.scalars(select(ReviewRow).where(ReviewRow.id.in_(ids))).all()
        hashes = {row.tx_hash for row in rows}
        last = max(rows, key=lambda r: r.block_number or 0)
    expected = 0
    for tx_hash in hashes:
        assert tx_hash is not None
        receipt = w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        expected += int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
    assert expected > 0
    assert health["pending"] == 1 and health["failed"] == 0 and health["waiting"] == 0
    assert health["feesWei"] == str(expected)
    assert health["feeTransactions"] == len(hashes) and health["uncountedTransactions"] == 0
    assert health["lastAnchor"] == {
        "blockNumber": last.block_number,
        "anchoredAt": last.anchored_at,
        "txHash": last.tx_hash,
    }
    # Asked again, the fees come from the recorded receipts: the same figure.
    assert operator.get("/v1/operator/queue").json()["feesWei"] == str(expected)


def test_oversized_bodies_are_refused_before_anything_is_read(operated: System) -> None:
    system = operated
    review = anchored_review(system)
    operator = as_wallet(system, OPERATOR)
    huge = "a" * (70 * 1024)
    for path, body in (
        (f"/v1/reviews/{review['id']}/flags", {"reason": huge}),
        (
            f"/v1/moderation/reviews/{review['id']}/decisions",
            {"action": "keep", "reason": "no_violation", "note": huge},
        ),  # fmt: skip
        ("/v1/operator/dentists", {"address": new_wallet().address, "name": huge}),
    ):
        refused = operator.post(path, json=body)
        assert refused.status_code == 413, (path, refused.text)
        assert refused.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["state"] == "published"


@pytest.fixture
def outage(
    own_chain: AnvilNode, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[System]:
    monkeypatch.setenv("DENTAREVIEW_OPERATOR_ADDRESSES", OPERATOR.address)
    w3 = Web3(Web3.HTTPProvider(own_chain.rpc_url))
    yield from start_system(own_chain.rpc_url, w3, tmp_path / "data", database_url)


def test_a_chain_outage_is_said_not_guessed(own_chain: AnvilNode, outage: System) -> None:
    """Chain away: recording a dentist is refused (nothing is trusted without the chain);
    queue health still answers, with the fees it could not read counted apart."""
    system = outage
    review = anchored_review(system)
    operator = as_wallet(system, OPERATOR)
    own_chain.stop()
    dentist = new_wallet().address
    refused = operator.post("/v1/operator/dentists", json={"address": dentist, "name": "X"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (503, "CHAIN_UNAVAILABLE")
    with system.sessions() as session:
        assert session.get(DentistRow, dentist) is None
    health = operator.get("/v1/operator/queue")
    assert health.status_code == 200, health.text
    assert health.json()["feesWei"] == "0" and health.json()["uncountedTransactions"] == 1
    assert health.json()["lastAnchor"]["blockNumber"] > 0

    own_chain.start()
    back = operator.get("/v1/operator/queue").json()
    assert back["uncountedTransactions"] == 0 and back["feeTransactions"] == 1
    assert int(back["feesWei"]) > 0
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["status"] == "anchored"


def test_the_queue_lists_flagged_and_signalled_reviews_until_decided(operated: System) -> None:
    system = operated
    flagged, marked = anchored_review(system), anchored_review(system)
    operator = as_wallet(system, OPERATOR)
    assert operator.get("/v1/moderation/under-review").json() == []
    system.client.post(f"/v1/reviews/{flagged['id']}/flags", json={"reason": "advertising"})
    decided = operator.post(
        f"/v1/moderation/reviews/{marked['id']}/decisions",
        json={"action": "under_review", "reason": "anomaly"},
    )
    assert decided.status_code == 201, decided.text
    listed = operator.get("/v1/moderation/under-review")
    assert listed.status_code == 200, listed.text
    assert listed.json() == [
        {"reviewId": flagged["id"], "reason": "advertising", "reasonLabel": "advertising"},
        {
            "reviewId": marked["id"],
            "reason": "anomaly",
            "reasonLabel": "unusual activity for this practice (anomaly signals)",
        },
    ]
    operator.post(
        f"/v1/moderation/reviews/{marked['id']}/decisions",
        json={"action": "keep", "reason": "anomaly"},
    )
    assert [r["reviewId"] for r in operator.get("/v1/moderation/under-review").json()] == [
        flagged["id"]
    ]
    bad = operator.get("/v1/moderation/under-review", params={"limit": 0})
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "VALIDATION_ERROR")


def test_queue_health_counts_the_fees_of_statement_anchors(operated: System, w3: Web3) -> None:
    from tests.api.test_revisions import edit_message, post, reviewed

    system = operated
    operator = as_wallet(system, OPERATOR)
    patient, review = reviewed(system)
    before = int(operator.get("/v1/operator/queue").json()["feesWei"])
    edit = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
    assert edit.status_code == 201, edit.text
    assert system.anchor().statements == 1

    with system.sessions() as session:
        anchor = session.scalars(
            select(StatementAnchorRow).where(StatementAnchorRow.digest == edit.json()["digest"])
        ).one()
        assert anchor.tx_hash is not None
        receipt = w3.eth.get_transaction_receipt(HexBytes(anchor.tx_hash))
    after = int(operator.get("/v1/operator/queue").json()["feesWei"])
    assert after - before == int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
