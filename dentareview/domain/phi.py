"""Does a reply seem to disclose a patient's health information? A heuristic that warns.

A practice's public reply may confirm that the reviewer is its patient and add what the
patient never said in public: a name, the date of a visit, a treatment or a condition.
US dentists have been fined under HIPAA for exactly that (docs/PRIVACY.md). Before the
dentist signs, `check_reply_text` lists what looks like such a disclosure, each with a
code, the matched span and a plain-words explanation. It warns; it never blocks: the
dentist may revise or sign anyway.

Pure and linear-time: the patterns run on RE2 (dentareview/linear_re.py), whose time is
linear in the text whatever the pattern, and phone numbers are found by libphonenumber;
tests/security/test_linear_time.py checks both on hostile texts of the maximum length.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import phonenumbers

from dentareview.errors import ValidationError
from dentareview.linear_re import LinearPattern, compile_linear

# Longer than any reply may be (`reply_max_chars` is at most 20,000 as well).
MAX_CHECKED_CHARS: Final = 20_000

PERSON_NAME: Final = "PERSON_NAME"
VISIT_DATE: Final = "VISIT_DATE"
VISIT_TIME: Final = "VISIT_TIME"
TREATMENT: Final = "TREATMENT"
PATIENT_RECORD: Final = "PATIENT_RECORD"
PHONE: Final = "PHONE"
EMAIL: Final = "EMAIL"
AGE: Final = "AGE"

EXPLANATIONS: Final = {
    PERSON_NAME: (
        "This looks like a person's name. Naming the reviewer confirms publicly that they "
        "are your patient; leave names out."
    ),
    VISIT_DATE: (
        "This looks like the date or day of a visit. When a patient came in is health "
        "information; leave it out."
    ),
    VISIT_TIME: (
        "This looks like the time of an appointment. When a patient came in is health "
        "information; leave it out."
    ),
    TREATMENT: (
        "This ties a treatment or a condition to the patient. What was done or found is "
        "health information, even if the patient mentioned it first; speak of your "
        "practice in general instead."
    ),
    PATIENT_RECORD: (
        "This refers to the patient's records, chart, insurance or bill. Confirming what "
        "they hold is a disclosure; invite the patient to contact the practice privately."
    ),
    PHONE: (
        "This looks like a phone number. If it is the patient's, remove it; if it is the "
        "practice's, it is fine."
    ),
    EMAIL: (
        "This looks like an email address. If it is the patient's, remove it; if it is the "
        "practice's, it is fine."
    ),
    AGE: "This looks like a person's age. A patient's age is personal information; leave it out.",
}


@dataclass(frozen=True)
class PhiWarning:
    code: str
    start: int  # index of the first matched character in the text (code points)
    end: int  # index after the last
    match: str
    message: str


# Python's `\s` is Unicode whitespace (a no-break space too); RE2's is ASCII.
_S = r"[\s\v\p{Z}]"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_CAPITALISED = r"[A-Z][a-z]{1,20}(?:-[A-Z][a-z]{1,20})?"
_TREATMENTS = (
    r"(?:root[- ]canals?|crowns?|fillings?|extractions?|implants?|braces|aligners?"
    r"|invisalign|veneers?|bridges?|dentures?|partials?|cleanings?|whitening|bleaching"
    r"|wisdom (?:tooth|teeth)|cavit(?:y|ies)|decay|gum disease|periodontitis|gingivitis"
    r"|periodontal|abscess(?:es)?|infections?|x-?rays?|scans?|surger(?:y|ies)"
    r"|procedures?|treatments?|diagnos(?:is|es)|anesthe(?:sia|tic)|anaesthe(?:sia|tic)"
    r"|sedation|numbing|novocaine|tmj|tmd|bone grafts?|scaling|deep cleaning"
    r"|orthodontics?|prescriptions?|medications?|antibiotics?|painkillers?|toothache"
    r"|sensitivity|bruxism|grinding|dry socket|swelling|biopsy|oral cancer|condition"
    r"|allerg(?:y|ies)|pregnancy|diabetes|anxiety|phobia|chipped tooth|broken tooth"
    r"|cracked tooth|molars?|incisors?|premolars?)"
)
# Unicode word characters, as `re`'s `\w` (RE2's is ASCII).
_W = r"[\p{L}\p{N}_]"

# Capitalised words after a greeting that name no one ("Hi There", "Dear Team").
_NOT_NAMES: tuple[str, ...] = (
    "There",
    "Everyone",
    "All",
    "Team",
    "Friend",
    "Again",
    "So",
    "For",
    "Very",
    "Sir",
)
_NOT_NAMES += ("Madam",)
# Capitalised possessives that are no person's ("It's crown day", "Today's cleaning").
_NOT_POSSESSIVES: tuple[str, ...] = (
    "It's",
    "That's",
    "There's",
    "Here's",
    "What's",
    "Who's",
    "Everyone's",
)
_NOT_POSSESSIVES += ("Everybody's", "Today's", "Nobody's", "Someone's", "Somebody's")
_NOT_POSSESSIVES += ("Everything's", "Nothing's")


@dataclass(frozen=True)
class _Rule:
    """One pattern; each match is one warning unless a check below drops it.

    RE2 has no lookahead, so "not followed by" is checked here on the match: it is
    dropped when the text at the start of group `group` begins with one of
    `not_words` (as a whole word), or when the text right after it begins with
    `not_before`.
    """

    code: str
    pattern: LinearPattern
    not_words: tuple[str, ...] = ()
    group: int = 0
    not_before: LinearPattern | None = None


_RULES: Final[tuple[_Rule, ...]] = (
    # "Mrs. Smith", "Mr Jones"; titles a reviewer is addressed by (not "Dr.": the
    # practice's own dentists sign replies with it).
    _Rule(PERSON_NAME, compile_linear(rf"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?{_S}{{1,3}}{_CAPITALISED}")),
    # "Dear Sarah", "Hi John,", "Thank you, Maria" at a greeting: a capitalised word
    # right after the greeting (not "Thank you for…", "Hi there", "Dear patient").
    _Rule(
        PERSON_NAME,
        compile_linear(
            rf"(?:^|[.!?\n]{_S}{{0,3}})(?:Dear|Hi|Hello|Hey|Thanks|Thank you),?{_S}{{1,3}}"
            rf"({_CAPITALISED})\b"
        ),
        not_words=_NOT_NAMES,
        group=1,
    ),
    # "Sarah's crown", "John's filling": a capitalised possessive before a treatment.
    _Rule(
        TREATMENT,
        compile_linear(
            rf"\b({_CAPITALISED})'s{_S}{{1,3}}"
            rf"(?:[a-z]{{1,20}}{_S}{{1,3}}){{0,2}}{_TREATMENTS}\b"
        ),
        not_words=_NOT_POSSESSIVES,
        group=1,
    ),
    # "your root canal", "her new crown", "your recent treatment", "their infection".
    _Rule(
        TREATMENT,
        compile_linear(
            rf"\b(?:your|his|her|their){_S}{{1,3}}(?:[a-z-]{{1,20}}{_S}{{1,3}}){{0,2}}"
            rf"{_TREATMENTS}\b",
            ignore_case=True,
        ),
    ),
    # "you had a root canal", "you needed two fillings", "you were treated for…".
    _Rule(
        TREATMENT,
        compile_linear(
            rf"\byou{_S}(?:had|got|received|needed|underwent|came in for|were treated for"
            rf"|were diagnosed with|suffer from|suffered from){_S}{{1,3}}"
            rf"(?:(?:a|an|the|two|three|several|some|your){_S}{{1,3}})?"
            rf"(?:[a-z-]{{1,20}}{_S}{{1,3}}){{0,2}}?{_TREATMENTS}\b",
            ignore_case=True,
        ),
    ),
    # "your records", "your chart", "your insurance claim", "your bill".
    _Rule(
        PATIENT_RECORD,
        compile_linear(
            rf"\b(?:your|his|her|their){_S}{{1,3}}(?:(?:dental|medical|patient|insurance)"
            rf"{_S}{{1,3}})?(?:records?|charts?|files?|x-?ray results|insurance|claims?|bills?"
            r"|invoices?|balance|account with us|treatment plan)\b",
            ignore_case=True,
        ),
    ),
    # "March 3", "3rd of March", "Mar. 3rd", "March 3, 2026".
    _Rule(
        VISIT_DATE,
        compile_linear(
            rf"\b(?:{_MONTH}\.?{_S}{{1,3}}{_ORDINAL}\b(?:,?{_S}{{1,3}}\d{{4}})?"
            rf"|{_ORDINAL}{_S}{{1,3}}(?:of{_S}{{1,3}})?{_MONTH}\b)",
            ignore_case=True,
        ),
    ),
    # "3/4", "03/04/2026", "2026-03-04", "4.3.26" (not "4.5 stars", not "24/7").
    _Rule(
        VISIT_DATE,
        compile_linear(
            r"\b(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}"
            r"|\d{4}-\d{1,2}-\d{1,2})\b"
        ),
        not_words=("24/7",),
    ),
    # "last Tuesday", "on Monday" (not "on Mondays": opening days, which the `\b`
    # after the weekday refuses), "yesterday", "this morning", "last week".
    _Rule(
        VISIT_DATE,
        compile_linear(
            rf"\b(?:(?:last|on|this past|that){_S}{{1,3}}{_WEEKDAY}\b|yesterday"
            rf"|this (?:morning|afternoon)|last (?:week|month|night))",
            ignore_case=True,
        ),
    ),
    # "at 3pm", "at 10:30", "around 9 a.m." (not "from 8 am to 6 pm": opening hours).
    _Rule(
        VISIT_TIME,
        compile_linear(
            rf"\b(?:at|around|about){_S}{{1,3}}\d{{1,2}}"
            rf"(?::\d{{2}}(?:{_S}?[ap]\.?m\.?)?|{_S}?[ap]\.?m\.?)",
            ignore_case=True,
        ),
        not_before=compile_linear(
            rf"{_W}|{_S}{{0,3}}(?:-|–|to|until){_S}{{0,3}}\d", ignore_case=True
        ),
    ),
    # Phone numbers: found by libphonenumber (_phone_spans), not by a pattern.
    # Any length: RE2 needs no bound against backtracking (and large counted
    # repetitions of Unicode classes exceed its program size).
    _Rule(EMAIL, compile_linear(rf"[\p{{L}}\p{{N}}_.+-]+@{_W[:-1]}-]+(?:\.{_W[:-1]}-]+)+\b")),
    # "42 years old", "42-year-old", "aged 42", "in your sixties".
    _Rule(
        AGE,
        compile_linear(
            rf"\b(?:\d{{1,3}}[- ]?(?:years?|yrs?)[- ]?old|aged{_S}{{1,3}}\d{{1,3}}"
            r"|(?:your|his|her) (?:age|twenties|thirties|forties|fifties|sixties|seventies"
            r"|eighties|nineties))\b",
            ignore_case=True,
        ),
    ),
)
# The longest text `not_before` may need to see after a match.
_LOOKAHEAD_CHARS: Final = 16

# libphonenumber finds numbers by each country's numbering plan. A reply says nothing
# of its country, so the text is read three ways: numbers written internationally
# ("+44 20 …", any country: the prefix names the plan) and NANP national numbers
# ("(212) 555-0100", the United States and Canada, whose HIPAA rules this check
# follows) at POSSIBLE leniency, a length check that keeps "+1 (555) 123-4567" (555
# is no real area code) and skips dates and "24/7"; and national numbers of the UK,
# Germany and France ("020 7946 0958") at VALID leniency, which needs an allocated
# range, as their plans would otherwise take dates and prices for numbers. Each
# region is one more pass over the text: the list stays short.
_PHONE_REGIONS: Final[tuple[tuple[str, int], ...]] = (
    ("ZZ", phonenumbers.Leniency.POSSIBLE),
    ("US", phonenumbers.Leniency.POSSIBLE),
    *((region, phonenumbers.Leniency.VALID) for region in ("GB", "DE", "FR")),
)


def _phone_spans(text: str) -> Iterator[tuple[int, int]]:
    for region, leniency in _PHONE_REGIONS:
        for found in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
            yield found.start, found.end


def _spans(rule: _Rule, text: str) -> Iterator[tuple[int, int]]:
    for m in rule.pattern.finditer(text):
        if rule.not_words and _starts_with_word(text, m.start(rule.group), rule.not_words):
            continue
        end = m.end()
        if rule.not_before and rule.not_before.match(text[end : end + _LOOKAHEAD_CHARS]):
            continue
        yield m.span()


def _starts_with_word(text: str, at: int, words: tuple[str, ...]) -> bool:
    """Does `text` hold one of `words` at `at`, followed by no word character?"""
    for word in words:
        after = at + len(word)
        if text.startswith(word, at) and (after == len(text) or not _is_word(text[after])):
            return True
    return False


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def check_reply_text(text: str) -> list[PhiWarning]:
    """Every match of every rule, in text order; a span matched by several rules of
    the same code is reported once. A text longer than MAX_CHECKED_CHARS code points
    is refused (ValidationError), not checked."""
    if len(text) > MAX_CHECKED_CHARS:
        raise ValidationError(
            f"text has {len(text)} characters; at most {MAX_CHECKED_CHARS} are checked",
            field="text",
        )
    found: list[PhiWarning] = []
    taken: dict[str, _Spans] = {}
    matches = [(rule.code, span) for rule in _RULES for span in _spans(rule, text)]
    matches += [(PHONE, span) for span in _phone_spans(text)]
    for code, (start, end) in matches:
        # A greeting rule matches the separator before it; report the words only.
        while start < end and not text[start].isalnum() and text[start] not in "+(":
            start += 1
        if start < end and taken.setdefault(code, _Spans()).take(start, end):
            found.append(PhiWarning(code, start, end, text[start:end], EXPLANATIONS[code]))
    return sorted(found, key=lambda w: (w.start, w.end, w.code))


class _Spans:
    """Disjoint spans of one code, sorted: a new one is taken unless it overlaps one.

    A bisection, not a scan, so a text with thousands of matches stays fast."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def take(self, start: int, end: int) -> bool:
        # The span starting last before `end` ends last of those (they are disjoint).
        at = bisect_left(self._starts, end)
        if at and self._ends[at - 1] > start:
            return False
        self._starts.insert(at, start)
        self._ends.insert(at, end)
        return True
