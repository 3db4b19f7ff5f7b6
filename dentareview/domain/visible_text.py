"""How much of a text a reader actually sees, for the length and word minima.

The signed text is stored and hashed exactly as signed; only the minima are
measured on what is visible. Invisible are: format characters (Unicode Cf: zero
width spaces and joiners, bidirectional marks, soft hyphens, byte-order marks),
control characters (Cc), and the few letters and symbols that render as blank
(Hangul fillers, the blank Braille pattern). Spacing (Zs, Zl, Zp, TAB, LF, CR)
only separates words: a run of it counts as one character between two words and
not at all at either end.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
# Not Cf, yet shown as nothing: a text of them only is as empty as one of spaces.
_BLANK_GLYPHS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@dataclass(frozen=True)
class VisibleMeasure:
    characters: int  # visible characters, plus one per gap between two words
    words: int  # runs of visible characters separated by spacing


def is_visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_GLYPHS


def _kept(char: str) -> bool:
    return char.isspace() or is_visible(char)


# What `_kept` drops from ASCII (its control characters), for str.translate: most
# texts are ASCII, and a table is far cheaper than a Unicode lookup per character.
_ASCII_DROPPED: Final = {code: None for code in range(128) if not _kept(chr(code))}


def measure(text: str) -> VisibleMeasure:
    """Words are split at spacing; invisible characters inside a word are dropped,
    so a zero-width joiner in an emoji sequence does not split it."""
    if text.isascii():
        kept = text.translate(_ASCII_DROPPED)
    else:
        kept = "".join(char for char in text if _kept(char))
    words = kept.split()
    characters = sum(len(word) for word in words) + max(len(words) - 1, 0)
    return VisibleMeasure(characters=characters, words=len(words))
