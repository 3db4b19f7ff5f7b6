"""`dentareview audit` counts reviews edited or erased by their author as states, never
as tampering, and still catches tampering with the reviews and with the revisions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dentareview.audit.hashing import digest_from_text_hash, typed_digest
from dentareview.domain.typed_data import text_hash
from tests.api.system import System
from tests.api.test_revisions import edit_message, erasure_message, post
from tests.audit.helpers import Posted, audit, audit_json, post_review


def digest_of(system: System, review_id: int) -> str:
    return str(system.client.get(f"/v1/reviews/{review_id}").json()["digest"])


def as_review(system: System, posted: Posted) -> dict[str, Any]:
    return {"visit": posted.visit, "digest": digest_of(system, posted.id)}


def sql(system: System, statement: str, **params: Any) -> None:
    with system.sessions() as session:
        session.execute(text(statement), params)
        session.commit()


@pytest.fixture
def revised(system: System) -> tuple[Posted, Posted, Posted]:
    """One review edited twice, one edited then erased, one untouched."""
    edited, erased, untouched = (post_review(system) for _ in range(3))
    system.anchor()
    first = post(
        system, edited.patient, "edit", edited.id, edit_message(as_review(system, edited),
        digest_of(system, edited.id))
    )  # fmt: skip
    assert first.status_code == 201, first.text
    second = post(
        system, edited.patient, "edit", edited.id,
        edit_message(as_review(system, edited), first.json()["digest"], rating=3),
    )  # fmt: skip
    assert second.status_code == 201, second.text
    review = as_review(system, erased)
    assert post(system, erased.patient, "edit", erased.id, edit_message(review, review["digest"]))
    done = post(system, erased.patient, "erase", erased.id, erasure_message(review))
    assert done.status_code == 201, done.text
    return edited, erased, untouched


def test_edited_and_erased_reviews_are_counted_states_not_discrepancies(
    system: System, revised: tuple[Posted, Posted, Posted]
) -> None:
    result = audit(system)
    assert result.exit_code == 0, result.output
    assert "EDITED 1 (edited by its author), ERASED 1 (erased by its author)" in result.output
    assert "TEXT_CHANGED" not in result.output
    code, body = audit_json(system)
    assert code == 0 and body["discrepancies"] == {}
    assert body["counts"]["edited"] == 1 and body["counts"]["erased"] == 1
    assert body["states"]["ERASED"]["count"] == 1


def test_deleting_a_text_without_a_signed_request_is_tampering(
    system: System, revised: tuple[Posted, Posted, Posted]
) -> None:
    _edited, _erased, untouched = revised
    with system.sessions() as session:
        stored = session.execute(
            text("SELECT text FROM reviews WHERE id = :id"), {"id": untouched.id}
        ).scalar_one()
    # An operator "erasing" it and marking it so, with no request from the patient.
    sql(
        system,
        "UPDATE reviews SET text = '', text_hash = :h, author_state = 'erased' WHERE id = :id",
        h="0x" + text_hash(stored).hex(),
        id=untouched.id,
    )
    code, body = audit_json(system)
    assert code == 1
    assert set(body["discrepancies"]) == {"TEXT_CHANGED"}
    assert [f["reviewId"] for f in body["discrepancies"]["TEXT_CHANGED"]["items"]] == [
        untouched.id
    ]
    assert body["counts"]["erased"] == 1


def test_a_forged_edit_or_shown_ratings_are_caught(
    system: System, revised: tuple[Posted, Posted, Posted]
) -> None:
    edited, _erased, untouched = revised
    # The latest signed edit's text changed in the database.
    sql(
        system,
        "UPDATE review_revisions SET text = 'A much better experience than I said, truly "
        "wonderful staff and care.' WHERE review_id = :id AND seq = 2",
        id=edited.id,
    )
    # The shown ratings of an untouched review changed without any edit.
    sql(system, "UPDATE reviews SET edited_rating = 1 WHERE id = :id", id=untouched.id)
    code, body = audit_json(system)
    assert code == 1
    found = {
        kind: sorted(f["reviewId"] for f in entry["items"])
        for kind, entry in body["discrepancies"].items()
    }
    assert found["REVISION_CHANGED"] == [edited.id]
    assert untouched.id in found["RATING_CHANGED"]
    assert "TEXT_CHANGED" not in found


def test_a_ratings_change_of_an_erased_review_is_still_caught(
    system: System, revised: tuple[Posted, Posted, Posted]
) -> None:
    _edited, erased, _untouched = revised
    sql(system, "UPDATE reviews SET rating = 1 WHERE id = :id", id=erased.id)
    code, body = audit_json(system)
    assert code == 1
    assert set(body["discrepancies"]) == {"RATING_CHANGED"}


def test_the_digest_from_a_text_hash_equals_the_digest_from_the_text() -> None:
    message = {
        "visitId": "0x" + "ab" * 32,
        "previousDigest": "0x" + "cd" * 32,
        "rating": 5,
        "treatment": 4,
        "bedside": 3,
        "waitTime": 2,
        "text": "naïve café — ünïcödé text, with emoji 🦷",
        "deadline": 1_800_000_000,
    }
    registry = "0x" + "12" * 20
    assert typed_digest(31337, registry, "ReviewEdit", message) == digest_from_text_hash(
        31337, registry, "ReviewEdit", message, "0x" + text_hash(message["text"]).hex()
    )
