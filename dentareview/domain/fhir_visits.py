"""Visits from a FHIR R4 Bundle: each finished Encounter and fulfilled Appointment.

Parsed with `fhir.resources`' R4B models (`fhir.resources.R4B`): the package's top-level
models are R5, where Encounter changed shape (its `class` became a list, its `status`
codes changed), while R4B kept R4's Encounter, Appointment, Patient and Bundle as they
were, so an R4 Bundle validates against R4B as written.

The patient's DentaReview account is the Patient's identifier of system
`https://dentareview.org/fhir/account` (a wallet or a passkey account's address); a
patient without one is reported, never guessed. The visit time is the Encounter's
`period.end` (else `period.start`) or the Appointment's `end` (else `start`); the
optional email is the Patient's `telecom` of system `email`, and the invitation's
language its `communication`: the preferred one when it is a page language, else the
first that is (domain/languages: "pl", "de-DE", "zh-CN"...); none of them is English,
never an error. Other statuses are left out and listed; a status outside R4's codes is
an error. Pure: no clock, no I/O.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Final

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.reference import Reference
from pydantic import ValidationError as PydanticError

from dentareview.domain.languages import PageLanguage, page_language
from dentareview.domain.visit_import import (
    NO_ACCOUNT,
    Parsed,
    RowError,
    VisitRecord,
    account_or_error,
    email_or_error,
    ref_error,
)

ACCOUNT_SYSTEM: Final = "https://dentareview.org/fhir/account"
MAX_ENTRIES: Final = 50_000
# R4's value sets (encounter-status, appointmentstatus): the one status that is a visit
# done, and those that are not (left out, listed).
DONE: Final = {"Encounter": "finished", "Appointment": "fulfilled"}
STATUSES: Final = {
    "Encounter": frozenset(
        [
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        ]
    ),
    "Appointment": frozenset(
        [
            "proposed",
            "pending",
            "booked",
            "arrived",
            "fulfilled",
            "cancelled",
            "noshow",
            "entered-in-error",
            "checked-in",
            "waitlist",
        ]
    ),
}


def _where(index: int, resource: object) -> str:
    kind = type(resource).__name__
    ident = getattr(resource, "id", None)
    return f"entry {index + 1} ({kind}/{ident})" if ident else f"entry {index + 1} ({kind})"


def _schema_errors(error: PydanticError) -> list[RowError]:
    """The model's complaints, each named by its 1-based entry and the field's path."""
    found: list[RowError] = []
    for problem in error.errors():
        location = list(problem["loc"])
        where = "bundle"
        if len(location) >= 2 and location[0] == "entry" and isinstance(location[1], int):
            where = f"entry {location[1] + 1}"
            location = location[2:]
            if location[:1] == ["resource"]:
                location = location[1:]
        field = ".".join(str(part) for part in location) or "resource"
        found.append(RowError(where, field, str(problem["msg"])))
    return found


def _unix(moment: object) -> int | None:
    if not isinstance(moment, datetime):
        return None  # a date alone says no time of day; FHIR's instant always has one
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _reference_key(identifier: Identifier) -> str | None:
    if identifier.value is None:
        return None
    return f"{identifier.system or ''}|{identifier.value}"


def visit_ref(resource: Encounter | Appointment) -> str | None:
    """The visit's stable reference: its first business identifier, else its id."""
    kind = type(resource).__name__
    for identifier in resource.identifier or []:
        if (key := _reference_key(identifier)) is not None:
            return f"{kind}?{key}"
    return f"{kind}/{resource.id}" if resource.id else None


def _patients(bundle: Bundle) -> dict[str, Patient]:
    """Each Patient by every name a reference may give it: fullUrl and Patient/<id>."""
    found: dict[str, Patient] = {}
    for entry in bundle.entry or []:
        if isinstance(entry.resource, Patient):
            if entry.fullUrl:
                found[str(entry.fullUrl)] = entry.resource
            if entry.resource.id:
                found[f"Patient/{entry.resource.id}"] = entry.resource
    return found


def _subject(resource: Encounter | Appointment) -> Reference | None:
    if isinstance(resource, Encounter):
        return resource.subject
    for participant in resource.participant or []:
        actor = participant.actor
        if actor is not None and (
            actor.type == "Patient" or (actor.reference or "").startswith("Patient/")
        ):
            return actor
    for participant in resource.participant or []:  # a urn:uuid: reference to a Patient
        if participant.actor is not None and (participant.actor.reference or "").startswith("urn:"):
            return participant.actor
    return None


def _account(patient: Patient) -> str | None:
    for identifier in patient.identifier or []:
        if identifier.system == ACCOUNT_SYSTEM and identifier.value:
            return str(identifier.value)
    return None


def _email(patient: Patient) -> str | None:
    for telecom in patient.telecom or []:
        if telecom.system == "email" and telecom.value:
            return str(telecom.value)
    return None


def _language(patient: Patient) -> PageLanguage | None:
    """The preferred communication language if it is a page language, else the first
    communication language that is one (each by its codings' BCP 47 codes)."""
    first: PageLanguage | None = None
    for communication in patient.communication or []:
        codes = (coding.code for coding in communication.language.coding or [])
        language = next((found for code in codes if (found := page_language(code))), None)
        if language is not None and communication.preferred:
            return language
        first = first or language
    return first


def _visit_time(resource: Encounter | Appointment) -> object:
    if isinstance(resource, Encounter):
        period = resource.period
        return None if period is None else (period.end or period.start)
    return resource.end or resource.start


def _record(
    where: str, resource: Encounter | Appointment, patients: dict[str, Patient]
) -> VisitRecord | list[RowError]:
    errors: list[RowError] = []
    ref = visit_ref(resource) or ""
    if (bad_ref := ref_error(ref, where, "identifier")) is not None:
        errors.append(bad_ref)
    time_field = "period.end" if isinstance(resource, Encounter) else "end"
    visited_at = _unix(_visit_time(resource))
    if visited_at is None:
        errors.append(RowError(where, time_field, "missing: when the visit ended"))
    subject = _subject(resource)
    subject_field = "subject" if isinstance(resource, Encounter) else "participant.actor"
    patient = patients.get(subject.reference or "") if subject is not None else None
    account: str | RowError
    email: str | None | RowError = None
    language: PageLanguage | None = None
    if subject is None:
        account = RowError(where, subject_field, "missing: the patient")
    elif patient is None:
        # A reference to no Patient of the Bundle, or a logical identifier only.
        account = RowError(where, subject_field, NO_ACCOUNT)
    else:
        patient_where = f"{where}, patient {subject.reference}"
        account = account_or_error(_account(patient), patient_where, "identifier")
        email = email_or_error(_email(patient), patient_where, "telecom")
        language = _language(patient)
    errors += [value for value in (account, email) if isinstance(value, RowError)]
    if errors:
        return errors
    assert isinstance(account, str) and not isinstance(email, RowError)
    assert visited_at is not None
    return VisitRecord(where, ref, account, visited_at, email, language)


def parse_fhir_bundle(text: str) -> Parsed:
    """The visits of an R4 Bundle (JSON), every problem named by its entry."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        return Parsed([], [RowError("bundle", "json", f"not JSON: {error}")], [])
    if not isinstance(raw, dict) or raw.get("resourceType") != "Bundle":
        return Parsed([], [RowError("bundle", "resourceType", "not a FHIR Bundle")], [])
    if len(raw.get("entry") or []) > MAX_ENTRIES:
        return Parsed([], [RowError("bundle", "entry", f"more than {MAX_ENTRIES} entries")], [])
    try:
        bundle = Bundle.model_validate(raw)
    except PydanticError as error:
        return Parsed([], _schema_errors(error), [])
    patients = _patients(bundle)
    records: list[VisitRecord] = []
    errors: list[RowError] = []
    skipped: list[str] = []
    for index, entry in enumerate(bundle.entry or []):
        resource = entry.resource
        if not isinstance(resource, Encounter | Appointment):
            continue
        kind = type(resource).__name__
        where = _where(index, resource)
        if resource.status not in STATUSES[kind]:
            errors.append(RowError(where, "status", f"not an R4 {kind} status: {resource.status}"))
            continue
        if resource.status != DONE[kind]:
            skipped.append(f"{where}: status {resource.status}, not {DONE[kind]}")
            continue
        record = _record(where, resource, patients)
        if isinstance(record, list):
            errors += record
        else:
            records.append(record)
    return Parsed(records, errors, skipped)
