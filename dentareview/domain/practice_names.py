"""Practice names patients can trust: one normal form, nothing hidden, no look-alikes.

A name is stored as NFC with runs of spacing collapsed to one space and none at either
end. It is refused, each with its own code, when it holds:

- bidirectional controls (embeddings, overrides, isolates, LRM/RLM/ALM): they reorder
  what a reader sees (`NAME_BIDI_CONTROL`);
- control characters, or line and paragraph separators (`NAME_CONTROL_CHARACTERS`);
- unassigned, private-use or surrogate code points, which render as anything a font
  chooses (`NAME_UNUSABLE_CHARACTERS`);
- invisible characters: format characters (Unicode Cf: zero-width spaces and joiners,
  soft hyphens, tags) and every other Default_Ignorable_Code_Point such as variation
  selectors and Hangul fillers (`NAME_INVISIBLE_CHARACTERS`);
- `<` or `>`: no name needs them and they are what markup needs (`NAME_MARKUP`). `&`
  and quotes stay allowed ("Smith & Jones", "O'Neill"): every page writes a name as
  text, never as markup;
- nothing visible once spaces are removed (`NAME_BLANK`), or more than 200 characters
  (`NAME_TOO_LONG`);
- a word mixing scripts where one script's letters pass for another's, such as a
  Cyrillic "а" inside a Latin word (`NAME_MIXED_SCRIPT`).

Names that look the same compare equal through their skeleton (Unicode TR39): the
service refuses a name whose skeleton is another practice's (`NAME_CONFUSABLE`).
The skeleton is built from the confusables data of `confusable-homoglyphs` (Unicode's
confusables.txt); pure functions, no I/O.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Final

import regex
from confusable_homoglyphs import categories, confusables

from dentareview.domain.visible_text import is_visible
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

MAX_NAME_LENGTH: Final = 200
MAX_REASON_LENGTH: Final = 500

# Unicode's Bidi_Control property: UAX #9 embeddings, overrides, isolates and marks.
BIDI_CONTROLS: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # LRE RLE PDF LRO RLO
    "\u2066\u2067\u2068\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
)
MARKUP: Final = frozenset("<>")
_CONTROL_CATEGORIES: Final = frozenset({"Cc", "Zl", "Zp"})
_UNUSABLE_CATEGORIES: Final = frozenset({"Cn", "Co", "Cs"})
_DEFAULT_IGNORABLE: Final = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# Scripts shared by every writing system (digits, punctuation, combining marks).
_SHARED_SCRIPTS: Final = frozenset({"COMMON", "INHERITED"})
# confusables.txt wraps right-to-left characters in LRM marks for display.
_DISPLAY_MARK: Final = "\u200e"
_SKELETON_PASSES: Final = 4  # two suffice for every name tried; a bound all the same


def _named(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed')}"


def is_invisible(char: str) -> bool:
    """A format character (Cf) or any other default-ignorable code point."""
    return unicodedata.category(char) == "Cf" or _DEFAULT_IGNORABLE.match(char) is not None


def _refuse_characters(text: str, *, what: str, field: str, markup: bool) -> None:
    """The first hidden, control or markup character, refused with its own code."""
    for char in text:
        category = unicodedata.category(char)
        if char in BIDI_CONTROLS:
            raise NameBidiControl(
                f"the {what} holds a bidirectional control ({_named(char)}), which "
                "reorders what readers see; remove it",
                field=field,
            )
        if category in _CONTROL_CATEGORIES:
            raise NameControlCharacters(
                f"the {what} holds a control character or line break ({_named(char)}); "
                "write it on one line of plain text",
                field=field,
            )
        if category in _UNUSABLE_CATEGORIES:
            raise NameUnusableCharacters(
                f"the {what} holds an unassigned, private-use or surrogate code point "
                f"(U+{ord(char):04X}); use standard characters",
                field=field,
            )
        if is_invisible(char):
            raise NameInvisibleCharacters(
                f"the {what} holds an invisible character ({_named(char)}); remove it",
                field=field,
            )
        if markup and char in MARKUP:
            raise NameMarkup(
                f"the {what} holds '{char}': markup characters are not allowed",
                field=field,
            )


def _tidy(raw: str) -> str:
    """NFC, with each run of spacing as one space and none at either end."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def practice_name(raw: str, *, field: str = "name") -> str:
    """The stored form of a practice's name, or the reason it is refused."""
    text = unicodedata.normalize("NFC", raw)
    _refuse_characters(text, what="name", field=field, markup=True)
    name = _tidy(text)
    if not any(is_visible(char) for char in name):
        raise NameBlank("the name has no visible characters; give the practice's name", field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise NameTooLong(
            f"the name has {len(name)} characters; at most {MAX_NAME_LENGTH} are allowed",
            field=field,
        )
    for word in name.split(" "):
        _refuse_mixed_script(word, field=field)
    return name


def rename_reason(raw: str, *, field: str = "reason") -> str:
    """Why a name changed: plain text of 1 to 500 visible characters on one line (it is
    only ever shown as text, so markup characters are harmless here)."""
    text = unicodedata.normalize("NFC", raw)
    try:
        _refuse_characters(text, what="reason", field=field, markup=False)
    except DentaReviewError as error:
        raise RenameReasonInvalid(error.message, field=field) from None
    reason = _tidy(text)
    if not any(is_visible(char) for char in reason):
        raise RenameReasonInvalid("give the reason for the change in words", field=field)
    if len(reason) > MAX_REASON_LENGTH:
        raise RenameReasonInvalid(
            f"the reason has {len(reason)} characters; at most {MAX_REASON_LENGTH} are allowed",
            field=field,
        )
    return reason


def _refuse_mixed_script(word: str, *, field: str) -> None:
    """A word in two scripts where a letter of a lesser script passes for a letter of the
    word's main one ("Dеntal" with a Cyrillic "е"); "ABC歯科" or "Clinic-Ω" mix without
    look-alikes and stay allowed."""
    counts = Counter(str(categories.alias(char)) for char in word)
    for shared in _SHARED_SCRIPTS:
        counts.pop(shared, None)
    if len(counts) < 2:
        return
    most = max(counts.values())
    for main in sorted(script for script, count in counts.items() if count == most):
        hits = confusables.is_confusable(word, greedy=True, preferred_aliases=[main]) or []
        for hit in hits:
            if hit["alias"] not in counts:
                continue  # a shared character (digit, punctuation): the skeleton's job
            alike = next(
                (g["c"] for g in hit["homoglyphs"] if categories.alias(g["c"][:1]) == main),
                "",
            )
            raise NameMixedScript(
                f"the word {word!r} mixes scripts: {_named(str(hit['character']))} looks "
                f"like the {main.title()} letter {alike!r}; write the word in one script",
                field=field,
            )


@cache
def _prototypes() -> Mapping[str, str]:
    """Each confusable code point's prototype, from the library's symmetric pairs.

    confusables.txt maps each source code point to one prototype (a string that maps to
    itself); the library stores each pair both ways. A code point with several partners
    is a prototype; one whose single partner has several, or is a sequence, is a source.
    A pair with one partner each is a prototype and its only source: the smaller code
    point stands for both, which keeps skeletons comparable (the only use here).
    """
    partners: dict[str, list[str]] = {}
    for key, entries in confusables.confusables_data.items():
        partners[key.replace(_DISPLAY_MARK, "")] = [
            str(entry["c"]).replace(_DISPLAY_MARK, "") for entry in entries
        ]
    table: dict[str, str] = {}
    for char, others in partners.items():
        if len(char) != 1 or len(others) != 1:
            continue  # a sequence, or a prototype with several sources: maps to itself
        (other,) = others
        if len(other) > 1 or len(partners.get(other, ())) > 1:
            table[char] = other
        else:
            table[char] = min(char, other)
    # A prototype sequence may hold a code point whose stand-in is its partner.
    return {char: "".join(table.get(c, c) for c in target) for char, target in table.items()}


def _mapped(text: str) -> str:
    table = _prototypes()
    return unicodedata.normalize(
        "NFD", "".join(table.get(c, c) for c in unicodedata.normalize("NFD", text))
    )


def skeleton(name: str) -> str:
    """TR39's skeleton, case-blind: names equal here look alike to a reader.

    Upper case, skeleton, case-fold, skeleton: capitals meet their look-alikes first
    ("DentaI" with a capital I), then small letters theirs ("rn" and "m"); repeated
    until nothing changes, as a letter without case (a mathematical bold "𝐢") only
    meets the capitals' look-alikes on the second pass. So "HARBOUR DENTAL", "Harbour
    Dental" and "Hаrbour Dеntal" (Cyrillic letters) meet. Never raises.
    """
    current = _tidy(name)
    for _ in range(_SKELETON_PASSES):
        folded = _mapped(_mapped(current.upper()).casefold())
        if folded == current:
            break
        current = folded
    return current
