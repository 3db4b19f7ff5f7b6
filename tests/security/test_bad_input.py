"""Hostile and malformed input at the HTTP level, on SQLite and PostgreSQL: each gets
its own error code (and field), nothing is stored, and text at the limits (emoji,
bidirectional marks) is kept exactly as signed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_keys.constants import SECPK1_N
from httpx import Response
from sqlalchemy import BigInteger, Integer
from web3 import Web3

from dentareview.api.bounds import OFFSET_MAX, REVIEW_ID_MAX, SQL_BIGINT_MAX, SQL_INTEGER_MAX
from dentareview.db.models import ReviewRow
from dentareview.domain.models import Eip712Domain, Review
from dentareview.domain.typed_data import review_digest
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.api.test_errors import snapshot
from tests.reliability.figures import codes_of, record
from tests.support.anvil import AnvilNode
from tests.support.databases import fresh_postgres_schema
from tests.support.siwe import signed_in
from tests.support.wallet import sign_typed

TEN_WORDS = "Good care, kind team, no pain, fast work, nice staff, calm room"  # 63 chars
MIN_TEXT = TEN_WORDS[:50]  # exactly the default minimum length, still 10 words
SHORT_TEXT = TEN_WORDS[:49]
LONG_TEXT = (TEN_WORDS + " ") * 78 + "x" * 9  # 5001 characters
MAX_TEXT = LONG_TEXT[:5000]  # exactly the default maximum
ZERO = "0x" + "00" * 20
_outcomes: list[tuple[int, dict[str, Any]]] = []


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hostile(
    request: pytest.FixtureRequest,
    anvil: AnvilNode,
    w3: Web3,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[System]:
    """One deployment per database for the whole module: every case uses new visits."""
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        yield from start_system(
            anvil.rpc_url, w3, directory / "data", f"sqlite:///{directory / 'd.db'}"
        )
        return
    with fresh_postgres_schema() as url:
        yield from start_system(anvil.rpc_url, w3, directory / "data", url)


@pytest.fixture(scope="module")
def dentist(hostile: System) -> LocalAccount:
    return hostile.new_dentist()


def _visit(system: System, dentist: LocalAccount) -> tuple[LocalAccount, dict[str, Any]]:
    patient = new_wallet()
    return patient, system.attested_visit(dentist, patient)


def _post(system: System, path: str, body: Any) -> Response:
    return system.client.post(path, json=body)


def _review_body(system: System, patient: LocalAccount, message: dict[str, Any]) -> Any:
    return {
        "message": message,
        "signature": sign_typed(patient, system.eip712(), "Review", message),
    }


def _high_s(signature: str) -> str:
    raw = bytes.fromhex(signature[2:])
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    return "0x" + (r + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - v])).hex()


Case = Callable[[System, LocalAccount], Response]


def visit_case(change: Callable[[dict[str, Any]], None]) -> Case:
    """A visit, correctly signed by the dentist, then altered on the wire."""

    def send(system: System, dentist: LocalAccount) -> Response:
        message = system.visit_message(dentist, new_wallet())
        body = {
            "message": message,
            "signature": sign_typed(dentist, system.eip712(), "Visit", message),
        }
        change(body)
        return _post(system, "/v1/visits", body)

    return send


def review_case(change: Callable[[dict[str, Any]], None], **fields: Any) -> Case:
    """A review of a fresh visit, correctly signed by its patient, then altered."""

    def send(system: System, dentist: LocalAccount) -> Response:
        patient, visit = _visit(system, dentist)
        body = _review_body(system, patient, system.review_message(visit, **fields))
        change(body)
        return _post(system, "/v1/reviews", body)

    return send


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(body: dict[str, Any]) -> None:
        target = body
        *parents, last = path.split(".")
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _unchanged(body: dict[str, Any]) -> None:
    return None


CASES: list[tuple[str, Case, int, str, str | None]] = [
    (
        "visitId not hex",
        review_case(_set("message.visitId", "0x" + "zz" * 32)),
        422,
        "VALIDATION_ERROR",
        "message.visitId",
    ),
    (
        "visitId 31 bytes",
        review_case(_set("message.visitId", "0x" + "ab" * 31)),
        422,
        "VALIDATION_ERROR",
        "message.visitId",
    ),
    (
        "visitId 33 bytes",
        visit_case(_set("message.visitId", "0x" + "ab" * 33)),
        422,
        "VALIDATION_ERROR",
        "message.visitId",
    ),
    (
        "visitId without 0x",
        visit_case(_set("message.visitId", "ab" * 32)),
        422,
        "VALIDATION_ERROR",
        "message.visitId",
    ),
    (
        "address 19 bytes",
        visit_case(_set("message.patient", "0x" + "12" * 19)),
        422,
        "VALIDATION_ERROR",
        "message.patient",
    ),
    (
        "zero patient address",
        visit_case(_set("message.patient", ZERO)),
        422,
        "VALIDATION_ERROR",
        "message.patient",
    ),
    (
        "zero dentist address",
        visit_case(_set("message.dentist", ZERO)),
        422,
        "VALIDATION_ERROR",
        "message.dentist",
    ),
    (
        "signature 64 bytes",
        review_case(_set("signature", "0x" + "11" * 64)),
        400,
        "INVALID_SIGNATURE",
        "signature",
    ),
    (
        "signature 66 bytes",
        visit_case(lambda b: b.update(signature=b["signature"] + "1b")),
        400,
        "INVALID_SIGNATURE",
        "signature",
    ),
    (
        "signature not hex",
        review_case(_set("signature", "0x" + "zz" * 65)),
        400,
        "INVALID_SIGNATURE",
        "signature",
    ),
    (
        "high-s review signature",
        review_case(lambda b: b.update(signature=_high_s(b["signature"]))),
        400,
        "INVALID_SIGNATURE",
        "signature",
    ),
    (
        "high-s visit signature",
        visit_case(lambda b: b.update(signature=_high_s(b["signature"]))),
        400,
        "INVALID_SIGNATURE",
        "signature",
    ),
    ("rating 0", review_case(_unchanged, rating=0), 422, "INVALID_RATING", "rating"),
    ("rating 6", review_case(_unchanged, rating=6), 422, "INVALID_RATING", "rating"),
    ("treatment 0", review_case(_unchanged, treatment=0), 422, "INVALID_RATING", "treatment"),
    ("bedside 6", review_case(_unchanged, bedside=6), 422, "INVALID_RATING", "bedside"),
    (
        "rating 256",
        review_case(_set("message.rating", 256)),
        422,
        "VALIDATION_ERROR",
        "message.rating",
    ),
    (
        "rating 4.5",
        review_case(_set("message.rating", 4.5)),
        422,
        "VALIDATION_ERROR",
        "message.rating",
    ),
    (
        "negative deadline",
        review_case(_set("message.deadline", -1)),
        422,
        "VALIDATION_ERROR",
        "message.deadline",
    ),
    (
        "text of 49 characters",
        review_case(_unchanged, text=SHORT_TEXT),
        422,
        "TEXT_TOO_SHORT",
        "text",
    ),
    (
        "text of 5001 characters",
        review_case(_unchanged, text=LONG_TEXT),
        422,
        "TEXT_TOO_LONG",
        "text",
    ),
    (
        "text of zero-width spaces only",
        review_case(_unchanged, text="\u200b" * 60),
        422,
        "TEXT_TOO_SHORT",
        "text",
    ),
    (
        "text padded with invisible characters",
        review_case(_unchanged, text=SHORT_TEXT[:40] + "\u2060\u00a0\u2028" * 10),
        422,
        "TEXT_TOO_SHORT",
        "text",
    ),
    (
        "words made of format characters",
        review_case(_unchanged, text="invisible " * 6 + "\u200b \u200e \u2063 \u00ad"),
        422,
        "TOO_FEW_WORDS",
        "text",
    ),
    (
        "text with NUL",
        review_case(_unchanged, text=TEN_WORDS + "\x00 and more"),
        422,
        "VALIDATION_ERROR",
        "text",
    ),
    ("text null", review_case(_set("message.text", None)), 422, "VALIDATION_ERROR", "message.text"),
    (
        "unknown top-level field",
        review_case(lambda b: b.update(tip=1)),
        422,
        "VALIDATION_ERROR",
        "tip",
    ),
    (
        "unknown message field",
        visit_case(_set("message.clinic", "x")),
        422,
        "VALIDATION_ERROR",
        "message.clinic",
    ),
    (
        "missing signature",
        visit_case(lambda b: b.pop("signature")),
        422,
        "VALIDATION_ERROR",
        "signature",
    ),
]


def test_the_text_cases_sit_exactly_at_the_limits() -> None:
    assert [len(t) for t in (SHORT_TEXT, MIN_TEXT, MAX_TEXT, LONG_TEXT)] == [49, 50, 5000, 5001]
    assert len(MIN_TEXT.split()) == 10


@pytest.mark.parametrize(
    ("name", "send", "status", "code", "field"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_input_gets_its_code_and_stores_nothing(
    hostile: System,
    dentist: LocalAccount,
    name: str,
    send: Case,
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = snapshot(hostile)
    response = send(hostile, dentist)
    after = snapshot(hostile)
    _outcomes.append((response.status_code, response.json()))
    record(
        "bad_input",
        requests=len(_outcomes),
        refused=codes_of(_outcomes),
        accepted=sum(s < 300 for s, _ in _outcomes),
        server_errors=sum(s >= 500 for s, _ in _outcomes),
    )
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert error.get("field") == field
    # A case that attests a visit first changes the visits table only by that visit.
    assert (
        after["reviews"] == before["reviews"]
        and after["reward_payments"] == before["reward_payments"]
    )


def test_malformed_json_is_a_validation_error(hostile: System) -> None:
    response = hostile.client.post(
        "/v1/reviews", content=b'{"message": {', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_chunked_body_over_the_limit_is_refused_with_413(hostile: System) -> None:
    """No Content-Length to trust: the limit counts the bytes as they stream in."""
    limit = hostile.settings.max_body_bytes

    def chunks() -> Iterator[bytes]:
        yield b'{"message": {"text": "'
        for _ in range(limit // 1024 + 2):
            yield b"x" * 1024
        yield b'"}, "signature": "0x"}'

    response = hostile.client.post(
        "/v1/reviews", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    "text",
    [
        MIN_TEXT,
        MAX_TEXT,
        "Très bien 😀🦷 " + TEN_WORDS,  # emoji: one character each, four UTF-8 bytes
        "\u200fالطبيب لطيف جدا\u200f and " + TEN_WORDS,  # right-to-left marks and Arabic
        "e\u0301" * 5 + " " + TEN_WORDS,  # combining accents: not normalised, kept as signed
    ],
    ids=["50 chars", "5000 chars", "emoji", "rtl marks", "combining"],
)
def test_text_is_stored_and_hashed_exactly_as_signed(
    hostile: System, dentist: LocalAccount, text: str
) -> None:
    patient, visit = _visit(hostile, dentist)
    message = hostile.review_message(visit, text=text)
    response = _post(hostile, "/v1/reviews", _review_body(hostile, patient, message))
    assert response.status_code == 202, response.text
    stored = hostile.client.get(f"/v1/reviews/{response.json()['id']}").json()
    assert stored["text"] == text
    manifest = hostile.manifest
    domain = Eip712Domain(chain_id=manifest.chain_id, verifying_contract=manifest.registry.address)
    review = Review(
        visit_id=bytes.fromhex(visit["visitId"][2:]),
        rating=message["rating"],
        treatment=message["treatment"],
        bedside=message["bedside"],
        wait_time=message["waitTime"],
        text=text,
        deadline=message["deadline"],
    )
    assert stored["digest"] == "0x" + review_digest(domain, review).hex()


def test_bad_path_parameters_get_a_validation_error(hostile: System) -> None:
    signed_in(hostile.client, new_wallet())  # a patient-only path asks for a session first
    for path in (
        f"/v1/dentists/{ZERO}/reputation",
        "/v1/dentists/0xnothex/reviews",
        f"/v1/patients/{'0x' + 'ab' * 21}/rewards",
    ):
        response = hostile.client.get(path)
        assert response.status_code == 422, path
        assert response.json()["error"] == {
            "code": "VALIDATION_ERROR",
            "message": response.json()["error"]["message"],
            "field": "address",
        }
    assert hostile.client.get("/v1/reviews/0").json()["error"]["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    "path",
    [
        "/v1/reviews/2147483648",  # one past reviews.id (a 32-bit INTEGER)
        "/v1/reviews/9223372036854775806",
        "/v1/reviews/9223372036854775807/proof",
        "/v1/reviews/99999999999999999999999",  # past any integer column
        "/v1/reviews/-1",
    ],
)
def test_ids_beyond_their_column_are_refused_not_a_server_error(hostile: System, path: str) -> None:
    response = hostile.client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["field"].endswith("review_id")


def test_the_largest_id_a_column_holds_is_simply_not_found(hostile: System) -> None:
    for path in ("/v1/reviews/2147483647", "/v1/reviews/2147483647/proof"):
        response = hostile.client.get(path)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "REVIEW_NOT_FOUND"


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=9223372036854775808",
        "offset=-1",
        "offset=9223372036854775807",
        "offset=1e3",
        "limit=NaN",
    ],
)
def test_paging_beyond_its_bounds_is_a_validation_error(
    hostile: System, dentist: LocalAccount, query: str
) -> None:
    response = hostile.client.get(f"/v1/dentists/{dentist.address}/reviews?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_the_largest_offset_is_answered_on_every_database(
    hostile: System, dentist: LocalAccount
) -> None:
    response = hostile.client.get(
        f"/v1/dentists/{dentist.address}/reviews?offset={OFFSET_MAX}&includePending=true"
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_the_review_id_bound_is_what_the_column_holds() -> None:
    column = ReviewRow.__table__.c.id.type
    expected = SQL_BIGINT_MAX if isinstance(column, BigInteger) else SQL_INTEGER_MAX
    assert isinstance(column, Integer)
    assert expected == REVIEW_ID_MAX


@pytest.mark.parametrize("wait", ["NaN", "inf", "-1", "31", "1e309", "9223372036854775808"])
def test_a_wait_beyond_its_bounds_is_a_validation_error(
    hostile: System, dentist: LocalAccount, wait: str
) -> None:
    patient, visit = _visit(hostile, dentist)
    body = _review_body(hostile, patient, hostile.review_message(visit))
    response = hostile.client.post(f"/v1/reviews?wait={wait}", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["field"].endswith("wait")
