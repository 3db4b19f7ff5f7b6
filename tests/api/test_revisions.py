"""Edits and erasure by the patient, each signed with the patient's wallet."""

from __future__ import annotations

import time
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import select

from dentareview.db.models import ReviewRevisionRow, ReviewRow, RewardPaymentRow
from dentareview.domain.typed_data import EIP712_TYPES
from tests.api.system import System, new_wallet
from tests.support.siwe import signed_in
from tests.support.wallet import sign_typed

NEW_TEXT = (
    "Coming back after a month: the crown feels a little high when I bite, and the "
    "follow-up appointment took three weeks to get."
)


def reviewed(system: System, *, anchor: bool = True) -> tuple[LocalAccount, dict[str, Any]]:
    patient, dentist = new_wallet(), system.new_dentist()
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit))
    assert response.status_code == 202, response.text
    if anchor:
        system.anchor()
    return patient, {**response.json(), "visit": visit, "dentist": dentist}


def edit_message(review: dict[str, Any], previous: str, **changes: Any) -> dict[str, Any]:
    message = {
        "visitId": review["visit"]["visitId"],
        "previousDigest": previous,
        "rating": 2,
        "treatment": 2,
        "bedside": 3,
        "waitTime": 1,
        "text": NEW_TEXT,
        "deadline": int(time.time()) + 3600,
    }
    return {**message, **changes}


def erasure_message(review: dict[str, Any], **changes: Any) -> dict[str, Any]:
    message = {
        "visitId": review["visit"]["visitId"],
        "digest": review["digest"],
        "deadline": int(time.time()) + 3600,
    }
    return {**message, **changes}


def post(
    system: System, signer: LocalAccount, action: str, review_id: int, message: dict[str, Any]
) -> Any:
    primary = "ReviewEdit" if action == "edit" else "ReviewErasure"
    signature = sign_typed(signer, system.eip712(), primary, message)
    return system.client.post(
        f"/v1/reviews/{review_id}/{action}", json={"message": message, "signature": signature}
    )


def test_eip712_adds_the_new_types_and_keeps_the_old_ones_exactly(system: System) -> None:
    types = system.eip712()["types"]
    assert types["Visit"] == EIP712_TYPES["Visit"]
    assert [f["name"] for f in types["Review"]] == [
        "visitId", "rating", "treatment", "bedside", "waitTime", "text", "deadline"
    ]  # fmt: skip
    assert [f"{f['type']} {f['name']}" for f in types["ReviewEdit"]] == [
        "bytes32 visitId", "bytes32 previousDigest", "uint8 rating", "uint8 treatment",
        "uint8 bedside", "uint8 waitTime", "string text", "uint64 deadline",
    ]  # fmt: skip
    assert [f"{f['type']} {f['name']}" for f in types["ReviewErasure"]] == [
        "bytes32 visitId", "bytes32 digest", "uint64 deadline"
    ]  # fmt: skip


def test_an_edit_is_a_new_version_shown_with_its_state_and_never_paid_again(
    system: System,
) -> None:
    patient, review = reviewed(system)
    balance = system.token_balance(patient.address)
    assert balance > 0

    response = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "edit" and body["seq"] == 1 and body["state"] == "edited"
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "edited" and shown["stateLabel"] == "edited by its author"
    assert shown["text"] == NEW_TEXT and shown["rating"] == 2 and shown["waitTime"] == 1
    assert shown["digest"] == review["digest"]  # the anchored one
    assert shown["latestDigest"] == body["digest"] and shown["versions"] == 2
    own = signed_in(TestClient(system.client.app), patient).get("/v1/me/reviews").json()
    assert [(i["state"], i["text"]) for i in own["items"]] == [("edited", NEW_TEXT)]
    reputation = system.client.get(f"/v1/dentists/{review['dentist'].address}/reputation").json()
    assert reputation["count"] == 1 and reputation["mean"] == 2.0  # its latest ratings
    system.anchor()
    assert system.token_balance(patient.address) == balance
    with system.sessions() as session:
        payments = session.scalars(
            select(RewardPaymentRow).where(RewardPaymentRow.review_id == review["id"])
        ).all()
        assert len(payments) == 1
        original = session.get(ReviewRow, review["id"])
        assert original is not None and original.rating == 5  # the signed Review is kept


def test_edits_chain_and_a_stale_edit_is_a_conflict(system: System) -> None:
    patient, review = reviewed(system, anchor=False)  # a pending review may be edited
    first = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
    assert first.status_code == 201, first.text

    stale = post(
        system, patient, "edit", review["id"], edit_message(review, review["digest"], rating=4)
    )
    assert stale.status_code == 409, stale.text
    assert stale.json()["error"]["code"] == "REVISION_CONFLICT"
    assert stale.json()["error"]["field"] == "message.previousDigest"

    second = post(
        system,
        patient,
        "edit",
        review["id"],
        edit_message(review, first.json()["digest"], rating=4),
    )
    assert second.status_code == 201, second.text
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["versions"] == 3 and shown["rating"] == 4


def test_nobody_but_the_author_edits_or_erases(system: System) -> None:
    _patient, review = reviewed(system)
    stranger = new_wallet()
    for action, message in (
        ("edit", edit_message(review, review["digest"])),
        ("erase", erasure_message(review)),
    ):
        response = post(system, stranger, action, review["id"], message)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "NOT_REVIEW_AUTHOR"
    # The dentist cannot either.
    response = post(system, review["dentist"], "erase", review["id"], erasure_message(review))
    assert response.json()["error"]["code"] == "NOT_REVIEW_AUTHOR"


def test_bad_revisions_get_clear_errors(system: System) -> None:
    patient, review = reviewed(system)
    cases = [
        ("edit", edit_message(review, review["digest"], text="too short"), 422, "TEXT_TOO_SHORT"),
        ("edit", edit_message(review, review["digest"], rating=6), 422, "INVALID_RATING"),
        ("edit", edit_message(review, review["digest"], deadline=1), 422, "SIGNATURE_EXPIRED"),
        ("erase", erasure_message(review, digest="0x" + "11" * 32), 409, "REVISION_CONFLICT"),
        ("erase", erasure_message(review, visitId="0x" + "22" * 32), 422, "VALIDATION_ERROR"),
        (
            "erase",
            erasure_message(review, deadline=int(time.time()) + 10 * 86_400),
            422,
            "DEADLINE_TOO_FAR",
        ),
    ]
    for action, message, status, code in cases:
        response = post(system, patient, action, review["id"], message)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), (
            action,
            message,
            response.text,
        )
    missing = post(system, patient, "erase", 999_999, erasure_message(review))
    assert missing.json()["error"]["code"] == "REVIEW_NOT_FOUND"
    garbled = system.client.post(
        f"/v1/reviews/{review['id']}/erase",
        json={"message": erasure_message(review), "signature": "0x1234"},
    )
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == "INVALID_SIGNATURE"


def test_erasure_deletes_the_text_of_every_version_and_keeps_the_proof(system: System) -> None:
    patient, review = reviewed(system, anchor=False)
    edited = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
    assert edited.status_code == 201, edited.text

    early = post(system, patient, "erase", review["id"], erasure_message(review))
    assert early.status_code == 409 and early.json()["error"]["code"] == "REVIEW_NOT_ANCHORED"
    system.anchor()
    response = post(system, patient, "erase", review["id"], erasure_message(review))

    assert response.status_code == 201, response.text
    assert response.json()["state"] == "erased"
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "erased" and shown["stateLabel"] == "erased by its author"
    assert shown["text"] == "" and shown["rating"] is None
    assert shown["digest"] == review["digest"]
    reputation = system.client.get(f"/v1/dentists/{review['dentist'].address}/reputation").json()
    assert reputation["count"] == 0  # an erased review no longer counts
    listing = system.client.get(f"/v1/dentists/{review['dentist'].address}/reviews").json()
    assert [item["state"] for item in listing["items"]] == ["erased"]  # still listed, named
    with system.sessions() as session:
        row = session.get(ReviewRow, review["id"])
        assert row is not None and row.text == "" and row.text_hash is not None
        revisions = session.scalars(select(ReviewRevisionRow).order_by(ReviewRevisionRow.seq)).all()
        assert [r.kind for r in revisions] == ["edit", "erasure"]
        assert all(r.text is None for r in revisions)
        assert NEW_TEXT not in repr([(r.text, r.text_hash) for r in revisions])
    for action, message in (
        ("erase", erasure_message(review)),
        ("edit", edit_message(review, edited.json()["digest"])),
    ):
        again = post(system, patient, action, review["id"], message)
        assert again.status_code == 409 and again.json()["error"]["code"] == "REVIEW_ERASED"


def test_a_smart_account_patient_edits_and_erases_through_erc1271(system: System) -> None:
    from tests.api.test_real_wallets import AddressOnly, smart_account_for
    from tests.audit.helpers import audit_json

    owner, stranger, dentist = new_wallet(), new_wallet(), system.new_dentist()
    account = smart_account_for(system, owner)
    visit = system.attested_visit(dentist, AddressOnly(account))
    response = system.post_review(owner, system.review_message(visit))
    assert response.status_code == 202, response.text
    system.anchor()
    review = {**response.json(), "visit": visit}

    refused = post(system, stranger, "edit", review["id"], edit_message(review, review["digest"]))
    assert refused.json()["error"]["code"] == "NOT_REVIEW_AUTHOR"
    edited = post(system, owner, "edit", review["id"], edit_message(review, review["digest"]))
    assert edited.status_code == 201, edited.text
    erased = post(system, owner, "erase", review["id"], erasure_message(review))
    assert erased.status_code == 201, erased.text

    code, body = audit_json(system)
    assert code == 0, body["discrepancies"]
    assert body["counts"]["erased"] == 1
