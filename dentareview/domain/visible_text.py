"""How much of a text a reader actually sees, for the length and word minima.

The signed text is stored and hashed exactly as signed; only the minima are
measured on what is visible. Invisible are: format characters (Unicode Cf: zero
width spaces and joiners, bidirectional marks, soft hyphens, byte-order marks),
control characters (Cc), and the few letters and symbols that render as blank
(Hangul fillers, the blank Braille pattern). Spacing (Zs, Zl, Zp, TAB, LF, CR)
only separates words: a run of it counts as one character between two words and
not at all at either end. Chinese and Japanese are written without spaces: each of
their characters (Han, Hiragana, Katakana) counts as a word, as it does for a reader.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Final

_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
# Not Cf, yet shown as nothing: a text of them only is as empty as one of spaces.
_BLANK_GLYPHS: Final = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Scripts written without spaces between words (web/src/format.ts wordCount has the same):
# Hiragana and Katakana, CJK Unified Ideographs with extension A, compatibility
# ideographs, and the supplementary ideographs (extensions B to H).
_UNSPACED: Final = (
    (0x3040, 0x30FF),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


@dataclass(frozen=True)
class VisibleMeasure:
    characters: int  # visible characters, plus one per gap between two words
    words: int  # runs of visible characters separated by spacing; each Han or kana character


def is_visible(char: str) -> bool:
    return unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _BLANK_GLYPHS


def _unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED)


def _words_in(run: str) -> int:
    """Each unspaced character is a word, and so is each stretch of other characters."""
    count = 0
    in_stretch = False
    for char in run:
        if _unspaced(char):
            count += 1
            in_stretch = False
        elif not in_stretch:
            count += 1
            in_stretch = True
    return count


def _kept(char: str) -> bool:
    return char.isspace() or is_visible(char)


# What `_kept` drops from ASCII (its control characters), for str.translate: most
# texts are ASCII, and a table is far cheaper than a Unicode lookup per character.
_ASCII_DROPPED: Final = {code: None for code in range(128) if not _kept(chr(code))}


def measure(text: str) -> VisibleMeasure:
    """Words are split at spacing; invisible characters inside a word are dropped,
    so a zero-width joiner in an emoji sequence does not split it."""
    if text.isascii():
        words = text.translate(_ASCII_DROPPED).split()
        count = len(words)
    else:
        words = "".join(char for char in text if _kept(char)).split()
        count = sum(_words_in(word) for word in words)
    characters = sum(len(word) for word in words) + max(len(words) - 1, 0)
    return VisibleMeasure(characters=characters, words=count)
