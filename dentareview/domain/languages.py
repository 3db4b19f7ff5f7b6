"""The languages the patient-facing pages and the invitation emails are written in.

One set for everything on the Python side: the language a review was written in (as the
page was when the patient wrote), the language of a patient's invitation email, and the
`?lang=` its link carries. Tags as in BCP 47; Chinese is Simplified Chinese only.

`page_language` maps a tag from elsewhere (a FHIR Patient's communication language, a
CSV cell) to one of them: its primary language subtag decides ("de-AT" is "de"); Chinese
is "zh-Hans" unless its script or region says Traditional ("zh-Hant", "zh-TW", "zh-HK",
"zh-MO"), which maps to none. Pure: no I/O.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

PageLanguage = Literal["en", "de", "es", "pl", "zh-Hans"]
PAGE_LANGUAGES: Final[tuple[PageLanguage, ...]] = get_args(PageLanguage)
DEFAULT_LANGUAGE: Final[PageLanguage] = "en"

_BY_PRIMARY: Final[dict[str, PageLanguage]] = {"en": "en", "de": "de", "es": "es", "pl": "pl"}
_CHINESE: Final = frozenset(("zh", "cmn"))  # cmn: Mandarin, written either way
_TRADITIONAL_REGIONS: Final = frozenset(("tw", "hk", "mo"))
MAX_TAG_LENGTH: Final = 35  # RFC 5646 asks implementations to allow 35 characters


def page_language(tag: str | None) -> PageLanguage | None:
    """The page language a BCP 47 tag asks for, or None when it is none of them."""
    if tag is None or len(tag) > MAX_TAG_LENGTH:
        return None
    subtags = tag.strip().replace("_", "-").lower().split("-")
    primary, rest = subtags[0], subtags[1:]
    if primary in _BY_PRIMARY:
        return _BY_PRIMARY[primary]
    if primary not in _CHINESE:
        return None
    if "hans" in rest:
        return "zh-Hans"
    if "hant" in rest or any(part in _TRADITIONAL_REGIONS for part in rest):
        return None
    return "zh-Hans"
