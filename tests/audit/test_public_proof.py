"""The public proof (no patient wallet, no visit time, no signatures) is verified by
`dentareview verify` as far as it goes, and the output says which checks need the full
proof. Forgeries of what it does carry are still caught."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from dentareview.anchoring.batches import BatchAnchorer
from dentareview.audit.proof import PublicReviewProof, ReviewProof, parse_proof
from tests.api.system import REVIEW_TEXT, System, new_wallet
from tests.audit.helpers import Posted, post_review, proof_of, public_proof_of, verify
from tests.batch.conftest import start_batch_system
from tests.support.anvil import AnvilNode

SINGLE_CHECKS = {
    "chain": True,
    "domain": True,
    "digest": True,
    "dentist": True,
    "anchor-event": True,
    "signatures-on-chain": True,
    "anchored-at": True,
    "reward": True,
}
BATCH_CHECKS = {
    "chain": True,
    "domain": True,
    "digest": True,
    "dentist": True,
    "merkle-proof": True,
    "anchor-event": True,
    "anchored-at": True,
    "in-batch": True,
    "reward": True,
}


def verify_report(system: System, proof: dict[str, Any], tmp_path: Path) -> tuple[int, Any]:
    result = verify(system, proof, tmp_path, "--json")
    return result.exit_code, json.loads(result.stdout)


def by_name(report: dict[str, Any]) -> dict[str, bool]:
    return {check["check"]: check["ok"] for check in report["checks"]}


@pytest.fixture
def anchored(system: System) -> Posted:
    posted = post_review(system)
    assert system.anchor().anchored == 1
    return posted


def test_a_public_single_mode_proof_verifies_and_says_what_needs_the_full_one(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    proof = public_proof_of(system, anchored.id)

    registry = system.manifest.registry.address
    result = verify(system, proof, tmp_path, "--registry", registry)

    assert result.exit_code == 0, result.output
    assert "Review proof (public)" in result.output
    assert "PASS  signatures-on-chain" in result.output
    assert "N/A   review-signature" in result.output
    assert "N/A   visit-signature" in result.output
    assert "needs the full proof" in result.output
    assert (
        "VERIFIED (public proof): all 8 checks it allows hold; not checked without the "
        "full proof: review-signature, visit-signature" in result.output
    )
    assert anchored.patient.address[2:].lower() not in result.output.lower()

    code, report = verify_report(system, proof, tmp_path)
    assert code == 0 and report["ok"] is True and report["kind"] == "public"
    assert by_name(report) == SINGLE_CHECKS
    assert [item["check"] for item in report["needsFullProof"]] == [
        "review-signature",
        "visit-signature",
    ]


def test_the_full_proof_still_verifies_every_check(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    code, report = verify_report(system, proof_of(system, anchored), tmp_path)
    assert code == 0 and report["kind"] == "full" and report["needsFullProof"] == []
    assert "review-signature" in by_name(report) and "signatures-on-chain" not in by_name(report)


def test_a_proof_from_before_kind_existed_is_read_as_full(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    proof = proof_of(system, anchored)
    del proof["kind"]
    assert isinstance(parse_proof(proof), ReviewProof)
    assert verify_report(system, proof, tmp_path)[0] == 0


def test_the_public_proof_is_the_full_proof_less_the_withheld_parts(
    system: System, anchored: Posted
) -> None:
    full = parse_proof(proof_of(system, anchored))
    public = parse_proof(public_proof_of(system, anchored.id))
    assert isinstance(full, ReviewProof) and isinstance(public, PublicReviewProof)
    assert full.public() == public


@pytest.mark.parametrize(
    ("forge", "caught_by"),
    [
        (lambda p: p["review"]["message"].update(text=REVIEW_TEXT.replace("no", "a")), "digest"),
        (lambda p: p["review"]["message"].update(rating=1), "digest"),
        (lambda p: p.update(dentist=new_wallet().address), "dentist"),
        (lambda p: p["anchor"].update(logIndex=p["anchor"]["logIndex"] + 5), "anchor-event"),
    ],
)
def test_forged_public_proofs_are_caught(
    system: System, anchored: Posted, tmp_path: Path, forge: Any, caught_by: str
) -> None:
    proof = public_proof_of(system, anchored.id)
    forge(proof)
    code, report = verify_report(system, proof, tmp_path)
    assert code == 1
    assert by_name(report)[caught_by] is False


def test_a_public_proof_of_another_review_with_this_text_is_caught(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    other = post_review(system, rating=2)
    system.anchor()
    proof = public_proof_of(system, other.id)
    proof["anchor"] = public_proof_of(system, anchored.id)["anchor"]
    code, report = verify_report(system, proof, tmp_path)
    assert code == 1
    failed = {name for name, ok in by_name(report).items() if not ok}
    assert {"anchor-event", "signatures-on-chain"} <= failed


@pytest.fixture
def batch_system(anvil: AnvilNode, w3: Web3, tmp_path: Path, database_url: str) -> Iterator[System]:
    yield from start_batch_system(anvil.rpc_url, w3, tmp_path / "data", database_url)


def test_a_public_batch_proof_verifies_and_names_nobody(
    batch_system: System, tmp_path: Path
) -> None:
    posted = [post_review(batch_system) for _ in range(3)]
    worker = BatchAnchorer(
        batch_system.sessions,
        batch_system.gateway,
        batch_size=3,
        batch_seconds=3600,
        payout_seconds=0,
    )
    assert worker.run_until_idle().anchored == 3
    proof = public_proof_of(batch_system, posted[1].id)
    assert proof["anchor"]["kind"] == "batch"

    result = verify(batch_system, proof, tmp_path)
    code, report = verify_report(batch_system, proof, tmp_path)

    assert result.exit_code == 0, result.output
    assert "batch mode: the chain did not check it" in result.output
    assert all(p.patient.address[2:].lower() not in result.output.lower() for p in posted)
    assert code == 0 and by_name(report) == BATCH_CHECKS
    assert [item["check"] for item in report["needsFullProof"]] == [
        "review-signature",
        "visit-signature",
    ]
