"""The language a review was written in: sent beside the signed Review (never signed),
stored, shown on every answer that shows the review, kept by edits; on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dentareview.db.models import ReviewRow
from dentareview.domain.languages import PAGE_LANGUAGES
from tests.api.system import System, new_wallet
from tests.api.test_revisions import edit_message, post
from tests.support.siwe import signed_in
from tests.support.wallet import sign_typed


def post_review(
    system: System, patient: LocalAccount, message: dict[str, Any], **extra: Any
) -> Any:
    signature = sign_typed(patient, system.eip712(), "Review", message)
    return system.client.post(
        "/v1/reviews", json={"message": message, "signature": signature, **extra}
    )


def written(system: System, **extra: Any) -> tuple[LocalAccount, dict[str, Any], Any]:
    patient, dentist = new_wallet(), system.new_dentist()
    visit = system.attested_visit(dentist, patient)
    return (
        patient,
        {"visit": visit, "dentist": dentist},
        post_review(system, patient, system.review_message(visit), **extra),
    )


def shown_everywhere(system: System, patient: LocalAccount, review: dict[str, Any]) -> list[Any]:
    """The review's `language` on each answer that shows it (the practice's list shows
    anchored reviews)."""
    system.anchor()
    one = system.client.get(f"/v1/reviews/{review['id']}").json()
    listed = system.client.get(f"/v1/dentists/{review['dentist'].address}/reviews").json()
    own = signed_in(TestClient(system.client.app), patient).get("/v1/me/reviews").json()
    return [one["language"], listed["items"][0]["language"], own["items"][0]["language"]]


def test_the_language_is_stored_and_shown_and_an_edit_keeps_it(system: System) -> None:
    patient, review, response = written(system, language="pl")
    assert response.status_code == 202, response.text
    review |= response.json()
    assert shown_everywhere(system, patient, review) == ["pl"] * 3
    with system.sessions() as session:
        row = session.get(ReviewRow, review["id"])
        assert row is not None and row.language == "pl"

    edited = post(system, patient, "edit", review["id"], edit_message(review, review["digest"]))
    assert edited.status_code == 201, edited.text
    assert shown_everywhere(system, patient, review) == ["pl"] * 3


def test_every_page_language_is_taken(system: System) -> None:
    for language in PAGE_LANGUAGES:
        _, _, response = written(system, language=language)
        assert response.status_code == 202, response.text
        shown = system.client.get(f"/v1/reviews/{response.json()['id']}").json()
        assert shown["language"] == language


def test_without_a_language_it_is_null(system: System) -> None:
    patient, review, response = written(system)
    assert response.status_code == 202, response.text
    review |= response.json()
    assert shown_everywhere(system, patient, review) == [None] * 3
    _, _, explicit = written(system, language=None)
    assert explicit.status_code == 202, explicit.text
    assert system.client.get(f"/v1/reviews/{explicit.json()['id']}").json()["language"] is None


def test_a_language_outside_the_set_is_refused_and_nothing_is_stored(system: System) -> None:
    for language in ["fr", "zh-Hant", "zh", "EN", "de-DE", "", 7]:
        _, _, response = written(system, language=language)
        assert response.status_code == 422, (language, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["field"] == "language", error
    with system.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRow)) == 0
