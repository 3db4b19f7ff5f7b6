"""Visits from a practice's system (a FHIR Bundle or a CSV), before they are signed.

Each source is parsed into `VisitRecord`s and `RowError`s; `plan_visits` then checks the
file as a whole (no visit in the future, no visit twice) and gives each record its
`Visit`. Every error names where it is (a CSV line, a Bundle entry) and the field, and
all of them are reported together: a file with any error imports nothing.

The visitId is derived, so the same file gives the same ids every time it is read
(re-running it adds nothing):

    visitId = keccak256(dentist's 20 address bytes || UTF-8 of the visit's reference)

The reference is the practice system's own name for the visit: the CSV's `visit_ref`,
or a FHIR resource's business identifier (`Encounter?<system>|<value>`) or else its id
(`Encounter/<id>`). It carries no personal data, and neither does the hash.
Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from dentareview.domain.languages import PageLanguage
from dentareview.domain.models import Visit, parse_address
from dentareview.errors import ValidationError
from dentareview.linear_re import compile_linear

# Enough to catch a phone number or a name in the email column; delivery says the rest.
EMAIL: Final = compile_linear(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
EMAIL_MAX: Final = 254
REF_MAX: Final = 200
MAX_VISITS: Final = 500  # per import: a busy practice's day, in one transaction
NO_ACCOUNT: Final = (
    "no DentaReview account for this patient; ask them to check in with their phone "
    "or give their wallet address"
)


@dataclass(frozen=True)
class RowError:
    where: str  # "line 7", "entry 3 (Encounter/e1)"
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}, {self.field}: {self.message}"


@dataclass(frozen=True)
class VisitRecord:
    where: str
    ref: str  # the practice system's reference for the visit
    patient: str  # checksummed account address
    visited_at: int
    email: str | None
    language: PageLanguage | None = None  # the invitation email's; None: English


@dataclass(frozen=True)
class PlannedVisit:
    record: VisitRecord
    visit: Visit


@dataclass(frozen=True)
class Parsed:
    """What a file holds: the visits, the errors, and what was left out on purpose."""

    records: list[VisitRecord]
    errors: list[RowError]
    skipped: list[str]  # "entry 5 (Encounter/e9): status planned, not finished"


def account_or_error(value: str | None, where: str, field: str) -> str | RowError:
    """The patient's account, checksummed; never guessed."""
    if value is None or not value.strip():
        return RowError(where, field, NO_ACCOUNT)
    try:
        return parse_address(value.strip(), field)
    except ValidationError:
        return RowError(
            where, field, "not an account address (0x and 40 hex digits, checksum right)"
        )


def email_or_error(value: str | None, where: str, field: str) -> str | None | RowError:
    if value is None or not value.strip():
        return None
    email = value.strip()
    if len(email) > EMAIL_MAX or not EMAIL.fullmatch(email):
        return RowError(where, field, "not an email address")
    return email


def ref_error(ref: str, where: str, field: str) -> RowError | None:
    if not ref:
        return RowError(where, field, "missing: the visit's reference in the practice system")
    if len(ref) > REF_MAX:
        return RowError(where, field, f"longer than {REF_MAX} characters")
    return None


def derive_visit_id(dentist: str, ref: str) -> bytes:
    return bytes(keccak(bytes.fromhex(to_checksum_address(dentist)[2:]) + ref.encode()))


def plan_visits(
    records: list[VisitRecord], *, dentist: str, now: int
) -> tuple[list[PlannedVisit], list[RowError]]:
    """Each record's Visit by `dentist`, and what forbids the file as a whole."""
    errors: list[RowError] = []
    first: dict[str, str] = {}  # each reference's first place in the file
    planned: list[PlannedVisit] = []
    for record in records:
        if record.ref in first:
            said = f"the same visit as {first[record.ref]} ({record.ref})"
            errors.append(RowError(record.where, "visit", said))
            continue
        first[record.ref] = record.where
        if record.visited_at < 0:
            errors.append(RowError(record.where, "visited_at", "before 1970"))
            continue
        if record.visited_at > now:
            errors.append(RowError(record.where, "visited_at", "the visit is in the future"))
            continue
        if record.patient == to_checksum_address(dentist):
            errors.append(RowError(record.where, "patient", "the patient is the dentist"))
            continue
        visit = Visit(
            visit_id=derive_visit_id(dentist, record.ref),
            patient=record.patient,
            dentist=to_checksum_address(dentist),
            visited_at=record.visited_at,
        )
        planned.append(PlannedVisit(record, visit))
    return planned, errors
