"""A practice's details as patients look for them: address, phone, website, opening hours,
languages spoken, whether it takes new patients, and where it is on a map.

These are a business's public details, set by the practice itself; nothing here is about
a patient. The rules are checked here, free of HTTP and SQL; the request bodies bound
the lengths and refuse control characters before this sees them.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Final
from urllib.parse import urlsplit

import phonenumbers

from dentareview.errors import (
    InvalidCountry,
    InvalidLocation,
    InvalidPhone,
    InvalidWebsite,
    ValidationError,
)

# The languages a practice may say it speaks: BCP-47 primary tags. The one list; the
# API serves it to the pages (`languageChoices`).
LANGUAGES: Final[tuple[str, ...]] = (
    "en", "de", "es", "pl", "zh", "fr", "it", "pt", "uk", "ja", "ur", "ar", "hi",
)  # fmt: skip

# ISO 3166-1 alpha-2: the 249 officially assigned codes.
_ISO_3166_ALPHA_2: Final = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES: Final[frozenset[str]] = frozenset(_ISO_3166_ALPHA_2.split())

# Lengths (the request body and the columns hold the same bounds).
MAX_STREET: Final = 200
MAX_CITY: Final = 100
MAX_POSTAL_CODE: Final = 16
MAX_PHONE: Final = 40
MAX_WEBSITE: Final = 300
MAX_HOURS: Final = 300
COORDINATE_DECIMALS: Final = 6  # about 11 cm: more says nothing more about a building

# One line of text: no control character at all (a line break included).
ONE_LINE: Final = r"^[^\x00-\x1f\x7f]*$"
# Opening hours may run over a few lines (tabs and line breaks), nothing else invisible.
FEW_LINES: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
POSTAL_CODE: Final = r"^[0-9A-Za-z][0-9A-Za-z \-]*$"


@dataclass(frozen=True)
class PracticeDetails:
    """What a practice says of itself; every field may be unset (None, or no languages)."""

    street: str | None = None
    city: str | None = None
    postal_code: str | None = None
    country: str | None = None
    phone: str | None = None
    website: str | None = None
    hours: str | None = None
    languages: tuple[str, ...] = ()
    accepting_new_patients: bool | None = None
    latitude: float | None = None
    longitude: float | None = None


def _text(value: str | None) -> str | None:
    """Trimmed, with blank as unset; line breaks normalised to \\n."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


def normalize_country(value: str | None) -> str | None:
    value = _text(value)
    if value is None:
        return None
    code = value.upper()
    if code not in COUNTRIES:
        raise InvalidCountry(field="country")
    return code


def normalize_phone(value: str | None, *, country: str | None) -> str | None:
    """The number in international form (+49 30 901820); a national number needs the
    country. INVALID_PHONE when it is not a valid number where it says it is."""
    value = _text(value)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, country)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(field="phone")
    formatted: str = phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return formatted


def normalize_website(value: str | None) -> str | None:
    """An https:// URL with a host and no credentials. It is only ever shown as a link:
    the service never fetches it."""
    value = _text(value)
    if value is None:
        return None
    if len(value) > MAX_WEBSITE or any(c.isspace() for c in value):
        raise InvalidWebsite(field="website")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        raise InvalidWebsite(field="website") from None
    host = parts.hostname or ""
    if (
        parts.scheme.lower() != "https"
        or "." not in host.strip(".")
        or parts.username is not None
        or parts.password is not None
    ):
        raise InvalidWebsite(field="website")
    return value


def normalize_languages(values: Sequence[str]) -> tuple[str, ...]:
    """The languages in the order of LANGUAGES, each once; any other tag is refused."""
    given = {v.strip().lower() for v in values}
    unknown = sorted(given - set(LANGUAGES))
    if unknown:
        raise ValidationError(
            f"languages: {unknown[0]!r} is not one of {', '.join(LANGUAGES)}", field="languages"
        )
    return tuple(code for code in LANGUAGES if code in given)


def check_location(latitude: float | None, longitude: float | None) -> tuple[float, float] | None:
    """Both or neither, finite and in range; rounded to COORDINATE_DECIMALS."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise InvalidLocation(field="longitude" if longitude is None else "latitude")
    if not (math.isfinite(latitude) and -90 <= latitude <= 90):
        raise InvalidLocation(field="latitude")
    if not (math.isfinite(longitude) and -180 <= longitude <= 180):
        raise InvalidLocation(field="longitude")
    return round(latitude, COORDINATE_DECIMALS), round(longitude, COORDINATE_DECIMALS)


def practice_details(
    *,
    street: str | None,
    city: str | None,
    postal_code: str | None,
    country: str | None,
    phone: str | None,
    website: str | None,
    hours: str | None,
    languages: Sequence[str],
    accepting_new_patients: bool | None,
    latitude: float | None,
    longitude: float | None,
) -> PracticeDetails:
    """The details checked and normalised, or the first refusal (its `field` named)."""
    country_code = normalize_country(country)
    location = check_location(latitude, longitude)
    postal = _text(postal_code)
    return PracticeDetails(
        street=_text(street),
        city=_text(city),
        postal_code=" ".join(postal.upper().split()) if postal else None,
        country=country_code,
        phone=normalize_phone(phone, country=country_code),
        website=normalize_website(website),
        hours=_text(hours),
        languages=normalize_languages(languages),
        accepting_new_patients=accepting_new_patients,
        latitude=location[0] if location else None,
        longitude=location[1] if location else None,
    )


# ------------------------------------------------------------------ search keys


def search_text(value: str) -> str:
    """How a city and a search compare: compatibility-normalised and case-folded, so that
    "MÜNCHEN" and "münchen" match whatever the database's own notion of case."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def postal_key(value: str) -> str:
    """A postal code as searched: letters and digits only, upper case ("SW1A 1AA" and
    "sw1a1aa" alike)."""
    return "".join(c for c in value.upper() if c.isascii() and c.isalnum())


def format_coordinate(value: float) -> str:
    """A coordinate as stored: plain decimal text, no exponent, no trailing zeros."""
    text = f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# ------------------------------------------------------------------ the directory's filters

SORTS: Final = ("score", "reviews", "name")


def min_rating_tenths(value: Decimal | float) -> int:
    """A minimum rating as tenths of a star (4.5 -> 45): from 1 to 5 in steps of 0.1."""
    tenths = Fraction(str(value)) * 10
    if tenths.denominator != 1 or not 10 <= tenths <= 50:
        raise ValidationError("minRating: a rating from 1 to 5 in steps of 0.1", field="minRating")
    return int(tenths)
