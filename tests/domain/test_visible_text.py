"""The ASCII shortcut of `measure` counts exactly what the general rule counts."""

from __future__ import annotations

import random

from dentareview.domain import visible_text
from dentareview.domain.visible_text import VisibleMeasure, measure


def _by_the_rule(text: str) -> VisibleMeasure:
    kept = "".join(char for char in text if char.isspace() or visible_text.is_visible(char))
    words = kept.split()
    return VisibleMeasure(
        characters=sum(len(word) for word in words) + max(len(words) - 1, 0), words=len(words)
    )


def test_every_ascii_character_is_measured_as_the_rule_says() -> None:
    for code in range(128):
        text = f"ab{chr(code)}cd {chr(code)} ef"
        assert measure(text) == _by_the_rule(text), repr(chr(code))


def test_random_ascii_texts_are_measured_as_the_rule_says() -> None:
    chooser = random.Random(7)
    for _ in range(500):
        text = "".join(chr(chooser.randrange(128)) for _ in range(chooser.randrange(60)))
        assert measure(text) == _by_the_rule(text), repr(text)


def test_ascii_control_characters_are_dropped_and_spacing_splits_words() -> None:
    assert measure("a\x00b\x7fc") == VisibleMeasure(characters=3, words=1)
    assert measure("\tab\x1fcd\n") == VisibleMeasure(characters=5, words=2)
