"""The public pages in the patient's language, in a real browser: chosen from the browser's
languages, by the switcher (remembered), or by ?lang=; every sentence of a page translated
(no English message left on a page shown in another language); numbers and dates as the
language writes them; each review says the language it was written in."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.system import new_wallet
from tests.support.anvil import PROJECT_ROOT
from tests.web.browser import DESKTOP, shoot, static_site
from tests.web.conftest import WebSystem

LOCALES = PROJECT_ROOT / "web" / "src" / "i18n" / "locales"
OTHER_LANGUAGES = ("de", "es", "pl", "zh-Hans")
TEXTS = (
    "Dr. Nowak explained every step of the root canal and it did not hurt at all. Recommended.",
    "Friendly reception and a short wait; the cleaning was thorough and the advice practical.",
    "The crown fits well, the price was explained up front and there were no surprises.",
)
POLISH = "Bardzo miła obsługa, krótki czas oczekiwania i bezbolesne leczenie kanałowe. Polecam."


def messages(lang: str, *namespaces: str) -> dict[str, str]:
    """Every text of these catalogs (plural forms included), by "namespace.key[.form]"."""
    found: dict[str, str] = {}
    for namespace in namespaces:
        catalog: dict[str, Any] = json.loads(
            (LOCALES / lang / f"{namespace}.json").read_text("utf-8")
        )
        for key, value in catalog.items():
            forms = value.items() if isinstance(value, dict) else [("", value)]
            for form, text in forms:
                found[f"{namespace}.{key}{'.' + form if form else ''}"] = text
    return found


def fixed_parts(text: str) -> list[str]:
    """The parts of a message a page shows verbatim: between placeholders, links unbracketed."""
    return [
        part.strip()
        for part in re.split(r"\{\w+\}", text.replace("[", "").replace("]", ""))
        if len(part.strip()) >= 12
    ]


@dataclass
class Practice:
    address: str
    review_ids: list[int]


@pytest.fixture(scope="module")
def practice(web: WebSystem) -> Practice:
    dentist = web.new_dentist("Gabinet Nowak")
    ids = []
    for text in TEXTS:
        patient = new_wallet()
        ids.append(web.review(patient, web.visit(dentist, patient), text=text))
    # One review written on a Polish page: the language travels beside the signed review.
    patient = new_wallet()
    signed = web.stack.signed_review(patient, web.visit(dentist, patient), text=POLISH)
    answer = httpx.post(f"{web.url}/v1/reviews", json={**signed, "language": "pl"}, timeout=10)
    assert answer.status_code == 202, answer.text
    ids.append(answer.json()["id"])
    for review_id in ids:
        web.wait_anchored(review_id)
    return Practice(dentist.address, ids)


@pytest.fixture
def browser_in(browser: Browser) -> Iterator[Any]:
    contexts = []

    def open_page(locale: str) -> Page:
        context = browser.new_context(viewport=DESKTOP, locale=locale)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def ready(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("main[data-ready=true]")).to_be_attached(timeout=20_000)


PAGES = {
    "profile": (lambda p: f"/dentists/{p.address}", ("common", "score", "profile")),
    "directory": (lambda p: "/?q=Nowak", ("common", "score", "directory")),
    "how": (lambda p: "/how-reviews-work", ("common", "howitworks")),
}


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_in_another_language_shows_no_english_sentence(
    browser_in: Any, web: WebSystem, practice: Practice, name: str, lang: str
) -> None:
    path, namespaces = PAGES[name]
    page = browser_in("en-GB")
    address = path(practice)
    ready(page, f"{web.url}{address}{'&' if '?' in address else '?'}lang={lang}")
    assert page.evaluate("document.documentElement.lang") == lang
    if name == "profile":
        expect(page.locator("#disclosure")).to_be_visible()
    shown = page.locator("body").inner_text()
    english = messages("en", *namespaces)
    translated = messages(lang, *namespaces)
    left = [
        part
        for key, text in english.items()
        for part in fixed_parts(text)
        if part in shown and part not in translated.get(key, "")
    ]
    assert left == [], f"English left on the {name} page in {lang}"
    # And the page does say its own language's words.
    said = [part for text in translated.values() for part in fixed_parts(text) if part in shown]
    assert len(said) >= 3, said


def test_the_browser_language_chooses_and_the_switcher_changes_it(
    browser_in: Any, web: WebSystem, practice: Practice
) -> None:
    page = browser_in("pl-PL")
    ready(page, f"{web.url}/dentists/{practice.address}")
    polish = messages("pl", "profile", "common")
    assert page.evaluate("document.documentElement.lang") == "pl"
    expect(page.get_by_role("heading", name=polish["profile.ratings"])).to_be_visible()
    # Dates and numbers as Polish writes them.
    expected_date = page.evaluate(
        "(s) => new Intl.DateTimeFormat('pl', {year: 'numeric', month: 'short', day: 'numeric'})"
        ".format(s * 1000)",
        web.api_get(f"/v1/reviews/{practice.review_ids[0]}")["anchoredAt"],
    )
    expect(page.locator("#reviews")).to_contain_text(expected_date)
    switcher = page.get_by_label(polish["common.language"])
    switcher.select_option("zh-Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main[data-ready=true]")).to_be_attached()
    chinese = messages("zh-Hans", "profile", "common")
    expect(page.get_by_role("heading", name=chinese["profile.ratings"])).to_be_visible()
    # Remembered: another page, with no ?lang=, stays in Chinese.
    ready(page, f"{web.url}/how-reviews-work")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    expect(page.get_by_role("link", name=chinese["common.navFind"])).to_be_visible()


def test_a_review_says_the_language_it_was_written_in(
    browser_in: Any, web: WebSystem, practice: Practice
) -> None:
    page = browser_in("en-US")
    ready(page, f"{web.url}/dentists/{practice.address}")
    polish_review = page.locator(f'article[data-review-id="{practice.review_ids[-1]}"]')
    expect(polish_review).to_contain_text("Written in Polish")
    expect(polish_review.locator("p[lang=pl]")).to_have_text(POLISH)
    # Reviews written before languages were recorded say nothing rather than guess.
    unknown = page.locator(f'article[data-review-id="{practice.review_ids[0]}"]')
    expect(unknown).not_to_contain_text("Written in")


def test_a_profile_in_two_languages(browser_in: Any, web: WebSystem, practice: Practice) -> None:
    for lang in ("de", "zh-Hans"):
        page = browser_in("en-GB")
        ready(page, f"{web.url}/dentists/{practice.address}?lang={lang}")
        expect(page.locator("#disclosure")).to_be_visible()
        shoot(page, f"profile-{lang}")


WIDGET_HOSTS = [("pl", "", "pl"), ("en", "zh-Hans", "zh-Hans"), ("pt-BR", "", "en")]


@pytest.fixture(scope="module")
def practice_site(
    tmp_path_factory: pytest.TempPathFactory, web: WebSystem, practice: Practice
) -> Iterator[str]:
    """A practice's own site on another origin, one page per host language."""
    directory = tmp_path_factory.mktemp("site")
    for host_lang, data_lang, _ in WIDGET_HOSTS:
        (directory / f"{host_lang}-{data_lang or 'none'}.html").write_text(
            f"<!doctype html><html lang={host_lang}><head><meta charset=utf-8>"
            "<title>Practice</title></head><body>"
            f"<script src='{web.url}/widget.js' data-dentist='{practice.address}' "
            f"data-lang='{data_lang}' async></script></body></html>"
        )
    with static_site(directory) as origin:
        yield origin


@pytest.mark.parametrize(("host_lang", "data_lang", "expected"), WIDGET_HOSTS)
def test_the_widget_speaks_the_host_pages_language(
    browser_in: Any,
    web: WebSystem,
    practice_site: str,
    host_lang: str,
    data_lang: str,
    expected: str,
) -> None:
    """The widget on a practice's own site: in the site's language (html lang), or the one
    its script tag asks for (data-lang); English for a language it does not have."""
    page = browser_in("en-GB")
    page.goto(f"{practice_site}/{host_lang}-{data_lang or 'none'}.html")
    widget = page.locator(".dentareview-widget")
    said = messages(expected, "score", "widget")
    expect(widget).to_contain_text(said["score.disclosure"])
    expect(widget).to_have_attribute("lang", expected)
    expect(widget.get_by_role("link", name=said["score.howLink"])).to_have_attribute(
        "href", f"{web.url}/how-reviews-work?lang={expected}"
    )
