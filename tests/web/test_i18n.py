"""Every language has every message of the English reference, in the right shape.

A key missing in one language, a placeholder lost or renamed, a link dropped, or a plural
without the forms its language needs (Polish has four, Chinese one) fails here, before a
patient sees an empty line or a "{count}".
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache

import pytest

from tests.support.anvil import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "web" / "src" / "i18n" / "locales"
LANGUAGES = ("en", "de", "es", "pl", "zh-Hans")
NAMESPACES = sorted(path.stem for path in (LOCALES / "en").glob("*.json"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")
LINK = re.compile(r"\[[^\]]+\]")

Message = str | dict[str, str]


def catalog(lang: str, namespace: str) -> dict[str, Message]:
    data = json.loads((LOCALES / lang / f"{namespace}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def plural_categories(lang: str) -> frozenset[str]:
    """The forms a plural needs in this language, as the browser's Intl.PluralRules chooses."""
    rules = f"new Intl.PluralRules({lang!r}).resolvedOptions().pluralCategories"
    script = f"console.log(JSON.stringify({rules}))"
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    return frozenset(json.loads(out))


def forms(message: Message) -> list[str]:
    return [message] if isinstance(message, str) else list(message.values())


def placeholders(message: Message) -> set[str]:
    return {name for text in forms(message) for name in PLACEHOLDER.findall(text)}


def test_the_catalogs_are_the_languages_the_switcher_offers() -> None:
    assert sorted(path.name for path in LOCALES.iterdir()) == sorted(LANGUAGES)
    source = (PROJECT_ROOT / "web" / "src" / "i18n" / "lang.ts").read_text()
    offered = re.findall(
        r'^\s+"?([\w-]+)"?: "[^"]+",$', source.split("LANGUAGES = {")[1].split("}")[0], re.M
    )
    assert tuple(offered) == LANGUAGES
    # The switcher is in the shell (no layout shift when the script runs): the same list,
    # under an id no page uses for its own fields (the directory has a "language" filter).
    shell = (PROJECT_ROOT / "web" / "index.html").read_text()
    assert tuple(re.findall(r'<option value="([\w-]+)" lang="\1">', shell)) == LANGUAGES
    assert '<select id="site-language">' in shell


def problems(lang: str, english: dict[str, Message], other: dict[str, Message]) -> list[str]:
    """What is wrong with one language's catalog, measured against the English one."""
    found = [f"missing: {key}" for key in sorted(english.keys() - other.keys())]
    found += [f"unknown: {key}" for key in sorted(other.keys() - english.keys())]
    for key in sorted(english.keys() & other.keys()):
        source, target = english[key], other[key]
        if isinstance(target, str) != isinstance(source, str):
            found.append(f"{key}: a plural in one language only")
            continue
        if isinstance(target, dict) and set(target) != plural_categories(lang):
            uses = sorted(plural_categories(lang))
            found.append(f"{key}: plural forms {sorted(target)}, {lang} uses {uses}")
        for text in forms(target):
            if not text.strip():
                found.append(f"{key}: empty")
            if len(LINK.findall(text)) != len(LINK.findall(forms(source)[-1])):
                found.append(f"{key}: links differ")
            if not set(PLACEHOLDER.findall(text)) <= placeholders(source):
                found.append(f"{key}: unknown placeholder")
        # A form may leave out {count} ("one review"), never another placeholder.
        if not placeholders(target) >= placeholders(source) - {"count"}:
            found.append(f"{key}: lost a placeholder")
    return found


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated_in_the_same_shape(lang: str, namespace: str) -> None:
    assert problems(lang, catalog("en", namespace), catalog(lang, namespace)) == []


def test_each_kind_of_fault_is_caught() -> None:
    english: dict[str, Message] = {
        "a": "Open {name}.",
        "b": "See [the page].",
        "n": {"one": "{count} review", "other": "{count} reviews"},
    }
    good: dict[str, Message] = {
        "a": "Otwórz {name}.",
        "b": "Zobacz [stronę].",
        "n": {
            "one": "jedna recenzja",
            "few": "{count} recenzje",
            "many": "{count} recenzji",
            "other": "{count} recenzji",
        },
    }
    assert problems("pl", english, good) == []
    assert problems("pl", english, {k: v for k, v in good.items() if k != "a"}) == ["missing: a"]
    assert problems("pl", english, {**good, "a": "Otwórz."}) == ["a: lost a placeholder"]
    assert problems("pl", english, {**good, "a": "Otwórz {nazwa}."}) == [
        "a: unknown placeholder",
        "a: lost a placeholder",
    ]
    assert problems("pl", english, {**good, "b": "Zobacz stronę."}) == ["b: links differ"]
    assert problems("pl", english, {**good, "n": {"one": "1", "other": "{count}"}}) == [
        "n: plural forms ['one', 'other'], pl uses ['few', 'many', 'one', 'other']"
    ]
    assert problems("zh-Hans", english, {**good, "n": {"other": "{count} 条评价"}}) == []


def test_sign_in_statements_are_never_translated() -> None:
    """EIP-4361 allows only ASCII in a sign-in message's statement: every page gives it as
    an English literal, never from a catalog."""
    sources = sorted((PROJECT_ROOT / "web" / "src").rglob("*.ts"))
    statements = [
        (path.name, match.group(1))
        for path in sources
        for match in re.finditer(r"\bstatement: (?!string\b)([^,\n]+)", path.read_text())
    ]
    assert statements, "no sign-in statement found: the pattern is out of date"
    for name, value in statements:
        assert value.startswith('"') and value.isascii(), (name, value)
