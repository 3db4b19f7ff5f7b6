"""The ASCII shortcut of `measure` counts exactly what the general rule counts."""

from __future__ import annotations

import random

from dentareview.domain import visible_text
from dentareview.domain.visible_text import VisibleMeasure, measure
from tests.support.anvil import PROJECT_ROOT


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


def test_chinese_and_japanese_count_a_word_per_character() -> None:
    """Written without spaces, a Chinese review of twelve characters is twelve words,
    not one: otherwise no Chinese review could meet the word minimum."""
    assert measure("医生很耐心，治疗一点也不疼。").words == 14
    assert measure("とても丁寧でした").words == 8
    # Latin words and numbers between them count once each, as elsewhere.
    assert measure("我的 X-ray 检查很快 OK").words == 2 + 1 + 4 + 1
    assert measure("牙医ABC诊所").words == 5
    # Characters are unchanged: one per visible character, one per gap.
    assert measure("我的 检查").characters == 5


def test_the_web_app_counts_words_the_same_way() -> None:
    """format.ts wordCount keeps the same ranges, so the form does not accept what the
    service refuses."""
    source = (PROJECT_ROOT / "web" / "src" / "format.ts").read_text()
    for low, high in visible_text._UNSPACED:
        assert f"\\u{{{low:x}}}-\\u{{{high:x}}}" in source.lower(), (hex(low), hex(high))
