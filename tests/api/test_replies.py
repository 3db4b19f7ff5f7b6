"""The practice's public reply to a review, signed by the visit's dentist."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from dentareview.domain.typed_data import Eip712Domain, recover_signer, typed_digest
from tests.api.system import System, new_wallet
from tests.api.test_revisions import erasure_message, reviewed
from tests.api.test_revisions import post as post_revision
from tests.support.siwe import wallet_client
from tests.support.wallet import sign_typed

ZERO = "0x" + "00" * 32
THANKS = "Thank you for your kind words, we look forward to seeing you again."
BETTER = "Thank you for the feedback. We have changed how we book follow-up visits."


def reply_message(
    review: dict[str, Any], previous: str = ZERO, text: str = THANKS, **changes: Any
) -> dict[str, Any]:
    message = {
        "visitId": review["visit"]["visitId"],
        "reviewDigest": review["digest"],
        "previousDigest": previous,
        "text": text,
        "deadline": int(time.time()) + 3600,
    }
    return {**message, **changes}


def post_reply(
    system: System, signer: LocalAccount, review_id: int, message: dict[str, Any]
) -> Any:
    signature = sign_typed(signer, system.eip712(), "ReviewReply", message)
    return system.client.post(
        f"/v1/reviews/{review_id}/reply", json={"message": message, "signature": signature}
    )


def code_of(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_eip712_serves_the_reply_type_and_leaves_the_others(system: System) -> None:
    types = system.eip712()["types"]
    assert [f"{f['type']} {f['name']}" for f in types["ReviewReply"]] == [
        "bytes32 visitId", "bytes32 reviewDigest", "bytes32 previousDigest", "string text",
        "uint64 deadline",
    ]  # fmt: skip
    assert [f["name"] for f in types["Visit"]] == ["visitId", "patient", "dentist", "visitedAt"]
    assert len(types["Review"]) == 7


def test_the_dentist_replies_and_the_public_views_show_it(system: System) -> None:
    _patient, review = reviewed(system)
    dentist = review["dentist"]

    response = post_reply(system, dentist, review["id"], reply_message(review))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["seq"] == 1 and body["previousDigest"] == ZERO and body["edited"] is False
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["reply"]["text"] == THANKS
    assert shown["reply"]["edited"] is False and shown["reply"]["versions"] == 1
    assert shown["reply"]["digest"] == body["digest"]
    assert shown["reply"]["dentist"] == dentist.address
    listing = system.client.get(f"/v1/dentists/{dentist.address}/reviews").json()
    assert listing["items"][0]["reply"]["text"] == THANKS
    # The digest is the EIP-712 hash of the message as signed: anyone recomputes it.
    domain = Eip712Domain(**{
        "chain_id": system.eip712()["domain"]["chainId"],
        "verifying_contract": system.eip712()["domain"]["verifyingContract"],
    })  # fmt: skip
    history = system.client.get(f"/v1/reviews/{review['id']}/replies").json()
    version = history["versions"][0]
    message = {
        "visitId": history["visitId"],
        "reviewDigest": version["reviewDigest"],
        "previousDigest": version["previousDigest"],
        "text": version["text"],
        "deadline": version["deadline"],
    }
    digest = typed_digest(domain, "ReviewReply", message)
    assert "0x" + digest.hex() == version["digest"]
    signature = bytes.fromhex(version["signature"][2:])
    assert recover_signer(digest, signature) == dentist.address == history["dentist"]
    assert version["textHash"] == "0x" + keccak(THANKS.encode()).hex()


def test_an_edit_is_a_new_version_and_the_history_is_kept(system: System) -> None:
    _patient, review = reviewed(system, anchor=False)  # a pending review takes a reply
    dentist = review["dentist"]
    first = post_reply(system, dentist, review["id"], reply_message(review))
    assert first.status_code == 201, first.text

    second = post_reply(
        system, dentist, review["id"], reply_message(review, first.json()["digest"], BETTER)
    )

    assert second.status_code == 201, second.text
    assert second.json()["seq"] == 2 and second.json()["edited"] is True
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()["reply"]
    assert shown["text"] == BETTER and shown["edited"] is True and shown["versions"] == 2
    assert shown["firstSignedAt"] <= shown["signedAt"]
    history = system.client.get(f"/v1/reviews/{review['id']}/replies").json()
    assert [(v["seq"], v["text"]) for v in history["versions"]] == [(1, THANKS), (2, BETTER)]
    assert history["versions"][1]["previousDigest"] == first.json()["digest"]


def test_edit_chain_conflicts(system: System) -> None:
    _patient, review = reviewed(system)
    dentist = review["dentist"]
    first = post_reply(system, dentist, review["id"], reply_message(review))
    assert first.status_code == 201, first.text

    # A second "first" reply: one public reply per review.
    again = post_reply(system, dentist, review["id"], reply_message(review, text=BETTER))
    assert again.status_code == 409 and code_of(again) == "REPLY_CONFLICT"
    assert again.json()["error"]["field"] == "message.previousDigest"
    # An edit of a version that is not the latest.
    second = post_reply(
        system, dentist, review["id"], reply_message(review, first.json()["digest"], BETTER)
    )
    assert second.status_code == 201, second.text
    stale = post_reply(
        system, dentist, review["id"], reply_message(review, first.json()["digest"], "Hello")
    )
    assert stale.status_code == 409 and code_of(stale) == "REPLY_CONFLICT"
    # The same signed edit posted twice (a replay) is refused, not stored twice.
    message = reply_message(review, second.json()["digest"], "Third words")
    signature = sign_typed(dentist, system.eip712(), "ReviewReply", message)
    body = {"message": message, "signature": signature}
    assert system.client.post(f"/v1/reviews/{review['id']}/reply", json=body).status_code == 201
    replay = system.client.post(f"/v1/reviews/{review['id']}/reply", json=body)
    assert replay.status_code == 409 and code_of(replay) == "REPLY_CONFLICT"
    # A reply naming another review's digest.
    _other_patient, other = reviewed(system)
    wrong = post_reply(
        system, dentist, review["id"], reply_message(review, previous=ZERO,
                                                     reviewDigest=other["digest"])
    )  # fmt: skip
    assert wrong.status_code == 409 and wrong.json()["error"]["field"] == "message.reviewDigest"
    history = system.client.get(f"/v1/reviews/{review['id']}/replies").json()
    assert [v["seq"] for v in history["versions"]] == [1, 2, 3]


def test_nobody_but_the_visits_dentist_replies(system: System) -> None:
    patient, review = reviewed(system)
    for signer in (new_wallet(), patient, system.new_dentist("Another practice")):
        response = post_reply(system, signer, review["id"], reply_message(review))
        assert response.status_code == 403, response.text
        assert code_of(response) == "NOT_VISIT_DENTIST"
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["reply"] is None
    assert system.client.get(f"/v1/reviews/{review['id']}/replies").json()["versions"] == []


def test_a_reply_of_one_review_cannot_be_replayed_on_another(system: System) -> None:
    _patient, review = reviewed(system)
    dentist = review["dentist"]
    patient2 = new_wallet()
    visit2 = system.attested_visit(dentist, patient2)
    second_review = system.post_review(patient2, system.review_message(visit2)).json()
    message = reply_message(review)
    signature = sign_typed(dentist, system.eip712(), "ReviewReply", message)
    response = system.client.post(
        f"/v1/reviews/{second_review['id']}/reply",
        json={"message": message, "signature": signature},
    )
    assert response.status_code == 422 and response.json()["error"]["field"] == "message.visitId"


def test_erasure_by_the_patient_takes_the_reply_with_it(system: System) -> None:
    patient, review = reviewed(system)
    dentist = review["dentist"]
    first = post_reply(system, dentist, review["id"], reply_message(review))
    post_reply(system, dentist, review["id"], reply_message(review, first.json()["digest"], BETTER))

    erased = post_revision(system, patient, "erase", review["id"], erasure_message(review))

    assert erased.status_code == 201, erased.text
    assert system.client.get(f"/v1/reviews/{review['id']}").json()["reply"] is None
    listing = system.client.get(f"/v1/dentists/{dentist.address}/reviews").json()
    assert listing["items"][0]["reply"] is None
    history = system.client.get(f"/v1/reviews/{review['id']}/replies").json()
    assert history["erased"] is True
    assert [v["text"] for v in history["versions"]] == [None, None]
    assert history["versions"][1]["textHash"] == "0x" + keccak(BETTER.encode()).hex()
    refused = post_reply(
        system, dentist, review["id"], reply_message(review, history["versions"][1]["digest"])
    )
    assert refused.status_code == 409 and code_of(refused) == "REVIEW_ERASED"


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"text": ""}, 422, "REPLY_TEXT_INVALID"),
        ({"text": " \u200b\n "}, 422, "REPLY_TEXT_INVALID"),
        ({"text": "x" * 2001}, 422, "REPLY_TEXT_INVALID"),
        ({"text": "nul \x00 inside"}, 422, "REPLY_TEXT_INVALID"),
        ({"deadline": 1}, 422, "SIGNATURE_EXPIRED"),
        ({"deadline": int(time.time()) + 10 * 86_400}, 422, "DEADLINE_TOO_FAR"),
    ],
)
def test_bad_replies_are_refused_with_their_code(
    system: System, changes: dict[str, Any], status: int, code: str
) -> None:
    _patient, review = reviewed(system, anchor=False)
    response = post_reply(system, review["dentist"], review["id"], reply_message(review, **changes))
    assert response.status_code == status, response.text
    assert code_of(response) == code


def test_hostile_bodies_get_clear_errors(system: System) -> None:
    _patient, review = reviewed(system, anchor=False)
    url = f"/v1/reviews/{review['id']}/reply"
    good = reply_message(review)
    signature = sign_typed(review["dentist"], system.eip712(), "ReviewReply", good)
    cases: list[tuple[Any, int, str]] = [
        ({"message": good}, 422, "VALIDATION_ERROR"),
        ({"message": {**good, "extra": 1}, "signature": signature}, 422, "VALIDATION_ERROR"),
        ({"message": {**good, "deadline": "soon"}, "signature": signature}, 422,
         "VALIDATION_ERROR"),
        ({"message": {**good, "deadline": 2**64}, "signature": signature}, 422,
         "VALIDATION_ERROR"),
        ({"message": {**good, "text": 5}, "signature": signature}, 422, "VALIDATION_ERROR"),
        ({"message": {**good, "previousDigest": "0x12"}, "signature": signature}, 422,
         "VALIDATION_ERROR"),
        ({"message": good, "signature": "0x1234"}, 400, "INVALID_SIGNATURE"),
        ({"message": good, "signature": "0x" + "00" * 65}, 400, "INVALID_SIGNATURE"),
        ([1, 2], 422, "VALIDATION_ERROR"),
    ]  # fmt: skip
    for body, status, code in cases:
        response = system.client.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        assert code_of(response) == code, (body, response.text)
    headers = {"content-type": "application/json"}
    surrogate = json.dumps({"message": {**good, "text": "\ud800"}, "signature": signature})
    lone = system.client.post(url, content=surrogate, headers=headers)
    assert lone.status_code == 422 and code_of(lone) == "VALIDATION_ERROR", lone.text
    raw = system.client.post(url, content=b"{not json", headers=headers)
    assert raw.status_code == 422
    for path in ("/v1/reviews/0/reply", f"/v1/reviews/{2**40}/reply"):
        assert (
            system.client.post(path, json={"message": good, "signature": signature}).status_code
            == 422
        )
    missing = system.client.post(
        "/v1/reviews/999999/reply", json={"message": good, "signature": signature}
    )
    assert missing.status_code == 404 and code_of(missing) == "REVIEW_NOT_FOUND"
    assert system.client.get("/v1/reviews/999999/replies").status_code == 404


def test_the_check_warns_in_words_and_stores_nothing(system: System) -> None:
    response = system.client.post(
        "/v1/replies/check", json={"text": "Dear Sarah, we hope your root canal on March 3 healed."}
    )
    assert response.status_code == 200, response.text
    warnings = response.json()["warnings"]
    assert [(w["code"], w["match"]) for w in warnings] == [
        ("PERSON_NAME", "Dear Sarah"),
        ("TREATMENT", "your root canal"),
        ("VISIT_DATE", "March 3"),
    ]
    assert all(w["message"] for w in warnings)
    quiet = system.client.post("/v1/replies/check", json={"text": THANKS})
    assert quiet.json() == {"warnings": []}
    for body in ({"text": "x" * 20_001}, {"text": 3}, {}, {"text": "a", "more": 1}):
        bad = system.client.post("/v1/replies/check", json=body)
        assert bad.status_code == 422 and code_of(bad) == "VALIDATION_ERROR", body


def test_dashboard_counts_reply_rate_and_time_to_reply(system: System) -> None:
    dentist = system.new_dentist("Replying practice")
    reviews = []
    for _ in range(3):
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        posted = system.post_review(patient, system.review_message(visit))
        assert posted.status_code == 202, posted.text
        reviews.append({**posted.json(), "visit": visit})
    for review in reviews[:2]:
        assert post_reply(system, dentist, review["id"], reply_message(review)).status_code == 201
    client = wallet_client(system.client, dentist)

    replies = client.get("/v1/practice/dashboard").json()["replies"]

    assert replies["reviews"] == 3 and replies["replied"] == 2
    assert replies["rate"] == round(2 / 3, 4) or abs(replies["rate"] - 2 / 3) < 0.001
    assert (
        replies["medianSecondsToReply"] is not None and 0 <= replies["medianSecondsToReply"] < 600
    )
    csv = client.get("/v1/practice/dashboard.csv").text
    assert "reviews_replied,2\n" in csv and "reviews_replyable,3\n" in csv
    assert f"reply_rate,{replies['rate']}\n" in csv and "median_hours_to_reply," in csv


def test_every_reply_version_is_anchored_on_chain_and_shows_its_anchor(system: System) -> None:
    _patient, review = reviewed(system)
    dentist = review["dentist"]
    first = post_reply(system, dentist, review["id"], reply_message(review))
    assert first.json()["anchor"]["status"] == "pending"
    second = post_reply(
        system, dentist, review["id"], reply_message(review, first.json()["digest"], BETTER)
    )
    pending = system.client.get(f"/v1/reviews/{review['id']}").json()["reply"]["anchor"]
    assert pending["status"] == "pending" and pending["txHash"] is None

    system.anchor()

    registry = system.gateway.deployment().registry
    history = system.client.get(f"/v1/reviews/{review['id']}/replies").json()["versions"]
    for version, posted in zip(history, (first, second), strict=True):
        assert version["digest"] == posted.json()["digest"]
        anchor = version["anchor"]
        assert anchor["status"] == "anchored" and anchor["txHash"] and anchor["blockNumber"]
        digest = bytes.fromhex(version["digest"][2:])
        assert registry.statement_anchored_at(digest) == anchor["anchoredAt"] > 0
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()["reply"]["anchor"]
    assert shown == history[1]["anchor"]
    listing = system.client.get(f"/v1/dentists/{dentist.address}/reviews").json()
    assert listing["items"][0]["reply"]["anchor"]["status"] == "anchored"
