"""`dentareview audit` checks every stored reply version against the dentist's signature,
and reports a reply changed, forged or deleted in the database as REPLY_CHANGED."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from tests.api.system import System
from tests.api.test_replies import BETTER, post_reply, reply_message
from tests.api.test_revisions import erasure_message, post
from tests.audit.helpers import Posted, audit, audit_json, post_review


def sql(system: System, statement: str, **params: Any) -> None:
    with system.sessions() as session:
        session.execute(text(statement), params)
        session.commit()


def as_review(system: System, posted: Posted) -> dict[str, Any]:
    digest = system.client.get(f"/v1/reviews/{posted.id}").json()["digest"]
    return {"visit": posted.visit, "digest": digest, "dentist": posted.dentist}


@pytest.fixture
def replied(system: System) -> tuple[Posted, Posted]:
    """Two reviews with a reply edited once; the second review then erased by its patient."""
    posted = [post_review(system) for _ in range(2)]
    system.anchor()
    for one in posted:
        review = as_review(system, one)
        first = post_reply(system, one.dentist, one.id, reply_message(review))
        assert first.status_code == 201, first.text
        second = post_reply(
            system, one.dentist, one.id, reply_message(review, first.json()["digest"], BETTER)
        )
        assert second.status_code == 201, second.text
    erased = post(system, posted[1].patient, "erase", posted[1].id,
                  erasure_message(as_review(system, posted[1])))  # fmt: skip
    assert erased.status_code == 201, erased.text
    system.anchor()
    return posted[0], posted[1]


def test_signed_replies_and_an_erasure_pass_the_audit(
    system: System, replied: tuple[Posted, Posted]
) -> None:
    result = audit(system)
    assert result.exit_code == 0, result.output
    assert "Replies: 4 versions signed by the visits' dentists" in result.output
    code, body = audit_json(system)
    assert code == 0 and body["counts"]["reply_versions"] == 4


@pytest.mark.parametrize(
    ("statement", "detail"),
    [
        ("UPDATE review_replies SET text = 'We never said that.' WHERE seq = 2", "hash to"),
        ("UPDATE review_replies SET text = NULL WHERE seq = 1", "was not erased"),
        (
            "UPDATE review_replies SET signature = (SELECT signature FROM review_replies r2 "
            "WHERE r2.seq = 1 AND r2.review_id = review_replies.review_id) WHERE seq = 2",
            "not signed by the visit's dentist",
        ),
        ("DELETE FROM review_replies WHERE seq = 1", "expected 0x00"),
    ],
)
def test_a_reply_changed_in_the_database_is_caught(
    system: System, replied: tuple[Posted, Posted], statement: str, detail: str
) -> None:
    kept, _erased = replied
    sql(system, statement + " AND review_id = :id", id=kept.id)

    code, body = audit_json(system)

    assert code == 1
    items = body["discrepancies"]["REPLY_CHANGED"]["items"]
    assert {item["reviewId"] for item in items} == {kept.id}, items
    assert any(detail in item["detail"] for item in items), items


def test_a_reply_text_kept_after_the_erasure_is_caught(
    system: System, replied: tuple[Posted, Posted]
) -> None:
    _kept, erased = replied
    sql(system, "UPDATE review_replies SET text = 'restored' WHERE review_id = :id", id=erased.id)
    code, body = audit_json(system)
    assert code == 1
    details = [i["detail"] for i in body["discrepancies"]["REPLY_CHANGED"]["items"]]
    assert any("keeps its text" in d for d in details), details
