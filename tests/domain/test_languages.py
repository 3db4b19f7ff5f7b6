"""The page languages, and the language a patient's tag (FHIR communication, a CSV cell)
asks for: the primary subtag decides, Chinese is Simplified only, anything else is none
(the invitation is then in English); never an error."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dentareview.domain.fhir_visits import parse_fhir_bundle
from dentareview.domain.languages import DEFAULT_LANGUAGE, PAGE_LANGUAGES, page_language
from dentareview.domain.visit_csv import parse_visits_csv, records_from_csv

ACCOUNT = "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
BCP47 = "urn:ietf:bcp:47"


def test_the_five_page_languages_with_english_first() -> None:
    assert PAGE_LANGUAGES == ("en", "de", "es", "pl", "zh-Hans")
    assert DEFAULT_LANGUAGE == "en"
    assert all(page_language(tag) == tag for tag in PAGE_LANGUAGES)


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("de", "de"),
        ("de-DE", "de"),
        ("DE-at", "de"),
        ("de_CH", "de"),
        ("en-GB", "en"),
        ("es-419", "es"),
        ("pl-PL", "pl"),
        (" pl ", "pl"),
        ("zh", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-SG", "zh-Hans"),
        ("zh-Hans", "zh-Hans"),
        ("zh-Hans-HK", "zh-Hans"),
        ("cmn-Hans-CN", "zh-Hans"),
        ("zh-Hant", None),
        ("zh-TW", None),
        ("zh-HK", None),
        ("zh-Hant-TW", None),
        ("yue", None),
        ("fr", None),
        ("xx-YY", None),
        ("", None),
        (None, None),
        ("de" + "-x" * 40, None),  # longer than any tag
    ],
)
def test_a_tag_maps_to_a_page_language_or_to_none(tag: str | None, language: str | None) -> None:
    assert page_language(tag) == language


def patient_with(*communication: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": "https://dentareview.org/fhir/account", "value": ACCOUNT}],
        "telecom": [{"system": "email", "value": "pat@example.org"}],
        "communication": list(communication),
    }


def spoken(code: str, *, preferred: bool | None = None, system: str = BCP47) -> dict[str, Any]:
    said: dict[str, Any] = {"language": {"coding": [{"system": system, "code": code}]}}
    return said if preferred is None else {**said, "preferred": preferred}


def language_of(patient: dict[str, Any]) -> str | None:
    encounter = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": "Patient/p1"},
        "period": {"end": "2026-11-02T09:30:00Z"},
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": patient}, {"resource": encounter}],
    }
    parsed = parse_fhir_bundle(json.dumps(bundle))
    assert parsed.errors == []
    [record] = parsed.records
    return record.language


def test_fhir_the_preferred_language_else_the_first_known_one() -> None:
    assert language_of(patient_with(spoken("pl"))) == "pl"
    assert language_of(patient_with(spoken("en"), spoken("de-DE", preferred=True))) == "de"
    assert language_of(patient_with(spoken("fr"), spoken("zh-CN"), spoken("es"))) == "zh-Hans"
    # The preferred one is none of the five: the first that is.
    assert language_of(patient_with(spoken("zh-TW", preferred=True), spoken("es"))) == "es"
    assert language_of(patient_with(spoken("de", preferred=False), spoken("pl"))) == "de"
    # A concept with several codings: any that maps.
    both = {"language": {"coding": [{"code": "ita"}, {"system": BCP47, "code": "pl"}]}}
    assert language_of(patient_with(both)) == "pl"


def test_fhir_no_known_language_is_none_and_no_error() -> None:
    assert language_of(patient_with()) is None
    assert language_of(patient_with(spoken("fr", preferred=True), spoken("zh-Hant"))) is None
    assert language_of(patient_with({"language": {"text": "Polish"}})) is None


def test_csv_a_language_column_by_any_of_its_names() -> None:
    for column in ("language", "Lang", "Patient Language", "preferred-language"):
        text = (
            f"visit_ref,patient_account,visited_at,email,{column}\n"
            f"V-1,{ACCOUNT},2026-11-02,a@example.org,pl-PL\n"
            f"V-2,{ACCOUNT},2026-11-02,b@example.org,zh-TW\n"
            f"V-3,{ACCOUNT},2026-11-02,c@example.org,\n"
            f"V-4,{ACCOUNT},2026-11-02,d@example.org,klingon\n"
        )
        parsed = records_from_csv(parse_visits_csv(text))
        assert parsed.errors == []
        assert [r.language for r in parsed.records] == ["pl", None, None, None], column


def test_csv_without_a_language_column_has_none() -> None:
    text = f"visit_ref,patient_account,visited_at,email\nV-1,{ACCOUNT},2026-11-02,a@example.org\n"
    [record] = records_from_csv(parse_visits_csv(text)).records
    assert record.language is None
