"""Proofs of reviews edited or erased by their author, checked by `dentareview verify`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from dentareview.domain.models import Eip712Domain
from dentareview.services.proofs import build_proof
from tests.api.system import System, new_wallet
from tests.api.test_real_wallets import AddressOnly, smart_account_for
from tests.api.test_revisions import NEW_TEXT, edit_message, erasure_message, post
from tests.audit.helpers import (
    Posted,
    post_review,
    proof_of,
    public_proof_of,
    verify,
    verify_json,
)
from tests.audit.test_audit_revisions import as_review
from tests.support.wallet import sign_typed


def edited_then_erased(system: System, *, erase: bool, anchor: bool = True) -> Posted:
    posted = post_review(system)
    system.anchor()
    review = as_review(system, posted)
    edited = post(system, posted.patient, "edit", posted.id, edit_message(review, review["digest"]))
    assert edited.status_code == 201, edited.text
    if erase:
        erased = post(system, posted.patient, "erase", posted.id, erasure_message(review))
        assert erased.status_code == 201, erased.text
    if anchor:
        assert system.anchor().statements == (2 if erase else 1)
    return posted


def test_an_erased_review_proof_carries_the_signed_request_and_verifies(
    system: System, tmp_path: Path
) -> None:
    posted = edited_then_erased(system, erase=True)

    full = proof_of(system, posted)
    public = public_proof_of(system, posted.id)

    for proof in (full, public):
        assert "text" not in proof["review"]["message"] and proof["review"]["textHash"]
        assert NEW_TEXT not in json.dumps(proof)
        assert posted.message["text"] not in json.dumps(proof)
        assert proof["author"]["state"] == "erased"
        assert proof["author"]["label"] == "erased by its author"
        assert [r["kind"] for r in proof["author"]["revisions"]] == ["edit", "erasure"]
    assert all("signature" in r for r in full["author"]["revisions"])
    assert not any("signature" in r for r in public["author"]["revisions"])
    assert posted.patient.address[2:].lower() not in json.dumps(public).lower()

    result = verify(system, full, tmp_path)
    assert result.exit_code == 0, result.output
    assert "erased by its author" in result.output
    code, checks = verify_json(system, public, tmp_path)
    assert code == 0, checks
    assert checks["author"] is True and checks["digest"] is True
    assert checks["author-anchors"] is True
    assert all(r["anchor"]["txHash"] for r in public["author"]["revisions"])


def test_a_revision_not_yet_anchored_fails_until_it_is(system: System, tmp_path: Path) -> None:
    posted = edited_then_erased(system, erase=True, anchor=False)
    waiting = public_proof_of(system, posted.id)
    assert not any("anchor" in r for r in waiting["author"]["revisions"])
    code, checks = verify_json(system, waiting, tmp_path)
    assert code == 1 and checks["author-anchors"] is False and checks["author"] is True

    assert system.anchor().statements == 2
    code, checks = verify_json(system, public_proof_of(system, posted.id), tmp_path)
    assert code == 0 and checks["author-anchors"] is True


def test_a_revision_anchor_pointing_elsewhere_fails(system: System, tmp_path: Path) -> None:
    posted = edited_then_erased(system, erase=True)
    proof = public_proof_of(system, posted.id)
    edit, erasure = proof["author"]["revisions"]
    moved = copy.deepcopy(proof)
    # The review's own anchoring transaction: real, but it anchors no statement.
    moved["author"]["revisions"][0]["anchor"] = {
        "txHash": proof["anchor"]["txHash"],
        "blockNumber": proof["anchor"]["blockNumber"],
    }
    code, checks = verify_json(system, moved, tmp_path)
    assert code == 1 and checks["author-anchors"] is False
    swapped = copy.deepcopy(proof)
    swapped["author"]["revisions"][0]["anchor"]["blockNumber"] += 1
    code, checks = verify_json(system, swapped, tmp_path)
    assert code == 1 and checks["author-anchors"] is False
    assert edit["anchor"]["txHash"] == erasure["anchor"]["txHash"]  # one transaction for both


def test_an_edited_review_proof_verifies_each_version(system: System, tmp_path: Path) -> None:
    posted = edited_then_erased(system, erase=False)
    full = proof_of(system, posted)
    assert full["author"]["state"] == "edited"
    assert full["author"]["revisions"][0]["message"]["text"] == NEW_TEXT
    assert full["review"]["message"]["text"] == posted.message["text"]  # the anchored one
    result = verify(system, full, tmp_path)
    assert result.exit_code == 0, result.output
    assert "edited by its author" in result.output


def test_a_forged_erasure_or_edit_in_a_proof_fails(system: System, tmp_path: Path) -> None:
    posted = edited_then_erased(system, erase=True)
    full = proof_of(system, posted)

    forged_erasure = copy.deepcopy(full)
    forged_erasure["author"]["revisions"][1]["message"]["deadline"] += 1
    code, checks = verify_json(system, forged_erasure, tmp_path)
    assert code == 1 and checks["author"] is False

    not_signed = copy.deepcopy(full)
    signature = not_signed["author"]["revisions"][1]["signature"]
    not_signed["author"]["revisions"][1]["signature"] = signature[:-2] + (
        "1c" if signature.endswith("1b") else "1b"
    )
    code, checks = verify_json(system, not_signed, tmp_path)
    assert code == 1 and checks["author"] is False

    no_request = copy.deepcopy(full)
    del no_request["author"]
    code, checks = verify_json(system, no_request, tmp_path)
    assert code == 1 and checks["author"] is False

    ratings = copy.deepcopy(full)
    ratings["review"]["message"]["rating"] = 1
    code, checks = verify_json(system, ratings, tmp_path)
    assert code == 1 and checks["digest"] is False


def test_a_smart_account_patients_full_proof_verifies_through_erc1271(
    system: System, tmp_path: Path
) -> None:
    owner, stranger, dentist = new_wallet(), new_wallet(), system.new_dentist()
    account = smart_account_for(system, owner)
    visit = system.attested_visit(dentist, AddressOnly(account))
    response = system.post_review(owner, system.review_message(visit))
    assert response.status_code == 202, response.text
    system.anchor()
    review = {**response.json(), "visit": visit}
    edited = post(system, owner, "edit", review["id"], edit_message(review, review["digest"]))
    assert edited.status_code == 201, edited.text
    assert system.anchor().statements == 1
    served = system.eip712()["domain"]
    domain = Eip712Domain(served["chainId"], served["verifyingContract"])
    with system.sessions() as session:
        proof = build_proof(session, review_id=review["id"], domain=domain).to_json()

    code, checks = verify_json(system, proof, tmp_path)
    assert code == 0, checks
    assert checks["review-signature"] and checks["author"] and checks["author-anchors"]

    forged = copy.deepcopy(proof)  # a signature the account's owner did not make
    forged["review"]["signature"] = sign_typed(
        stranger, system.eip712(), "Review", proof["review"]["message"]
    )
    code, checks = verify_json(system, forged, tmp_path)
    assert code == 1 and checks["review-signature"] is False
