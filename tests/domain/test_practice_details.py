"""The rules of a practice's details, without the service: countries, phones, websites,
coordinates, languages and the directory's search keys."""

from __future__ import annotations

from decimal import Decimal

import phonenumbers
import pytest

from dentareview.domain.practice_details import (
    COUNTRIES,
    LANGUAGES,
    check_location,
    format_coordinate,
    min_rating_tenths,
    normalize_languages,
    normalize_phone,
    postal_key,
    practice_details,
    search_text,
)
from dentareview.errors import InvalidLocation, InvalidPhone, ValidationError


def test_the_country_list_is_iso_3166_alpha_2() -> None:
    assert len(COUNTRIES) == 249 and all(len(c) == 2 and c.isupper() for c in COUNTRIES)
    # Every region with telephone numbers is a country, but for the codes ISO reserves
    # (Ascension, Tristan da Cunha) or leaves to users (Kosovo).
    assert set(phonenumbers.SUPPORTED_REGIONS) - COUNTRIES == {"AC", "TA", "XK"}


def test_languages_come_from_the_one_list_in_its_order() -> None:
    assert LANGUAGES[0] == "en" and len(set(LANGUAGES)) == len(LANGUAGES) == 13
    assert normalize_languages(["hi", " DE", "en", "de"]) == ("en", "de", "hi")
    with pytest.raises(ValidationError) as refused:
        normalize_languages(["en", "klingon"])
    assert refused.value.field == "languages"


def test_phones_in_international_form() -> None:
    assert normalize_phone("020 7946 0958", country="GB") == "+44 20 7946 0958"
    assert normalize_phone("+49 30 901820", country=None) == "+49 30 901820"
    assert normalize_phone("  ", country=None) is None
    for bad, country in (("020 7946 0958", None), ("+44 1", "GB"), ("call us", "DE")):
        with pytest.raises(InvalidPhone):
            normalize_phone(bad, country=country)


def test_coordinates_both_or_neither_in_range() -> None:
    assert check_location(None, None) is None
    assert check_location(-33.8567844, 151.213108) == (-33.856784, 151.213108)
    for lat, lon in ((1.0, None), (None, 1.0), (-90.1, 0.0), (0.0, 180.5), (float("nan"), 0.0)):
        with pytest.raises(InvalidLocation):
            check_location(lat, lon)
    assert [format_coordinate(v) for v in (52.52, -0.0000001, -180.0, 1e-6)] == [
        "52.52",
        "0",
        "-180",
        "0.000001",
    ]


def test_search_keys() -> None:
    assert search_text(" MÜNCHEN ") == search_text("münchen") == "münchen"
    assert search_text("Straße") == "strasse"
    assert postal_key("sw1a 1aa") == postal_key("SW1A-1AA") == "SW1A1AA"


def test_minimum_rating_in_tenths() -> None:
    assert min_rating_tenths(Decimal("4.5")) == 45 and min_rating_tenths(1) == 10
    for bad in (Decimal("0.9"), Decimal("5.1"), Decimal("4.25")):
        with pytest.raises(ValidationError):
            min_rating_tenths(bad)


def test_blank_fields_are_unset_and_postal_codes_upper_case() -> None:
    details = practice_details(
        street=" ",
        city=" Lyon ",
        postal_code="69002 ",
        country="fr",
        phone=None,
        website="",
        hours="\r\n",
        languages=[],
        accepting_new_patients=None,
        latitude=None,
        longitude=None,
    )
    assert (details.street, details.city, details.country, details.website) == (
        None,
        "Lyon",
        "FR",
        None,
    )
    assert details.hours is None and details.postal_code == "69002"
