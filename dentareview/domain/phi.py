"""Does a reply seem to disclose a patient's health information? A heuristic that warns.

A practice's public reply may confirm that the reviewer is its patient and add what the
patient never said in public: a name, the date of a visit, a treatment or a condition.
US dentists have been fined under HIPAA for exactly that (docs/PRIVACY.md). Before the
dentist signs, `check_reply_text` lists what looks like such a disclosure, each with a
code, the matched span and a plain-words explanation. It warns; it never blocks: the
dentist may revise or sign anyway.

Pure and linear-time: every pattern is a plain alternation or bounded repetition, with
no nested quantifier that could backtrack without end on a hostile text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from dentareview.errors import ValidationError

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


_I = re.IGNORECASE
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

# (code, pattern): each match is one warning.
_RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    # "Mrs. Smith", "Mr Jones"; titles a reviewer is addressed by (not "Dr.": the
    # practice's own dentists sign replies with it).
    (PERSON_NAME, re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s{{1,3}}{_CAPITALISED}")),
    # "Dear Sarah", "Hi John,", "Thank you, Maria" at a greeting: a capitalised word
    # right after the greeting (not "Thank you for…", "Hi there", "Dear patient").
    (
        PERSON_NAME,
        re.compile(
            rf"(?:^|[.!?\n]\s{{0,3}})(?:Dear|Hi|Hello|Hey|Thanks|Thank you),?\s{{1,3}}"
            rf"(?!(?:There|Everyone|All|Team|Friend|Again|So|For|Very|Sir|Madam)\b)"
            rf"{_CAPITALISED}\b"
        ),
    ),
    # "Sarah's crown", "John's filling": a capitalised possessive before a treatment.
    (
        TREATMENT,
        re.compile(
            rf"\b(?!(?:It|That|There|Here|What|Who|Everyone|Everybody|Today|Nobody|Someone"
            rf"|Somebody|Everything|Nothing)'s){_CAPITALISED}'s\s{{1,3}}"
            rf"(?:[a-z]{{1,20}}\s{{1,3}}){{0,2}}{_TREATMENTS}\b"
        ),
    ),
    # "your root canal", "her new crown", "your recent treatment", "their infection".
    (
        TREATMENT,
        re.compile(
            rf"\b(?:your|his|her|their)\s{{1,3}}(?:[a-z-]{{1,20}}\s{{1,3}}){{0,2}}{_TREATMENTS}\b",
            _I,
        ),
    ),
    # "you had a root canal", "you needed two fillings", "you were treated for…".
    (
        TREATMENT,
        re.compile(
            r"\byou\s(?:had|got|received|needed|underwent|came in for|were treated for"
            r"|were diagnosed with|suffer from|suffered from)\s{1,3}"
            rf"(?:(?:a|an|the|two|three|several|some|your)\s{{1,3}})?(?:[a-z-]{{1,20}}\s{{1,3}}){{0,2}}?"
            rf"{_TREATMENTS}\b",
            _I,
        ),
    ),
    # "your records", "your chart", "your insurance claim", "your bill".
    (
        PATIENT_RECORD,
        re.compile(
            r"\b(?:your|his|her|their)\s{1,3}(?:(?:dental|medical|patient|insurance)\s{1,3})?"
            r"(?:records?|charts?|files?|x-?ray results|insurance|claims?|bills?|invoices?"
            r"|balance|account with us|treatment plan)\b",
            _I,
        ),
    ),
    # "March 3", "3rd of March", "Mar. 3rd", "March 3, 2026".
    (
        VISIT_DATE,
        re.compile(
            rf"\b(?:{_MONTH}\.?\s{{1,3}}{_ORDINAL}\b(?:,?\s{{1,3}}\d{{4}})?"
            rf"|{_ORDINAL}\s{{1,3}}(?:of\s{{1,3}})?{_MONTH}\b)",
            _I,
        ),
    ),
    # "3/4", "03/04/2026", "2026-03-04", "4.3.26" (not "4.5 stars", not "24/7").
    (
        VISIT_DATE,
        re.compile(
            r"\b(?!24/7\b)(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4}"
            r"|\d{4}-\d{1,2}-\d{1,2})\b"
        ),
    ),
    # "last Tuesday", "on Monday" (not "on Mondays": opening days), "yesterday",
    # "this morning", "last week".
    (
        VISIT_DATE,
        re.compile(
            rf"\b(?:(?:last|on|this past|that)\s{{1,3}}{_WEEKDAY}\b(?!s)|yesterday"
            rf"|this (?:morning|afternoon)|last (?:week|month|night))",
            _I,
        ),
    ),
    # "at 3pm", "at 10:30", "around 9 a.m." (not "from 8 am to 6 pm": opening hours).
    (
        VISIT_TIME,
        re.compile(
            r"\b(?:at|around|about)\s{1,3}\d{1,2}(?::\d{2}(?:\s?[ap]\.?m\.?)?|\s?[ap]\.?m\.?)"
            r"(?!\w)(?!\s{0,3}(?:-|–|to|until)\s{0,3}\d)",
            _I,
        ),
    ),
    # Phone numbers: 9 to 15 digits with the usual separators.
    (PHONE, re.compile(r"(?<![\w.])\+?\(?\d(?:[\d\s().-]{0,3}\d){8,14}(?![\w])")),
    (EMAIL, re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")),
    # "42 years old", "42-year-old", "aged 42", "in your sixties".
    (
        AGE,
        re.compile(
            r"\b(?:\d{1,3}[- ]?(?:years?|yrs?)[- ]?old|aged\s{1,3}\d{1,3}"
            r"|(?:your|his|her) (?:age|twenties|thirties|forties|fifties|sixties|seventies"
            r"|eighties|nineties))\b",
            _I,
        ),
    ),
)


def check_reply_text(text: str) -> list[PhiWarning]:
    """Every match of every rule, in text order; a span matched by several rules of
    the same code is reported once. A text longer than MAX_CHECKED_CHARS code points
    is refused (ValidationError), not checked."""
    if len(text) > MAX_CHECKED_CHARS:
        raise ValidationError(
            f"text has {len(text)} characters; at most {MAX_CHECKED_CHARS} are checked",
            field="text",
        )
    found: dict[tuple[str, int, int], PhiWarning] = {}
    for code, pattern in _RULES:
        for m in pattern.finditer(text):
            start, end = m.span()
            # A greeting rule matches the separator before it; report the words only.
            while start < end and not text[start].isalnum() and text[start] not in "+(":
                start += 1
            if start >= end:
                continue
            key = (code, start, end)
            if not any(_overlaps(key, other) for other in found):
                found[key] = PhiWarning(code, start, end, text[start:end], EXPLANATIONS[code])
    return sorted(found.values(), key=lambda w: (w.start, w.end, w.code))


def _overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
