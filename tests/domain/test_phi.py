"""The PHI guardrail on replies: examples that must warn, and replies that must not."""

from __future__ import annotations

import time

import pytest

from dentareview.domain.phi import (
    AGE,
    EMAIL,
    EXPLANATIONS,
    MAX_CHECKED_CHARS,
    PATIENT_RECORD,
    PERSON_NAME,
    PHONE,
    TREATMENT,
    VISIT_DATE,
    VISIT_TIME,
    check_reply_text,
)
from dentareview.errors import ValidationError


@pytest.mark.parametrize(
    ("text", "code", "match"),
    [
        ("We hope your root canal has healed well.", TREATMENT, "your root canal"),
        ("Sorry that your new crown felt high.", TREATMENT, "your new crown"),
        ("Mrs. Smith's crown was fitted with care.", TREATMENT, "Smith's crown"),
        ("Mrs. Smith's crown was fitted with care.", PERSON_NAME, "Mrs. Smith"),
        ("Thank you, Mr Jones, for the kind words.", PERSON_NAME, "Mr Jones"),
        ("Dear Sarah, thank you for your review.", PERSON_NAME, "Dear Sarah"),
        ("Hi John! We are glad you are happy.", PERSON_NAME, "Hi John"),
        ("When you came in on March 3 we were short-staffed.", VISIT_DATE, "March 3"),
        ("We saw you on the 3rd of March.", VISIT_DATE, "3rd of March"),
        ("Your appointment on 03/04/2026 ran late.", VISIT_DATE, "03/04/2026"),
        ("We are sorry about last Tuesday.", VISIT_DATE, "last Tuesday"),
        ("Sorry again about yesterday.", VISIT_DATE, "yesterday"),
        ("Your visit at 3pm started late.", VISIT_TIME, "at 3pm"),
        ("We started at 10:30 because of an emergency.", VISIT_TIME, "at 10:30"),
        ("You had two fillings and we understand it hurt.", TREATMENT, "You had two fillings"),
        (
            "You were diagnosed with gum disease early.",
            TREATMENT,
            "You were diagnosed with gum disease",
        ),
        ("We checked your records and you were seen on time.", PATIENT_RECORD, "your records"),
        ("Your insurance paid part of it.", PATIENT_RECORD, "Your insurance"),
        ("We called you at +1 (555) 123-4567 twice.", PHONE, "+1 (555) 123-4567"),
        ("We wrote to jane.doe@example.com about it.", EMAIL, "jane.doe@example.com"),
        ("At 82 years old you were our bravest patient.", AGE, "82 years old"),
        ("Most patients in their forties, like you in your forties, do well.", AGE, "your forties"),
        ("A 7-year-old like yours needs patience.", AGE, "7-year-old"),
    ],
)
def test_disclosures_warn_with_the_span_and_words(text: str, code: str, match: str) -> None:
    warnings = check_reply_text(text)
    found = [(w.code, w.match) for w in warnings]
    assert (code, match) in found, found
    warning = next(w for w in warnings if (w.code, w.match) == (code, match))
    assert text[warning.start : warning.end] == match
    assert warning.message == EXPLANATIONS[code] and warning.message.endswith(".")


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your kind words, we look forward to seeing you again",
        "Thank you for taking the time to write this. Our whole team read it.",
        "We are sorry to hear about your experience. Please call our office so we can fix it.",
        "Our team strives to explain every treatment clearly before we begin.",
        "We are open Monday to Friday from 8 am to 6 pm, and on Saturdays until noon.",
        "We're available 24/7 for emergencies and rated 4.5 by our patients.",
        "Thanks for the five stars! It's a procedure we take pride in.",
        "Hi there, thank you so much. Dear patient, we value feedback like yours.",
        "Dr. Lee and the whole team thank you for trusting us with your smile.",
        "We hope to see you at your next visit.",
        "",
    ],
)
def test_ordinary_replies_do_not_warn(text: str) -> None:
    assert check_reply_text(text) == []


def test_each_warning_once_and_in_text_order() -> None:
    text = "Dear Maria, your crown and your filling: see you at 9am on 4/5."
    warnings = check_reply_text(text)
    assert [w.start for w in warnings] == sorted(w.start for w in warnings)
    assert [w.code for w in warnings].count(TREATMENT) == 2
    assert {w.code for w in warnings} == {PERSON_NAME, TREATMENT, VISIT_TIME, VISIT_DATE}


def test_a_text_longer_than_any_reply_is_refused_not_checked() -> None:
    with pytest.raises(ValidationError) as refused:
        check_reply_text("a" * (MAX_CHECKED_CHARS + 1))
    assert refused.value.field == "text"


def test_hostile_text_is_checked_in_linear_time() -> None:
    for text in (
        "your " * 4_000,
        "1-" * 10_000,
        "a@" * 9_999 + "b",
        "Mrs. " * 4_000,
        ("Dear " + "A" * 30 + " ") * 500,
        "1 " * 10_000,
    ):
        assert len(text) <= MAX_CHECKED_CHARS
        started = time.perf_counter()
        check_reply_text(text)
        assert time.perf_counter() - started < 2.0, text[:20]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("Call the patient back on +44 20 7946 0958 today.", "+44 20 7946 0958"),
        ("We left a message at (212) 555-0100 for you.", "(212) 555-0100"),
        ("Your number 020 7946 0958 is in our file.", "020 7946 0958"),
        ("Reach us on +49 30 1234567 any time.", "+49 30 1234567"),
    ],
)
def test_phone_numbers_are_found_by_numbering_plan(text: str, match: str) -> None:
    phones = [w.match for w in check_reply_text(text) if w.code == PHONE]
    assert phones == [match]


@pytest.mark.parametrize(
    "text",
    [
        "Your appointment on 03/04/2026 ran late.",
        "We're available 24/7 and rated 4.5 by 1200 patients.",
        "Our practice opened in 2004-05-06 with 12 chairs.",
        "A crown costs 1,250.00 here.",
    ],
)
def test_dates_and_figures_are_not_phone_numbers(text: str) -> None:
    assert [w.match for w in check_reply_text(text) if w.code == PHONE] == []


def test_a_time_followed_by_a_range_is_opening_hours_not_a_visit() -> None:
    assert check_reply_text("We open at 10:30 am to 6 pm, and around 9 a.m. - 5 on Sundays.") == []
