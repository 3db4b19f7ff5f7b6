"""`dentareview audit` counts moderation states and tells them apart from tampering."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.system import System
from tests.api.test_moderation import OPERATOR, anchored_review, as_wallet, moderated
from tests.audit.helpers import audit, audit_json

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
