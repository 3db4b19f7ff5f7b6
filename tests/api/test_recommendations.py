"""Would you recommend us? Scores signed by the patient's wallet, the practice's verified NPS."""

from __future__ import annotations

import time
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from sqlalchemy import func, select

from dentareview.db.models import RecommendationRow, StatementAnchorRow
from dentareview.domain.reputation import month_start, trend_months
from dentareview.domain.typed_data import EIP712_TYPES
from dentareview.services.moderation import decide
from tests.api.system import System, new_wallet
from tests.api.test_revisions import erasure_message, post
from tests.support.siwe import wallet_client
from tests.support.wallet import sign_typed

DAY = 86_400


def recommendation(visit: dict[str, Any], score: int, *, at: int | None = None) -> dict[str, Any]:
    now = at if at is not None else int(time.time())
    return {"visitId": visit["visitId"], "score": score, "deadline": now + 3600}


def recommend(system: System, signer: LocalAccount, message: dict[str, Any]) -> Any:
    signature = sign_typed(signer, system.eip712(), "Recommendation", message)
    return system.client.post(
        "/v1/recommendations", json={"message": message, "signature": signature}
    )


def reviewed_visit(system: System, dentist: LocalAccount) -> tuple[LocalAccount, dict[str, Any]]:
    """A visit of `dentist` for a new patient, with the patient's review posted (pending)."""
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)
    response = system.post_review(patient, system.review_message(visit))
    assert response.status_code == 202, response.text
    return patient, {**visit, "reviewId": response.json()["id"]}


def error_code(response: Any) -> str:
    code: str = response.json()["error"]["code"]
    return code


def test_eip712_serves_recommendation_as_eth_account_signs_it(system: System) -> None:
    eip712 = system.eip712()
    assert [f"{f['type']} {f['name']}" for f in eip712["types"]["Recommendation"]] == [
        "bytes32 visitId", "uint8 score", "uint64 deadline"
    ]  # fmt: skip
    for name in ("Visit", "Review"):  # the wire protocol is unchanged
        assert eip712["types"][name] == EIP712_TYPES[name]
    dentist = system.new_dentist()
    patient, visit = reviewed_visit(system, dentist)
    message = recommendation(visit, 9)

    response = recommend(system, patient, message)

    assert response.status_code == 201, response.text
    body = response.json()
    full = {
        "types": {n: eip712["types"][n] for n in ("EIP712Domain", "Recommendation")},
        "domain": eip712["domain"],
        "primaryType": "Recommendation",
        "message": message,
    }
    signable = encode_typed_data(full_message=full)
    expected = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert body["digest"] == "0x" + expected.hex()
    assert body["visitId"] == visit["visitId"] and body["reviewAnchored"] is False
    signed = Account.sign_typed_data(patient.key, full_message=full)
    assert Account._recover_hash(expected, signature=signed.signature) == patient.address


def test_refusals_each_with_their_own_code(system: System) -> None:
    dentist = system.new_dentist()
    patient, visit = reviewed_visit(system, dentist)

    wrong = recommend(system, new_wallet(), recommendation(visit, 8))
    assert wrong.status_code == 403 and error_code(wrong) == "NOT_VISIT_PATIENT"
    by_dentist = recommend(system, dentist, recommendation(visit, 10))
    assert by_dentist.status_code == 403 and error_code(by_dentist) == "NOT_VISIT_PATIENT"

    eleven = recommend(system, patient, recommendation(visit, 11))
    assert eleven.status_code == 422 and error_code(eleven) == "INVALID_SCORE"
    assert eleven.json()["error"]["field"] == "message.score"
    signature = sign_typed(patient, system.eip712(), "Recommendation", recommendation(visit, 7))
    too_big = system.client.post(
        "/v1/recommendations",
        json={"message": recommendation(visit, 256), "signature": signature},
    )  # no wallet signs a uint8 of 256
    assert too_big.status_code == 422 and error_code(too_big) == "VALIDATION_ERROR"

    expired = recommend(system, patient, {**recommendation(visit, 7), "deadline": 1})
    assert expired.status_code == 422 and error_code(expired) == "SIGNATURE_EXPIRED"
    far = recommend(
        system, patient, {**recommendation(visit, 7), "deadline": int(time.time()) + 3 * DAY}
    )
    assert far.status_code == 422 and error_code(far) == "DEADLINE_TOO_FAR"

    unreviewed_patient = new_wallet()
    unreviewed = system.attested_visit(dentist, unreviewed_patient)
    early = recommend(system, unreviewed_patient, recommendation(unreviewed, 10))
    assert early.status_code == 409 and error_code(early) == "RECOMMENDATION_NEEDS_REVIEW"

    unknown = recommend(system, patient, {**recommendation(visit, 7), "visitId": "0x" + "11" * 32})
    assert unknown.status_code == 404 and error_code(unknown) == "VISIT_NOT_FOUND"

    first = recommend(system, patient, recommendation(visit, 6))
    assert first.status_code == 201, first.text
    again = recommend(system, patient, recommendation(visit, 10))  # no change of mind
    assert again.status_code == 409 and error_code(again) == "DUPLICATE_RECOMMENDATION"


def test_nps_per_month_from_known_scores_with_small_months_hidden(system: System) -> None:
    state = system.client.app.state.dentareview  # type: ignore[attr-defined]
    now = int(time.time())
    months = trend_months(now, 12)
    last_month = month_start(months[-2]) + 10 * DAY
    two_ago = month_start(months[-3]) + 10 * DAY
    dentist = system.new_dentist()
    plan = {
        two_ago: [10, 9, 2, 8],  # 4 answers: hidden
        last_month: [10, 9, 9, 8, 3, 0],  # 3 promoters, 1 passive, 2 detractors
        now: [10, 10, 7, 6, 9],  # 3 promoters, 1 passive, 1 detractor
    }
    reviewed = {
        at: [reviewed_visit(system, dentist) for _ in scores] for at, scores in plan.items()
    }
    erased_patient, erased = reviewed_visit(system, dentist)  # its answer leaves with it
    removed_patient, removed = reviewed_visit(system, dentist)  # and with a removal
    system.anchor()
    late_patient, late = reviewed_visit(system, dentist)  # its review is still pending
    for at, scores in plan.items():
        state.clock = lambda at=at: at
        for (patient, visit), score in zip(reviewed[at], scores, strict=True):
            response = recommend(system, patient, recommendation(visit, score, at=at))
            assert response.status_code == 201, response.text
            assert response.json()["reviewAnchored"] is True
    state.clock = lambda: now
    assert recommend(system, erased_patient, recommendation(erased, 0)).status_code == 201
    assert recommend(system, removed_patient, recommendation(removed, 0)).status_code == 201
    with system.sessions() as session:
        decide(
            session, review_id=removed["reviewId"], action="remove",
            reason="personal_information", note=None, operator=new_wallet().address, now=now,
        )  # fmt: skip
        session.commit()
    pending = recommend(system, late_patient, recommendation(late, 0))
    assert pending.status_code == 201 and pending.json()["reviewAnchored"] is False
    erasure = post(
        system, erased_patient, "erase", erased["reviewId"], erasure_message(
            {"visit": erased, "digest": _digest(system, erased["reviewId"])}
        ),
    )  # fmt: skip
    assert erasure.status_code == 201, erasure.text

    dentist_client = wallet_client(system.client, dentist)
    response = dentist_client.get("/v1/practice/nps")

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["minCount"] == 5
    by_month = {m["month"]: m for m in body["months"]}
    assert [m["month"] for m in body["months"]] == months
    assert by_month[months[-1]] == {
        "month": months[-1], "hidden": False, "count": 5,
        "promoters": 3, "passives": 1, "detractors": 1, "nps": 40.0,
    }  # fmt: skip
    assert by_month[months[-2]] == {
        "month": months[-2], "hidden": False, "count": 6,
        "promoters": 3, "passives": 1, "detractors": 2, "nps": 16.7,
    }  # fmt: skip
    hidden = by_month[months[-3]]
    assert hidden["hidden"] is True
    assert [hidden[k] for k in ("count", "promoters", "passives", "detractors", "nps")] == [
        None
    ] * 5
    assert all(m["hidden"] for m in body["months"][:-2])
    assert body["total"] == {
        "month": "total", "hidden": False, "count": 11,
        "promoters": 6, "passives": 2, "detractors": 3, "nps": 27.3,
    }  # fmt: skip
    assert "patient" not in response.text and "0x" not in response.text  # totals only

    system.anchor()  # the pending review is anchored: its answer now counts
    latest = dentist_client.get("/v1/practice/nps").json()["months"][-1]
    assert (latest["count"], latest["detractors"], latest["nps"]) == (6, 2, 16.7)
    with system.sessions() as session:  # kept off-chain: no statement anchors a score
        assert session.scalar(select(func.count()).select_from(RecommendationRow)) == 18
        kinds = session.scalars(select(StatementAnchorRow.kind)).all()
        assert kinds == ["erasure"]


def test_nps_is_for_the_signed_in_dentist_only(system: System) -> None:
    assert system.client.get("/v1/practice/nps").json()["error"]["code"] == "NOT_SIGNED_IN"
    patient = new_wallet()
    refused = wallet_client(system.client, patient).get("/v1/practice/nps")
    assert refused.status_code == 403 and error_code(refused) == "NOT_A_DENTIST"


def _digest(system: System, review_id: int) -> str:
    digest: str = system.client.get(f"/v1/reviews/{review_id}").json()["digest"]
    return digest


def test_no_route_reads_a_single_answer(system: System) -> None:
    paths = system.client.get("/openapi.json").json()["paths"]
    routes = {p: sorted(ops) for p, ops in paths.items() if "recommend" in p or "nps" in p}
    assert routes == {"/v1/recommendations": ["post"], "/v1/practice/nps": ["get"]}
