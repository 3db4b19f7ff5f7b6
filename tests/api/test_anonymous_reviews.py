"""Anonymous reviews through the service, on real Anvil with the deployed contracts and real
Semaphore proofs (tests/contracts/semaphore.py): memberships signed by patients, group roots
committed through the outbox, an anonymous review proven, queued, published in a batch,
anchored and rewarded at a fresh address; and every refusal."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from sqlalchemy import func, select
from typer.testing import CliRunner
from web3 import Web3

from dentareview.anchoring.anonymous import AnonymousSettings
from dentareview.anchoring.reviews import Anchorer, AnchorReport
from dentareview.cli import app as cli
from dentareview.db.models import AnonymousReviewRow, MembershipRow
from dentareview.db.queries.aggregates import stored_rating_aggregate
from dentareview.db.queries.reputation import rating_aggregate
from dentareview.domain.anonymous import SNARK_SCALAR_FIELD
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import typed_digest
from dentareview.errors import InternalError
from dentareview.services.reputation_rebuild import rebuild_reputation
from dentareview.services.semaphore_node import group_root
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.contracts.evm import advance_time
from tests.contracts.semaphore import SemaphoreProof, commitments, message_of, prove, scope_of
from tests.support.anvil import AnvilNode
from tests.support.wallet import sign_typed

SECRETS = [f"anonymous patient {i}" for i in range(10)]
OTHER_SECRET = "a patient of another practice"
TEXT = (
    "The hygienist was gentle and thorough, the dentist explained the filling before "
    "starting, and the waiting room was calm and clean."
)
SETTINGS = {
    "group_root_interval": 0,
    "anonymous_batch_size": 2,
    "anonymous_min_delay": 0,
    "anonymous_max_delay": 3600,
}


@pytest.fixture
def system(anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str) -> Iterator[System]:
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", database_url, **SETTINGS)


def anchor(system: System) -> AnchorReport:
    anchorer = Anchorer(
        system.sessions,
        system.gateway,
        batch_limit=50,
        anonymous=AnonymousSettings.from_settings(system.settings),
    )
    return anchorer.run_until_idle()


def join(system: System, visit: dict[str, Any], signer: LocalAccount, commitment: int) -> Any:
    message = {"visitId": visit["visitId"], "commitment": commitment}
    signature = sign_typed(signer, system.eip712(), "GroupMembership", message)
    return system.client.post(
        f"/v1/visits/{visit['visitId']}/membership",
        json={"message": {**message, "commitment": str(commitment)}, "signature": signature},
    )


@dataclass
class Practice:
    dentist: LocalAccount
    visits: list[dict[str, Any]]
    patients: list[LocalAccount]


def practice_with_group(system: System, secrets: list[str], name: str) -> Practice:
    """A practice whose patients each joined its group with their identity's commitment."""
    dentist = system.new_dentist(name)
    practice = Practice(dentist, [], [])
    for commitment in commitments(secrets):
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = join(system, visit, patient, commitment)
        assert response.status_code == 201, response.text
        practice.visits.append(visit)
        practice.patients.append(patient)
    return practice


def group(system: System, dentist: str) -> dict[str, Any]:
    response = system.client.get(f"/v1/dentists/{dentist}/group")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def review_message(
    dentist: str, period: int, reward_to: str, *, text: str = TEXT
) -> dict[str, Any]:
    return {
        "dentist": dentist,
        "period": period,
        "rating": 4,
        "treatment": 5,
        "bedside": 4,
        "waitTime": 3,
        "text": text,
        "rewardTo": reward_to,
    }


def proven_body(
    system: System, secret: str, members: list[int], dentist: str, period: int
) -> tuple[dict[str, Any], SemaphoreProof]:
    """A review and its proof, made as the patient's browser makes them."""
    reward_to = Account.create().address
    message = review_message(dentist, period, reward_to)
    domain = Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)
    digest = typed_digest(domain, "AnonymousReviewText", message)
    proof = prove(
        secret, members, scope=scope_of(dentist, period), message=message_of(digest, reward_to)
    )
    return wire(message, proof), proof


def wire(message: dict[str, Any], proof: SemaphoreProof) -> dict[str, Any]:
    return {
        "message": {**message, "period": str(message["period"])},
        "proof": {
            "merkleTreeRoot": str(proof.merkle_tree_root),
            "merkleTreeDepth": proof.merkle_tree_depth,
            "nullifier": str(proof.nullifier),
            "points": [str(p) for p in proof.points],
        },
        "language": "en",
    }


def post(system: System, body: dict[str, Any]) -> Any:
    return system.client.post("/v1/anonymous-reviews", json=body)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def stored_reviews(system: System) -> int:
    with system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(AnonymousReviewRow)) or 0)


# ---------------------------------------------------------------- membership


def test_membership_is_signed_by_the_visits_patient_and_its_root_committed(
    system: System,
) -> None:
    dentist = system.new_dentist("Quiet Dental")
    patient, stranger = new_wallet(), new_wallet()
    visit = system.attested_visit(dentist, patient)
    (commitment, other) = commitments(["membership patient", "membership other"])

    refused = join(system, visit, stranger, commitment)
    assert refused.status_code == 403 and error_code(refused) == "NOT_VISIT_PATIENT"

    first = join(system, visit, patient, commitment)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "dentist": dentist.address,
        "commitment": str(commitment),
        "index": 0,
        "committed": False,
    }
    assert join(system, visit, patient, commitment).status_code == 200  # idempotent
    clash = join(system, visit, patient, other)
    assert clash.status_code == 409 and error_code(clash) == "MEMBERSHIP_EXISTS"

    unknown = {**visit, "visitId": "0x" + "77" * 32}
    missing = join(system, unknown, patient, commitment)
    assert missing.status_code == 404 and error_code(missing) == "VISIT_NOT_FOUND"
    for bad in (0, SNARK_SCALAR_FIELD):
        invalid = join(system, visit, patient, bad)
        assert invalid.status_code == 422 and error_code(invalid) == "VALIDATION_ERROR"

    # The same patient's second visit with the same commitment: accepted, no second leaf.
    again = system.attested_visit(dentist, patient)
    second = join(system, again, patient, commitment)
    assert second.status_code == 200 and second.json()["index"] == 0

    assert group(system, dentist.address)["committedRoot"] is None
    report = anchor(system)
    assert not report.errors, report.errors
    found = group(system, dentist.address)
    assert found["members"] == [str(commitment)]
    assert found["committedSize"] == 1 and found["committedRoot"] is not None
    assert found["minGroupSize"] == 10 and found["open"] is False
    assert join(system, again, patient, commitment).json()["committed"] is True

    # Another patient joins: the next pass commits a new root over both leaves.
    newcomer = new_wallet()
    assert (
        join(system, system.attested_visit(dentist, newcomer), newcomer, other).json()["index"] == 1
    )
    anchor(system)
    grown = group(system, dentist.address)
    assert grown["members"] == [str(commitment), str(other)]
    assert grown["committedSize"] == 2 and grown["committedRoot"] != found["committedRoot"]
    with system.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MembershipRow)) == 3


# ---------------------------------------------------------------- anonymous reviews


def test_an_anonymous_review_end_to_end_and_every_refusal(
    system: System, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    practice = practice_with_group(system, SECRETS, "Anonymous Smiles")
    dentist = practice.dentist.address
    assert anchor(system).errors == []
    found = group(system, dentist)
    assert found["open"] is True and found["committedSize"] == 10
    members = [int(m) for m in found["members"]]
    assert members == commitments(SECRETS)
    period = int(found["period"])

    body, proof = proven_body(system, SECRETS[3], members, dentist, period)
    assert str(proof.merkle_tree_root) == found["committedRoot"]

    # The text changed after proving: the digest is no longer the one the proof binds.
    tampered = {**body, "message": {**body["message"], "text": TEXT + " Truly."}}
    refused = post(system, tampered)
    assert refused.status_code == 422 and error_code(refused) == "INVALID_PROOF"
    # A root this practice never committed.
    unknown_root = {**body, "proof": {**body["proof"], "merkleTreeRoot": "12345"}}
    refused = post(system, unknown_root)
    assert refused.status_code == 409 and error_code(refused) == "UNKNOWN_GROUP_ROOT"
    # A period that is not open.
    future = {**body, "message": {**body["message"], "period": str(period + 1)}}
    refused = post(system, future)
    assert refused.status_code == 409 and error_code(refused) == "PERIOD_NOT_OPEN"
    assert stored_reviews(system) == 0

    caplog.set_level(logging.DEBUG)
    accepted = post(system, body)
    assert accepted.status_code == 202, accepted.text
    queued = accepted.json()
    assert queued["status"] == "queued" and queued["publishAfter"] <= int(time.time()) + 1
    review_id = queued["id"]

    # The same identity, practice and period again (another text): one review per period.
    again = {**body, "message": {**body["message"], "text": TEXT + " Again."}}
    refused = post(system, again)
    assert refused.status_code == 409 and error_code(refused) == "NULLIFIER_USED"

    # One queued review waits for a batch of two (the maximum delay is an hour).
    anchor(system)
    assert system.client.get(f"/v1/anonymous-reviews/{review_id}").json()["status"] == "queued"

    second, _ = proven_body(system, SECRETS[7], members, dentist, period)
    assert post(system, second).status_code == 202
    report = anchor(system)
    assert not report.errors, report.errors

    # No log line of the submissions and their publication names an author.
    authors = [practice.visits[3]["visitId"], practice.visits[7]["visitId"]]
    authors += [practice.patients[3].address, practice.patients[7].address]
    authors += [str(members[3]), str(members[7])]
    for record in caplog.records:
        line = record.getMessage().lower()
        assert not any(author.lower() in line for author in authors), line

    chain = system.client.get("/v1/chain").json()
    assert chain["anonymousReviews"] == system.manifest.anonymous_reviews.address  # type: ignore[union-attr]
    shown = system.client.get(f"/v1/anonymous-reviews/{review_id}").json()
    assert shown["status"] == "anchored" and shown["txHash"] and shown["blockNumber"]
    assert shown["contract"] == system.manifest.anonymous_reviews.address  # type: ignore[union-attr]
    assert shown["proof"]["nullifier"] == str(proof.nullifier)
    assert shown["digest"] == queued["digest"]
    assert system.token_balance(body["message"]["rewardTo"]) == system.manifest.reward_amount
    assert system.token_balance(second["message"]["rewardTo"]) == system.manifest.reward_amount

    listing = system.client.get(f"/v1/dentists/{dentist}/anonymous-reviews").json()
    assert {item["id"] for item in listing["items"]} == {review_id} | {
        item["id"] for item in listing["items"] if item["id"] != review_id
    }
    assert len(listing["items"]) == 2
    text = str(listing).lower()
    for author in authors:
        assert author.lower() not in text
    assert "visitid" not in text and "patient" not in text

    # They count in the practice's reputation like any other anchored review: the stored
    # totals equal a full recomputation, and a rebuild keeps them.
    reputation = system.client.get(f"/v1/dentists/{dentist}/reputation").json()
    assert reputation["count"] == 2 and reputation["mean"] == 4
    assert reputation["histogram"] == {"1": 0, "2": 0, "3": 0, "4": 2, "5": 0}
    assert reputation["pendingCount"] == 0
    assert sum(month["count"] for month in reputation["trend"]) == 2
    with system.sessions() as session:
        stored = stored_rating_aggregate(session, dentist=dentist)
        assert stored == rating_aggregate(session, dentist=dentist) and stored.count == 2
    engine = system.sessions.kw["bind"]
    assert rebuild_reputation(engine, system.sessions) >= 1
    with system.sessions() as session:
        assert stored_rating_aggregate(session, dentist=dentist) == stored

    missing = system.client.get("/v1/anonymous-reviews/0x" + "00" * 16)
    assert missing.status_code == 404 and error_code(missing) == "ANONYMOUS_REVIEW_NOT_FOUND"

    # An auditor checks it with a node alone: digest, proof, root and anchor.
    manifest = system.settings.deployments_dir / f"{system.manifest.chain_id}.json"
    registry = ["--registry", system.manifest.registry.address]
    for trusted in (["--manifest", str(manifest)], registry):
        ok, checks = verify_anonymous(system, shown, tmp_path, trusted)
        assert ok and [c["check"] for c in checks] == CHECKS[trusted[0]], checks
    changed = {**shown, "text": shown["text"] + " (edited by someone)"}
    ok, checks = verify_anonymous(system, changed, tmp_path, registry)
    failed = {c["check"] for c in checks if not c["ok"]}
    assert not ok and failed == {"digest", "proof", "anchored"}
    # A digest recomputed right for a changed text still needs a proof that binds it.
    forged = {**changed, "digest": "0x" + typed_digest(domain_of(system), "AnonymousReviewText", {
        "dentist": changed["dentist"], "period": int(changed["period"]),
        "rating": changed["rating"], "treatment": changed["treatment"],
        "bedside": changed["bedside"], "waitTime": changed["waitTime"],
        "text": changed["text"], "rewardTo": changed["rewardTo"],
    }).hex()}  # fmt: skip
    ok, checks = verify_anonymous(system, forged, tmp_path, registry)
    assert not ok and {c["check"] for c in checks if not c["ok"]} == {"proof", "anchored"}


CHECKS = {
    "--manifest": ["digest", "proof", "group-root", "anchored"],
    "--registry": ["digest", "contract", "proof", "group-root", "anchored"],
}


def domain_of(system: System) -> Eip712Domain:
    return Eip712Domain(system.manifest.chain_id, system.manifest.registry.address)


def verify_anonymous(
    system: System, review: dict[str, Any], tmp_path: Path, trusted: list[str]
) -> tuple[bool, list[dict[str, Any]]]:
    path = tmp_path / "anonymous.json"
    path.write_text(json.dumps(review))
    args = ["verify", str(path), "--anonymous", "--json", "--rpc-url", system.settings.rpc_url]
    result = CliRunner().invoke(cli, [*args, *trusted])
    assert result.exit_code in (0, 1), result.output
    body = json.loads(result.stdout)
    return bool(body["ok"]) and result.exit_code == 0, list(body["checks"])


def test_proofs_for_another_group_or_a_small_group_are_refused(system: System) -> None:
    practice = practice_with_group(system, SECRETS, "Big Practice")
    small = practice_with_group(system, [OTHER_SECRET], "Small Practice")
    anchor(system)
    period = int(group(system, practice.dentist.address)["period"])
    other_members = [int(m) for m in group(system, small.dentist.address)["members"]]

    # A patient of the small practice proves membership of its group but names the big one.
    body, _ = proven_body(system, OTHER_SECRET, other_members, practice.dentist.address, period)
    refused = post(system, body)
    assert refused.status_code == 409 and error_code(refused) == "UNKNOWN_GROUP_ROOT"
    # Naming their own practice: its group is below the minimum.
    own = {**body, "message": {**body["message"], "dentist": small.dentist.address}}
    refused = post(system, own)
    assert refused.status_code == 409 and error_code(refused) == "ANONYMOUS_GROUP_TOO_SMALL"
    assert stored_reviews(system) == 0


@pytest.mark.parametrize(
    "change",
    [
        {"proof": {"points": ["1"] * 7}},
        {"message": {"rating": 6}},
        {"message": {"text": "too short"}},
        {"message": {"period": "-1"}},
        {"message": {"rewardTo": "0x123"}},
        {"proof": {"nullifier": "0x12"}},
        {"extra": True},
    ],
)
def test_bad_bodies_are_refused_with_nothing_stored(system: System, change: dict[str, Any]) -> None:
    dentist = system.new_dentist("Strict Dental")
    message = review_message(dentist.address, 0, Account.create().address)
    body: dict[str, Any] = {
        "message": {**message, "period": "0"},
        "proof": {
            "merkleTreeRoot": "1",
            "merkleTreeDepth": 10,
            "nullifier": "2",
            "points": ["3"] * 8,
        },
    }
    for key, value in change.items():
        body[key] = {**body[key], **value} if isinstance(value, dict) else value
    refused = post(system, body)
    assert refused.status_code == 422, refused.text
    assert stored_reviews(system) == 0


def test_proving_files_are_served_only_by_their_pinned_names(system: System) -> None:
    served = system.client.get("/zk/semaphore-1.json")
    assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
    assert served.json()["protocol"] == "groth16"
    for name in ("semaphore-33.json", "semaphore-0.wasm", "other.json", "semaphore-1.txt"):
        assert system.client.get(f"/zk/{name}").status_code == 404, name


def test_the_group_script_says_what_is_missing_or_too_slow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    members = commitments(SECRETS[:3])
    computed = group_root(members, timeout=60)
    assert (computed.depth, computed.size) == (2, 3)
    with pytest.raises(InternalError, match="took longer than"):
        group_root(members, timeout=0.001)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(InternalError, match="needs Node.js"):
        group_root(members, timeout=60)


@pytest.fixture
def own_system(own_chain: AnvilNode, tmp_path: Path, database_url: str) -> Iterator[System]:
    """The service on a chain of the test's own: it moves the chain's time on."""
    w3 = Web3(Web3.HTTPProvider(own_chain.rpc_url))
    yield from start_system(own_chain.rpc_url, w3, tmp_path / "data", database_url, **SETTINGS)


def test_a_root_replaced_longer_ago_than_its_validity_is_refused(own_system: System) -> None:
    system = own_system
    practice = practice_with_group(system, SECRETS, "Moving Practice")
    dentist = practice.dentist.address
    anchor(system)
    found = group(system, dentist)
    members = [int(m) for m in found["members"]]
    body, _ = proven_body(system, SECRETS[1], members, dentist, int(found["period"]))

    # A new patient joins: a new root replaces the one the proof was made against, which
    # stays usable for the contract's root validity (7 days), then expires.
    newcomer = new_wallet()
    (commitment,) = commitments(["a patient who joined later"])
    joined = join(system, system.attested_visit(practice.dentist, newcomer), newcomer, commitment)
    assert joined.status_code == 201, joined.text
    anchor(system)
    assert group(system, dentist)["committedSize"] == 11
    advance_time(system.w3, 8 * 86_400)

    refused = post(system, body)
    assert refused.status_code == 409 and error_code(refused) == "UNKNOWN_GROUP_ROOT"
    assert stored_reviews(system) == 0
