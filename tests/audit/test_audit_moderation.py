"""`dentareview audit` counts moderation states and tells them apart from tampering."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from eth_utils.hexadecimal import encode_hex
from sqlalchemy import text

from dentareview.domain.typed_data import text_hash
from tests.api.system import System
from tests.api.test_moderation import OPERATOR, anchored_review, as_wallet, moderated
from tests.api.test_revisions import NEW_TEXT
from tests.audit.helpers import (
    audit,
    audit_json,
    post_review,
    proof_of,
    public_proof_of,
    verify_json,
)
from tests.audit.test_revision_proofs import edited_then_erased

__all__ = ["moderated"]


def test_moderation_states_are_counted_and_an_unrecorded_removal_is_reported(
    moderated: System,
) -> None:
    system = moderated
    removed, flagged, hidden = (anchored_review(system) for _ in range(3))
    operator = as_wallet(system, OPERATOR)
    assert (
        operator.post(
            f"/v1/moderation/reviews/{removed['id']}/decisions",
            json={"action": "remove", "reason": "advertising"},
        ).status_code
        == 201
    )
    assert (
        system.client.post(
            f"/v1/reviews/{flagged['id']}/flags", json={"reason": "wrong_business"}
        ).status_code
        == 201
    )

    result = audit(system)
    assert result.exit_code == 0, result.output
    assert "UNDER_REVIEW 1, REMOVED_BY_MODERATION 1" in result.output
    code, body = audit_json(system)
    assert code == 0 and body["states"]["REMOVED_BY_MODERATION"]["count"] == 1

    # Someone hides a review as if moderated, with no operator's decision on record.
    with system.sessions() as session:
        session.execute(
            text("UPDATE reviews SET moderation_state = 'removed' WHERE id = :id"),
            {"id": hidden["id"]},
        )
        session.commit()
    code, body = audit_json(system)
    assert code == 1
    assert set(body["discrepancies"]) == {"MODERATION_UNRECORDED"}
    assert [f["reviewId"] for f in body["discrepancies"]["MODERATION_UNRECORDED"]["items"]] == [
        hidden["id"]
    ]
    # and a removed review's signed text edited in the database is still tampering
    with system.sessions() as session:
        session.execute(
            text("UPDATE reviews SET text = 'x' || text WHERE id = :id"), {"id": removed["id"]}
        )
        session.commit()
    code, body = audit_json(system)
    assert "TEXT_CHANGED" in body["discrepancies"]


def test_a_removed_review_s_public_proof_withholds_its_texts_and_still_verifies(
    moderated: System, tmp_path: Path
) -> None:
    system = moderated
    posted = edited_then_erased(system, erase=False)  # anchored, then edited by its patient
    original = posted.message["text"]
    removed = as_wallet(system, OPERATOR).post(
        f"/v1/moderation/reviews/{posted.id}/decisions",
        json={"action": "remove", "reason": "personal_information"},
    )
    assert removed.status_code == 201, removed.text

    public = public_proof_of(system, posted.id)
    served = json.dumps(public)
    assert original not in served and NEW_TEXT not in served  # neither version's text
    assert public["review"]["textHash"] == encode_hex(text_hash(original))
    assert public["author"]["revisions"][0]["textHash"] == encode_hex(text_hash(NEW_TEXT))
    code, checks = verify_json(system, public, tmp_path)
    assert code == 0, checks
    assert checks["digest"] is True and checks["author"] is True
    # The patient's own full proof keeps what they signed.
    full = proof_of(system, posted)
    assert full["review"]["message"]["text"] == original


def test_a_removed_review_never_edited_verifies_and_says_its_text_is_withheld(
    moderated: System, tmp_path: Path
) -> None:
    system = moderated
    posted = post_review(system)
    system.anchor()
    removed = as_wallet(system, OPERATOR).post(
        f"/v1/moderation/reviews/{posted.id}/decisions",
        json={"action": "remove", "reason": "advertising"},
    )
    assert removed.status_code == 201, removed.text

    public = public_proof_of(system, posted.id)
    assert "review.message.text" in public["withheld"] and "author" not in public
    code, checks = verify_json(system, public, tmp_path)
    assert code == 0, checks
    assert "author" not in checks  # no word of the author is claimed
    # The same proof passed off as an erasure by its author, with no signed request, fails.
    passed_off = copy.deepcopy(public)
    passed_off["withheld"].remove("review.message.text")
    code, checks = verify_json(system, passed_off, tmp_path)
    assert code == 1 and checks["author"] is False
