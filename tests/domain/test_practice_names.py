"""Practice names: one normal form, every class of hidden or deceptive character refused
with its own code, and look-alike names meeting in one skeleton."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from dentareview.domain.practice_names import (
    BIDI_CONTROLS,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    is_invisible,
    practice_name,
    rename_reason,
    skeleton,
)
from dentareview.errors import (
    DentaReviewError,
    NameBidiControl,
    NameBlank,
    NameControlCharacters,
    NameInvisibleCharacters,
    NameMarkup,
    NameMixedScript,
    NameTooLong,
    NameUnusableCharacters,
    RenameReasonInvalid,
)

# Unicode's Bidi_Control property, written out: each must be refused by this code.
EVERY_BIDI_CONTROL = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # LRE RLE PDF LRO RLO
    "\u2066", "\u2067", "\u2068", "\u2069",  # LRI RLI FSI PDI
    "\u200e", "\u200f", "\u061c",  # LRM RLM ALM
]  # fmt: skip
EVERY_CODE_POINT = [chr(c) for c in range(sys.maxunicode + 1)]
FORMAT_CHARACTERS = [c for c in EVERY_CODE_POINT if unicodedata.category(c) == "Cf"]
CONTROL_CHARACTERS = [c for c in EVERY_CODE_POINT if unicodedata.category(c) == "Cc"]
DENTISTRY_RU = "\u0421\u0442\u043e\u043c\u0430\u0442\u043e\u043b\u043e\u0433\u0438\u044f"


def refused(name: str) -> DentaReviewError:
    with pytest.raises(DentaReviewError) as caught:
        practice_name(name)
    assert caught.value.field == "name"
    assert caught.value.message
    return caught.value


def test_every_bidi_control_is_refused_as_one_anywhere_in_a_name() -> None:
    assert set(EVERY_BIDI_CONTROL) == BIDI_CONTROLS
    for char in EVERY_BIDI_CONTROL:
        for name in (f"{char}Harbour Dental", f"Harbour{char} Dental", f"Harbour Dental{char}"):
            error = refused(name)
            assert isinstance(error, NameBidiControl), (hex(ord(char)), error)
            assert f"U+{ord(char):04X}" in error.message


def test_every_other_format_character_is_refused_as_invisible() -> None:
    others = [c for c in FORMAT_CHARACTERS if c not in BIDI_CONTROLS]
    assert len(others) > 140  # soft hyphen, zero-width ones, tags, Arabic number signs…
    assert {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\U000e0041"} <= set(
        others
    )
    for char in others:
        assert isinstance(refused(f"Harbour{char}Dental"), NameInvisibleCharacters), hex(ord(char))


@pytest.mark.parametrize(
    "char",
    [
        "\u034f",  # combining grapheme joiner
        "\u115f", "\u1160", "\u3164", "\uffa0",  # Hangul fillers
        "\u17b4", "\u17b5",  # Khmer inherent vowels
        "\u180b", "\u180f",  # Mongolian free variation selectors
        "\ufe00", "\ufe0f", "\U000e0100", "\U000e01ef",  # variation selectors
    ],
)  # fmt: skip
def test_default_ignorables_outside_cf_are_invisible_too(char: str) -> None:
    assert unicodedata.category(char) != "Cf" and is_invisible(char)
    assert isinstance(refused(f"Harbour{char} Dental"), NameInvisibleCharacters)


def test_every_control_character_and_line_break_is_refused() -> None:
    assert len(CONTROL_CHARACTERS) == 65
    for char in [*CONTROL_CHARACTERS, "\u2028", "\u2029"]:
        assert isinstance(refused(f"Harbour{char}Dental"), NameControlCharacters), hex(ord(char))


@pytest.mark.parametrize("char", ["\ue000", "\U000f0000", "\ud800", "\udfff", "\U0010fffe"])
def test_private_use_surrogates_and_unassigned_are_refused(char: str) -> None:
    assert isinstance(refused(f"Harbour {char}"), NameUnusableCharacters)


@pytest.mark.parametrize(
    "name", ["<b>Harbour</b>", "Harbour <script>", "a > b", "<img src=x onerror=alert(1)>"]
)
def test_markup_characters_are_refused(name: str) -> None:
    assert isinstance(refused(name), NameMarkup)


@pytest.mark.parametrize(
    "name", ["Smith & Jones Dental", "O'Neill Dentistry", 'The "Bright" Clinic', "Dr. Müller"]
)
def test_ampersand_and_quotes_stay_allowed(name: str) -> None:
    assert practice_name(name) == name


@pytest.mark.parametrize(
    "name", ["", " ", "\u00a0\u3000", "\u2800", " \u2800 \u2003 "], ids=repr
)
def test_a_name_with_nothing_visible_is_blank(name: str) -> None:
    assert isinstance(refused(name), NameBlank)


def test_a_name_is_nfc_with_spacing_collapsed() -> None:
    decomposed = "Cafe\u0301  Dentaire\u00a0\u2003Paris "
    assert practice_name(decomposed) == "Caf\u00e9 Dentaire Paris"
    assert unicodedata.is_normalized("NFC", practice_name(decomposed))
    assert practice_name("  Harbour   Dental ") == "Harbour Dental"


def test_length_is_counted_after_normalisation() -> None:
    assert practice_name("a" * MAX_NAME_LENGTH) == "a" * MAX_NAME_LENGTH
    assert practice_name(" " + "a" * MAX_NAME_LENGTH + "   ") == "a" * MAX_NAME_LENGTH
    error = refused("a" * (MAX_NAME_LENGTH + 1))
    assert isinstance(error, NameTooLong) and "201" in error.message


@pytest.mark.parametrize(
    ("name", "odd"),
    [
        ("H\u0430rbour Dental", "CYRILLIC SMALL LETTER A"),
        ("Harbour D\u0435ntal", "CYRILLIC SMALL LETTER IE"),
        ("\u0397arbour Dental", "GREEK CAPITAL LETTER ETA"),
        (DENTISTRY_RU.replace("\u0430", "a"), "LATIN SMALL LETTER A"),
    ],
)  # fmt: skip
def test_a_word_mixing_scripts_with_look_alikes_is_refused(name: str, odd: str) -> None:
    error = refused(name)
    assert isinstance(error, NameMixedScript) and odd in error.message


@pytest.mark.parametrize(
    "name",
    [
        "ABC\u6b6f\u79d1",  # Latin with Han: no look-alikes between them
        "Tokyo \u6771\u4eac Dental",
        f"{DENTISTRY_RU} Smile",  # one script a word
        "Clinic-\u03a9",
        "\u039f\u03b4\u03bf\u03bd\u03c4\u03b9\u03b1\u03c4\u03c1\u03b5\u03af\u03bf",  # Greek only
    ],
)  # fmt: skip
def test_scripts_mixed_without_look_alikes_stay_allowed(name: str) -> None:
    assert practice_name(name) == name


@pytest.mark.parametrize(
    "variant",
    [
        "Harbour Dental",
        "HARBOUR DENTAL",
        "harbour  dental",
        "H\u0430rb\u043eur D\u0435nt\u0430l",  # Cyrillic а, о, е
        "Harb0ur DentaI",  # digit zero, capital I
        "\U0001d407\U0001d41a\U0001d42b\U0001d41b\U0001d428\U0001d42e\U0001d42b Dental",  # bold
        "\uff28arbour Dental",  # fullwidth H
    ],
)
def test_look_alike_names_share_one_skeleton(variant: str) -> None:
    assert skeleton(variant) == skeleton("Harbour Dental")


@pytest.mark.parametrize(
    "other", ["Harbour Dentist", "Harbor Dental", "Harbour Dental 2", "Caf\u00e9 Dental"]
)
def test_different_names_keep_different_skeletons(other: str) -> None:
    assert skeleton(other) != skeleton("Harbour Dental")
    assert skeleton("Cafe Dental") != skeleton("Caf\u00e9 Dental")  # a diacritic is seen


def test_the_skeleton_is_stable_and_never_raises() -> None:
    for name in ["Dr. 1", "Dr. l", "rn Dental", "m Dental", "\u202eevil", "", "\ufdfd" * 200]:
        assert skeleton(skeleton(name)) == skeleton(name)
    assert skeleton("Dr. 1") == skeleton("Dr. l")
    assert skeleton("rn Dental") == skeleton("m Dental")
    # Capitals meet small letters even where a capital has a look-alike of its own.
    assert skeleton("BRIGHT SMILES") == skeleton("Bright Smiles") == skeleton("Bright Smi1es")
    bold = "\U0001d401\U0001d42b\U0001d422\U0001d420\U0001d421\U0001d42d Smiles"  # no case
    assert skeleton(bold) == skeleton("BRIGHT SMILES")
    assert skeleton("Harbour DentaI") == skeleton("HARBOUR DENTAL") == skeleton("harbour dental")


def test_a_reason_is_plain_text_of_bounded_length() -> None:
    assert rename_reason("  The practice\u00a0changed owners <2026>  ") == (
        "The practice changed owners <2026>"
    )
    assert rename_reason("x" * MAX_REASON_LENGTH) == "x" * MAX_REASON_LENGTH
    for bad in ["", "   ", "x" * (MAX_REASON_LENGTH + 1), "ok\u202e", "a\nb", "a\u200bb"]:
        with pytest.raises(RenameReasonInvalid) as caught:
            rename_reason(bad)
        assert caught.value.field == "reason" and caught.value.code == "RENAME_REASON_INVALID"
