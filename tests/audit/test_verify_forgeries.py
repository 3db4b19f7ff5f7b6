"""Every kind of forged or altered proof is caught by `dentareview verify`, by the right check.

`verify` reads no database, so these run on one database kind only.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from dentareview.cli import app
from dentareview.domain.models import Eip712Domain, Review, parse_bytes32
from dentareview.domain.typed_data import review_digest
from tests.api.system import REVIEW_TEXT, System
from tests.audit.helpers import (
    Posted,
    post_review,
    proof_of,
    registry_option,
    runner,
    verify,
    verify_json,
)
from tests.support.wallet import sign_typed

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def anchored(system: System) -> tuple[Posted, Posted]:
    reviews = post_review(system, rating=5), post_review(system, rating=2)
    assert system.anchor().anchored == 2
    return reviews


def failing(system: System, proof: dict[str, Any], tmp_path: Path) -> set[str]:
    code, checks = verify_json(system, proof, tmp_path)
    assert code == 1
    return {name for name, ok in checks.items() if not ok}


def test_changed_text_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    proof["review"]["message"]["text"] = REVIEW_TEXT.replace("no pain", "a lot of pain")
    assert failing(system, proof, tmp_path) == {"digest", "review-signature"}


def test_changed_rating_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    proof["review"]["message"]["rating"] = 1
    assert failing(system, proof, tmp_path) == {"digest", "review-signature"}


def test_changed_text_with_a_matching_digest_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    """A forger who also recomputes the digest still lacks the patient's signature and
    an anchor for that digest."""
    proof = proof_of(system, anchored[0])
    message = proof["review"]["message"]
    message["rating"] = 1
    domain = Eip712Domain(proof["chainId"], proof["registry"])
    review = Review(
        parse_bytes32(message["visitId"], "visitId"), 1, message["treatment"],
        message["bedside"], message["waitTime"], message["text"], message["deadline"],
    )  # fmt: skip
    proof["digest"] = "0x" + review_digest(domain, review).hex()
    assert failing(system, proof, tmp_path) == {
        "review-signature",
        "anchor-event",
        "anchored-at",
        "reward",  # not checked without the anchor event
    }


def test_a_signature_from_another_key_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    impostor = Account.create()
    proof["review"]["signature"] = sign_typed(
        impostor, system.eip712(), "Review", proof["review"]["message"]
    )
    assert failing(system, proof, tmp_path) == {"review-signature"}


def test_a_visit_signed_by_another_key_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    proof["visit"]["signature"] = sign_typed(
        Account.create(), system.eip712(), "Visit", proof["visit"]["message"]
    )
    assert failing(system, proof, tmp_path) == {"visit-signature"}


def test_a_proof_pointing_at_the_wrong_transaction_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    other = proof_of(system, anchored[1])
    proof["anchor"] = other["anchor"]  # a real anchor, of another review
    # anchored-at may hold: the digest is anchored, and both blocks can share a second.
    assert failing(system, proof, tmp_path) - {"anchored-at"} == {"anchor-event", "reward"}

    proof["anchor"]["txHash"] = "0x" + "11" * 32  # no such transaction at all
    assert failing(system, proof, tmp_path) - {"anchored-at"} == {"anchor-event", "reward"}


def test_a_log_emitted_by_another_contract_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    proof["anchor"]["logIndex"] += 1  # the reward's Transfer, in the same receipt

    result = verify(system, proof, tmp_path)

    assert result.exit_code == 1
    assert "FAIL  anchor-event" in result.output
    assert f"was emitted by {system.manifest.token.address}, not the registry" in result.output


def test_a_digest_that_was_never_anchored_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    """The patient really signed this review (a later deadline), but it was never anchored."""
    posted = anchored[0]
    proof = proof_of(system, posted)
    message = dict(proof["review"]["message"], deadline=proof["review"]["message"]["deadline"] + 1)
    proof["review"] = {
        "message": message,
        "signature": sign_typed(posted.patient, system.eip712(), "Review", message),
    }
    domain = Eip712Domain(proof["chainId"], proof["registry"])
    review = Review(
        parse_bytes32(message["visitId"], "visitId"), message["rating"], message["treatment"],
        message["bedside"], message["waitTime"], message["text"], message["deadline"],
    )  # fmt: skip
    proof["digest"] = "0x" + review_digest(domain, review).hex()

    result = verify(system, proof, tmp_path)

    assert result.exit_code == 1
    assert "PASS  digest" in result.output
    assert "PASS  review-signature" in result.output
    assert "FAIL  anchored-at" in result.output
    assert "is 0: never anchored" in result.output
    assert failing(system, proof, tmp_path) == {"anchor-event", "anchored-at", "reward"}


def test_the_registry_named_by_the_proof_must_be_the_published_one(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    elsewhere = Account.create().address
    result = verify(system, proof, tmp_path, "--registry", elsewhere)
    assert result.exit_code == 1
    assert f"FAIL  domain            the proof's registry {proof['registry']} is not" in (
        result.output
    )


def test_a_proof_for_another_chain_is_caught(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    proof = proof_of(system, anchored[0])
    proof["chainId"] = proof["domain"]["chainId"] = 1
    checks = failing(system, proof, tmp_path)
    assert {"chain", "digest", "review-signature", "visit-signature"} <= checks


def test_a_malformed_proof_fails_with_the_field_named(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    good = proof_of(system, anchored[0])
    proof = copy.deepcopy(good)
    del proof["review"]["message"]["rating"]
    result = verify(system, proof, tmp_path)
    assert result.exit_code == 1
    assert "FAIL  format" in result.output
    assert "rating must be an integer" in result.output

    proof = copy.deepcopy(good)
    proof["anchor"]["kind"] = "martian"
    assert "anchor.kind 'martian' is not supported" in verify(system, proof, tmp_path).output


def test_unreadable_input_or_unreachable_node_cannot_run(
    system: System, anchored: tuple[Posted, Posted], tmp_path: Path
) -> None:
    missing = runner.invoke(app, ["verify", str(tmp_path / "none.json"), *registry_option(system)])
    assert missing.exit_code == 2
    assert "cannot read" in missing.output
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_of(system, anchored[0])))
    down = runner.invoke(
        app, ["verify", str(path), "--rpc-url", "http://127.0.0.1:9", *registry_option(system)]
    )
    assert down.exit_code == 2
    assert "does not answer" in down.output
