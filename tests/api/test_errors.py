"""Each error code from a real bad request; the database is unchanged by it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import text

from tests.api.system import DAY, System, new_wallet
from tests.support.wallet import sign_typed

TABLES = ("dentists", "visits", "reviews", "reward_payments")


def snapshot(system: System) -> dict[str, list[tuple[Any, ...]]]:
    with system.sessions() as session:
        return {
            table: [
                tuple(row) for row in session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))
            ]
            for table in TABLES
        }


class Scene:
    """A dentist, a patient and a visit with a stored review, to collide with."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.dentist = system.new_dentist()
        self.patient = new_wallet()
        self.visit = system.attested_visit(self.dentist, self.patient)
        self.open_visit = system.attested_visit(self.dentist, self.patient)
        reviewed = system.post_review(self.patient, system.review_message(self.visit))
        assert reviewed.status_code == 202, reviewed.text


Request = Callable[[], Response]


def review(scene: Scene, **fields: Any) -> Request:
    message = scene.system.review_message(scene.open_visit, **fields)
    return lambda: scene.system.post_review(scene.patient, message)


def unknown_dentist(scene: Scene) -> Request:
    stranger = new_wallet()
    return lambda: scene.system.post_visit(
        stranger, scene.system.visit_message(stranger, scene.patient)
    )


def inactive_dentist(scene: Scene) -> Request:
    from dentareview.services.dentists import deactivate_dentist

    retired = scene.system.new_dentist()
    deactivate_dentist(
        scene.system.sessions,
        scene.system.gateway.deployment(),
        address=retired.address,
        now=int(time.time()),
    )
    return lambda: scene.system.post_visit(
        retired, scene.system.visit_message(retired, scene.patient)
    )


def visit_signed_by_other(scene: Scene) -> Request:
    message = scene.system.visit_message(scene.dentist, scene.patient)
    return lambda: scene.system.post_visit(new_wallet(), message)


def malformed_signature(scene: Scene) -> Request:
    message = scene.system.visit_message(scene.dentist, scene.patient)
    return lambda: scene.system.client.post(
        "/v1/visits", json={"message": message, "signature": "0x" + "ab" * 64}
    )


def self_review(scene: Scene) -> Request:
    message = scene.system.visit_message(scene.dentist, scene.dentist)
    return lambda: scene.system.post_visit(scene.dentist, message)


def visit_in_future(scene: Scene) -> Request:
    message = scene.system.visit_message(
        scene.dentist, scene.patient, visited_at=int(time.time()) + 3600
    )
    return lambda: scene.system.post_visit(scene.dentist, message)


def duplicate_visit(scene: Scene) -> Request:
    return lambda: scene.system.post_visit(scene.dentist, scene.visit)


def visit_not_found(scene: Scene) -> Request:
    message = scene.system.review_message(scene.system.visit_message(scene.dentist, scene.patient))
    return lambda: scene.system.post_review(scene.patient, message)


def not_visit_patient(scene: Scene) -> Request:
    return lambda: scene.system.post_review(
        new_wallet(), scene.system.review_message(scene.open_visit)
    )


def duplicate_review(scene: Scene) -> Request:
    return lambda: scene.system.post_review(
        scene.patient, scene.system.review_message(scene.visit, rating=1)
    )


def window_closed(scene: Scene) -> Request:
    old = scene.system.attested_visit(
        scene.dentist, scene.patient, visited_at=int(time.time()) - 91 * DAY
    )
    return lambda: scene.system.post_review(scene.patient, scene.system.review_message(old))


def unknown_field(scene: Scene) -> Request:
    message = {**scene.system.review_message(scene.open_visit), "tip": 5}
    signature = sign_typed(
        scene.patient,
        scene.system.eip712(),
        "Review",
        scene.system.review_message(scene.open_visit),
    )
    return lambda: scene.system.client.post(
        "/v1/reviews", json={"message": message, "signature": signature}
    )


def rating_as_string(scene: Scene) -> Request:
    message: dict[str, Any] = scene.system.review_message(scene.open_visit)
    signature = sign_typed(scene.patient, scene.system.eip712(), "Review", message)
    message["rating"] = "5"
    return lambda: scene.system.client.post(
        "/v1/reviews", json={"message": message, "signature": signature}
    )


def oversized_body(scene: Scene) -> Request:
    message = scene.system.review_message(scene.open_visit, text="word " * 20_000)
    return lambda: scene.system.client.post(
        "/v1/reviews", json={"message": message, "signature": "0x" + "00" * 65}
    )


CASES: list[tuple[str, int, Callable[[Scene], Request], str | None]] = [
    ("UNKNOWN_DENTIST", 403, unknown_dentist, None),
    ("DENTIST_INACTIVE", 403, inactive_dentist, None),
    ("INVALID_SIGNATURE", 400, visit_signed_by_other, "signature"),
    ("INVALID_SIGNATURE", 400, malformed_signature, "signature"),
    ("SELF_REVIEW", 422, self_review, None),
    ("VISIT_IN_FUTURE", 422, visit_in_future, None),
    ("DUPLICATE_VISIT", 409, duplicate_visit, None),
    ("VISIT_NOT_FOUND", 404, visit_not_found, None),
    ("NOT_VISIT_PATIENT", 403, not_visit_patient, None),
    ("DUPLICATE_REVIEW", 409, duplicate_review, None),
    ("REVIEW_WINDOW_CLOSED", 422, window_closed, None),
    ("SIGNATURE_EXPIRED", 422, lambda s: review(s, deadline=int(time.time()) - 60), None),
    ("DEADLINE_TOO_FAR", 422, lambda s: review(s, deadline=int(time.time()) + 3 * DAY), None),
    ("TEXT_TOO_SHORT", 422, lambda s: review(s, text="Too short."), "text"),
    ("TOO_FEW_WORDS", 422, lambda s: review(s, text="Supercalifragilistic " * 3), "text"),
    ("TEXT_TOO_LONG", 422, lambda s: review(s, text="Good care. " * 460), "text"),
    ("INVALID_RATING", 422, lambda s: review(s, rating=0), "rating"),
    ("INVALID_RATING", 422, lambda s: review(s, wait_time=6), "waitTime"),
    ("VALIDATION_ERROR", 422, unknown_field, "message.tip"),
    ("VALIDATION_ERROR", 422, rating_as_string, "message.rating"),
    ("PAYLOAD_TOO_LARGE", 413, oversized_body, None),
]


@pytest.mark.parametrize(
    ("code", "status", "make_request", "field"),
    CASES,
    ids=[f"{code}-{make.__name__}" for code, _, make, _ in CASES],
)
def test_bad_request_gets_its_code_and_changes_nothing(
    system: System,
    code: str,
    status: int,
    make_request: Callable[[Scene], Request],
    field: str | None,
) -> None:
    send = make_request(Scene(system))
    before = snapshot(system)
    response = send()
    after = snapshot(system)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    if field is not None:
        assert error.get("field", "").endswith(field)
    assert after == before


def test_unknown_review_is_404(system: System) -> None:
    response = system.client.get("/v1/reviews/987654")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "REVIEW_NOT_FOUND"


def test_bad_address_in_path_names_the_field(system: System) -> None:
    response = system.client.get("/v1/dentists/0x1234/reputation")
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": response.json()["error"]["message"],
        "field": "address",
    }


def test_unregistered_dentist_has_no_reputation(system: System) -> None:
    stranger = new_wallet().address
    for path in ("reputation", "reviews"):
        response = system.client.get(f"/v1/dentists/{stranger}/{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "DENTIST_NOT_FOUND"
