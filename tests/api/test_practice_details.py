"""A practice's details (PUT/GET /v1/practice/details, GET /v1/dentists/{address}/details)
and the directory found through them: search by city and postal code, the filters and
the orders, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient

from tests.api.system import System, new_wallet
from tests.support.siwe import wallet_client

BERLIN = {
    "street": "  Friedrichstraße 100 ",
    "city": "Berlin",
    "postalCode": "10117",
    "country": "de",
    "phone": "030 901820",
    "website": "https://praxis.example.de/",
    "hours": "Mon–Fri 8:00–18:00\r\nSat 9:00–13:00",
    "languages": ["pl", "de", "en", "de"],
    "acceptingNewPatients": True,
    "latitude": 52.5200066,
    "longitude": 13.404954,
}


def put(client: TestClient, body: dict[str, Any]) -> Any:
    return client.put("/v1/practice/details", json=body)


def refusal(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    return error


def test_a_practice_sets_its_details_and_anyone_reads_them(system: System) -> None:
    dentist = system.new_dentist("Mitte Dental")
    practice = wallet_client(system.client, dentist)

    empty = practice.get("/v1/practice/details")
    assert empty.status_code == 200, empty.text
    assert empty.headers["cache-control"] == "no-store"
    body = empty.json()
    assert body["updatedAt"] is None and body["city"] is None and body["languages"] == []
    assert body["languageChoices"][:3] == ["en", "de", "es"] and len(body["languageChoices"]) == 13

    saved = put(practice, BERLIN)
    assert saved.status_code == 200, saved.text
    expected = {
        "dentist": dentist.address,
        "name": "Mitte Dental",
        "street": "Friedrichstraße 100",
        "city": "Berlin",
        "postalCode": "10117",
        "country": "DE",
        "phone": "+49 30 901820",  # international form, from the country
        "website": "https://praxis.example.de/",
        "hours": "Mon–Fri 8:00–18:00\nSat 9:00–13:00",
        "languages": ["en", "de", "pl"],  # each once, in the list's order
        "acceptingNewPatients": True,
        "latitude": 52.520007,  # six decimals
        "longitude": 13.404954,
    }
    assert {k: saved.json()[k] for k in expected} == expected
    assert isinstance(saved.json()["updatedAt"], int)
    assert {k: practice.get("/v1/practice/details").json()[k] for k in expected} == expected

    public = system.client.get(f"/v1/dentists/{dentist.address.lower()}/details")
    assert public.status_code == 200, public.text
    assert {k: public.json()[k] for k in expected} == expected

    # A PUT replaces everything: what is left out is cleared.
    cleared = put(practice, {"city": "Berlin", "acceptingNewPatients": False})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["phone"] is None and cleared.json()["languages"] == []
    assert cleared.json()["latitude"] is None and cleared.json()["acceptingNewPatients"] is False


def test_unknown_dentists_and_malformed_addresses(system: System) -> None:
    unknown = system.client.get(f"/v1/dentists/{new_wallet().address}/details")
    assert refusal(unknown, 404)["code"] == "DENTIST_NOT_FOUND"
    malformed = system.client.get("/v1/dentists/0x1234/details")
    assert refusal(malformed, 422) == {
        "code": "VALIDATION_ERROR",
        "message": malformed.json()["error"]["message"],
        "field": "address",
    }


def test_only_the_signed_in_practice_sets_its_details(system: System) -> None:
    signed_out = system.client.put("/v1/practice/details", json=BERLIN)
    assert refusal(signed_out, 401)["code"] == "NOT_SIGNED_IN"
    assert refusal(system.client.get("/v1/practice/details"), 401)["code"] == "NOT_SIGNED_IN"

    patient = wallet_client(system.client, new_wallet())
    assert refusal(put(patient, BERLIN), 403)["code"] == "NOT_A_DENTIST"
    assert refusal(patient.get("/v1/practice/details"), 403)["code"] == "NOT_A_DENTIST"

    dentist = system.new_dentist("Harbour Dental")
    practice = wallet_client(system.client, dentist)
    other_site = practice.put(
        "/v1/practice/details", json=BERLIN, headers={"Origin": "https://evil.example"}
    )
    assert refusal(other_site, 403)["code"] == "CROSS_SITE_REQUEST"
    assert practice.get("/v1/practice/details").json()["updatedAt"] is None


REFUSED = [
    ({"website": "http://praxis.example.de"}, "INVALID_WEBSITE", "website"),
    ({"website": "https://user:pw@praxis.example.de"}, "INVALID_WEBSITE", "website"),
    ({"website": "javascript:alert(1)"}, "INVALID_WEBSITE", "website"),
    ({"phone": "12345"}, "INVALID_PHONE", "phone"),
    ({"phone": "030 901820", "country": None}, "INVALID_PHONE", "phone"),  # national, no country
    ({"country": "XX"}, "INVALID_COUNTRY", "country"),
    ({"country": "DEU"}, "VALIDATION_ERROR", "country"),
    ({"latitude": 52.5, "longitude": None}, "INVALID_LOCATION", "longitude"),
    ({"latitude": None, "longitude": 13.4}, "INVALID_LOCATION", "latitude"),
    ({"latitude": 90.5}, "INVALID_LOCATION", "latitude"),
    ({"longitude": -180.01}, "INVALID_LOCATION", "longitude"),
    ({"languages": ["de", "xx"]}, "VALIDATION_ERROR", "languages"),
    ({"languages": ["en"] * 14}, "VALIDATION_ERROR", "languages"),
    ({"city": "Ber\nlin"}, "VALIDATION_ERROR", "city"),
    ({"street": "a\x00b"}, "VALIDATION_ERROR", "street"),
    ({"hours": "8\x07-18"}, "VALIDATION_ERROR", "hours"),
    ({"hours": "x" * 301}, "VALIDATION_ERROR", "hours"),
    ({"street": "x" * 201}, "VALIDATION_ERROR", "street"),
    ({"postalCode": "10117; DROP"}, "VALIDATION_ERROR", "postalCode"),
    ({"acceptingNewPatients": "maybe"}, "VALIDATION_ERROR", "acceptingNewPatients"),
    ({"email": "front@praxis.example.de"}, "VALIDATION_ERROR", "email"),  # unknown field
]


@pytest.mark.parametrize(("change", "code", "field"), REFUSED)
def test_refusals_name_the_field_and_change_nothing(
    system: System, change: dict[str, Any], code: str, field: str
) -> None:
    practice = wallet_client(system.client, system.new_dentist("Refusing Dental"))
    assert put(practice, BERLIN).status_code == 200
    before = practice.get("/v1/practice/details").json()
    error = refusal(put(practice, {**BERLIN, **change}), 422)
    assert (error["code"], error["field"]) == (code, field)
    assert practice.get("/v1/practice/details").json() == before


def test_not_a_number_is_refused(system: System) -> None:
    practice = wallet_client(system.client, system.new_dentist("Careful Dental"))
    raw = '{"latitude": NaN, "longitude": 13.4}'
    response = practice.put(
        "/v1/practice/details", content=raw, headers={"Content-Type": "application/json"}
    )
    assert refusal(response, 422)["code"] == "VALIDATION_ERROR"


def _details(system: System, dentist: LocalAccount, **fields: Any) -> None:
    response = put(wallet_client(system.client, dentist), fields)
    assert response.status_code == 200, response.text


def reviewed(system: System, name: str, ratings: list[int]) -> LocalAccount:
    """A dentist with a review of each rating (anchored by the caller)."""
    dentist = system.new_dentist(name)
    for rating in ratings:
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = system.post_review(patient, system.review_message(visit, rating=rating))
        assert response.status_code == 202, response.text
    return dentist


def test_the_directory_finds_practices_by_city_and_postal_code_filters_and_sorts(
    system: System,
) -> None:
    # Scores (a prior of 5 reviews of 3.5): 3.9375 (shown 3.9), 3.5 with no review,
    # 3.4167 (3.4) and 4.25 (4.3).
    berlin = reviewed(system, "Spree Smiles", [5, 4, 5])
    munich = system.new_dentist("Isar Zahnarzt")
    london = reviewed(system, "Thames Teeth", [3])
    paris = reviewed(system, "Cabinet Seine", [5, 5, 5, 5, 5])
    assert system.anchor().anchored == 9
    for dentist, fields in (
        (berlin, {"city": "Berlin", "postalCode": "10117", "country": "DE",
                  "languages": ["de", "en"], "acceptingNewPatients": True}),
        (london, {"city": "London", "postalCode": "sw1a 1aa", "country": "GB",
                  "languages": ["en", "pl"], "acceptingNewPatients": False}),
        (paris, {"city": "Paris", "postalCode": "75001", "country": "FR",
                 "languages": ["fr", "en"], "acceptingNewPatients": True}),
    ):  # fmt: skip
        _details(system, dentist, **fields)
    _details(system, munich, city="MÜNCHEN", postalCode="80331", languages=["de"])

    def search(**params: str) -> dict[str, Any]:
        response = system.client.get("/v1/dentists", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def names(**params: str) -> list[str]:
        return [e["name"] for e in search(**params)["items"]]

    # Search: the city (any case, contained), the postal code's start (spaces and case
    # ignored), and the name and address as before.
    assert names(q="berlin") == ["Spree Smiles"]
    assert names(q="münchen") == ["Isar Zahnarzt"]
    assert names(q="ONDO") == ["Thames Teeth"]
    assert names(q="SW1A1") == ["Thames Teeth"]
    assert names(q="sw1a 1") == ["Thames Teeth"]
    assert names(q="101") == ["Spree Smiles"]
    assert names(q="1117") == []  # a postal code matches from its start only
    assert names(q="seine") == ["Cabinet Seine"]
    assert names(q=paris.address[:12].lower()) == ["Cabinet Seine"]

    # Each result carries its city, languages and whether it takes new patients.
    spree = search(q="Berlin")["items"][0]
    assert (spree["city"], spree["country"], spree["languages"], spree["acceptingNewPatients"]) == (
        "Berlin", "DE", ["en", "de"], True,
    )  # fmt: skip

    # The orders: score (the default), reviews, name.
    assert names() == ["Cabinet Seine", "Spree Smiles", "Isar Zahnarzt", "Thames Teeth"]
    assert names(sort="score") == names()
    assert names(sort="reviews") == [
        "Cabinet Seine",
        "Spree Smiles",
        "Thames Teeth",
        "Isar Zahnarzt",
    ]
    assert names(sort="name") == ["Cabinet Seine", "Isar Zahnarzt", "Spree Smiles", "Thames Teeth"]

    # Filters, each alone and together; `total` counts what the filters let through.
    # On the score as shown, to one decimal: 4.25 shows as 4.3, 3.9375 as 3.9.
    assert names(minRating="4") == ["Cabinet Seine"]
    assert names(minRating="3.9") == ["Cabinet Seine", "Spree Smiles"]
    assert names(minRating="4.3") == ["Cabinet Seine"]
    assert names(minRating="4.4") == []
    assert names(minRating="3.3") == names()
    assert names(language="en") == ["Cabinet Seine", "Spree Smiles", "Thames Teeth"]
    assert names(language="de", sort="name") == ["Isar Zahnarzt", "Spree Smiles"]
    assert names(language="ja") == []
    assert names(acceptingNewPatients="true") == ["Cabinet Seine", "Spree Smiles"]
    assert names(acceptingNewPatients="false") == ["Thames Teeth"]
    found = search(q="berlin", language="de", acceptingNewPatients="true", minRating="3.5")
    assert [e["name"] for e in found["items"]] == ["Spree Smiles"] and found["total"] == 1
    assert (found["language"], found["acceptingNewPatients"], found["minRating"]) == (
        "de",
        True,
        3.5,
    )
    assert search(language="en", limit="1")["total"] == 3
    assert names(q="london", acceptingNewPatients="true") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"minRating": "0.5"}, "minRating"),
        ({"minRating": "5.5"}, "minRating"),
        ({"minRating": "4.25"}, "minRating"),
        ({"minRating": "four"}, "minRating"),
        ({"language": "xx"}, "language"),
        ({"language": "e" * 9}, "language"),
        ({"sort": "rating"}, "sort"),
        ({"acceptingNewPatients": "maybe"}, "acceptingNewPatients"),
        ({"q": "Ber\x00lin"}, "q"),
    ],
)
def test_the_directory_refuses_bad_filters(
    system: System, params: dict[str, str], field: str
) -> None:
    error = refusal(system.client.get("/v1/dentists", params=params), 422)
    assert (error["code"], error["field"]) == ("VALIDATION_ERROR", f"query.{field}")
