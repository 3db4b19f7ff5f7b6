"""Visits from an R4 Bundle and the sync CSV: finished Encounters and fulfilled
Appointments taken, other statuses left out and listed, every bad entry named with its
field, visit ids stable across runs."""

from __future__ import annotations

import json
from pathlib import Path

from eth_utils.crypto import keccak

from dentareview.domain.fhir_visits import parse_fhir_bundle
from dentareview.domain.visit_csv import parse_visits_csv, records_from_csv
from dentareview.domain.visit_import import NO_ACCOUNT, plan_visits

FIXTURES = Path(__file__).parent / "fixtures"
DENTIST = "0x" + "11" * 20
ACCOUNT_1 = "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
NOW = 1_800_000_000  # 2027-01-15


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_a_day_bundle_gives_its_finished_and_fulfilled_visits() -> None:
    parsed = parse_fhir_bundle(read("day_bundle.json"))
    assert parsed.errors == []
    encounter, appointment = parsed.records
    assert encounter.ref == "Encounter?http://clinic.example/encounters|ENC-e1"
    assert encounter.patient == ACCOUNT_1
    assert encounter.visited_at == 1793611800  # period.end 2026-11-02T09:30:00Z
    assert encounter.email == "pat.one@example.org"
    assert appointment.ref == "Appointment/a1"  # no identifier: its id
    assert appointment.visited_at == 1793713500  # end 2026-11-03T14:45:00+01:00
    assert appointment.email is None
    assert parsed.skipped == [
        "entry 6 (Encounter/e2): status planned, not finished",
        "entry 7 (Appointment/a2): status cancelled, not fulfilled",
    ]


def test_visit_ids_are_stable_and_bound_to_the_practice() -> None:
    records = parse_fhir_bundle(read("day_bundle.json")).records
    first, errors = plan_visits(records, dentist=DENTIST, now=NOW)
    again, _ = plan_visits(
        parse_fhir_bundle(read("day_bundle.json")).records, dentist=DENTIST, now=NOW
    )
    assert errors == []
    assert [p.visit.visit_id for p in first] == [p.visit.visit_id for p in again]
    expected = keccak(bytes.fromhex("11" * 20) + records[0].ref.encode())
    assert first[0].visit.visit_id == expected
    other, _ = plan_visits(records, dentist="0x" + "22" * 20, now=NOW)
    assert other[0].visit.visit_id != first[0].visit.visit_id


def test_every_bad_entry_is_named_with_its_field() -> None:
    parsed = parse_fhir_bundle(read("bad_bundle.json"))
    said = [str(error) for error in parsed.errors]
    assert said == [
        "entry 3 (Encounter/e1), period.end: missing: when the visit ended",
        f"entry 4 (Encounter/e2), patient Patient/p3, identifier: {NO_ACCOUNT}",
        f"entry 5 (Encounter/e3), subject: {NO_ACCOUNT}",
        "entry 6 (Encounter/e4), status: not an R4 Encounter status: done",
    ]
    assert parsed.records == []
    assert parsed.skipped == ["entry 7 (Encounter/e5): status cancelled, not finished"]


def test_schema_errors_name_the_entry_and_field() -> None:
    bundle = json.loads(read("day_bundle.json"))
    del bundle["entry"][3]["resource"]["class"]  # required in R4 (a list in R5)
    bundle["entry"][4]["resource"]["end"] = "tomorrow"
    parsed = parse_fhir_bundle(json.dumps(bundle))
    fields = {(error.where, error.field) for error in parsed.errors}
    assert ("entry 4", "class") in fields
    assert ("entry 5", "end") in fields
    assert parsed.records == []


def test_not_a_bundle() -> None:
    assert str(parse_fhir_bundle("{").errors[0]).startswith("bundle, json: not JSON")
    patient = json.dumps({"resourceType": "Patient"})
    assert str(parse_fhir_bundle(patient).errors[0]) == "bundle, resourceType: not a FHIR Bundle"


def test_future_visits_and_repeated_visits_are_refused() -> None:
    bundle = json.loads(read("day_bundle.json"))
    bundle["entry"][5]["resource"]["status"] = "finished"  # e2 with e1's identifier
    bundle["entry"][5]["resource"]["identifier"] = bundle["entry"][3]["resource"]["identifier"]
    records = parse_fhir_bundle(json.dumps(bundle)).records
    _, errors = plan_visits(records, dentist=DENTIST, now=1793700000)
    assert [str(error) for error in errors] == [
        "entry 5 (Appointment/a1), visited_at: the visit is in the future",
        "entry 6 (Encounter/e2), visit: the same visit as entry 4 (Encounter/e1) "
        "(Encounter?http://clinic.example/encounters|ENC-e1)",
    ]


def test_sync_csv_columns_by_header_in_any_case_and_order() -> None:
    text = (
        " Email , VISIT REF,Visited-At,Patient Account\n"
        f"pat@example.org,A-1,2026-11-02T09:30:00Z,{ACCOUNT_1.lower()}\n"
        f',"A-2, chair 3",1793611800,{ACCOUNT_1}\n'
    )
    parsed = records_from_csv(parse_visits_csv(text))
    assert parsed.errors == []
    one, two = parsed.records
    assert (one.ref, one.patient, one.visited_at, one.email) == (
        "A-1",
        ACCOUNT_1,
        1793611800,
        "pat@example.org",
    )
    assert (two.ref, two.email) == ("A-2, chair 3", None)


def test_sync_csv_reports_every_bad_line_and_field() -> None:
    text = (
        "visit_ref,patient_account,visited_at,email\n"
        f"A-1,{ACCOUNT_1},2026-11-02,pat@example.org\n"
        f",{ACCOUNT_1},2026-11-02,\n"
        "A-3,,2026-11-02,\n"
        f"A-4,{ACCOUNT_1},soon,\n"
        f"A-5,{ACCOUNT_1},2026-11-02,not an email\n"
        f"A-1,{ACCOUNT_1},2026-11-03,\n"
        f"A-7,{ACCOUNT_1},2099-01-01,\n"
    )
    parsed = records_from_csv(parse_visits_csv(text))
    assert [str(error) for error in parsed.errors] == [
        "line 3, visit_ref: missing: the visit's reference in the practice system",
        f"line 4, patient_account: {NO_ACCOUNT}",
        "line 5, visited_at: not a date or time: 'soon' (ISO 8601, 2026-11-20T09:30Z)",
        "line 6, email: not an email address",
    ]
    _, errors = plan_visits(parsed.records, dentist=DENTIST, now=NOW)
    assert [str(error) for error in errors] == [
        "line 7, visit: the same visit as line 2 (A-1)",
        "line 8, visited_at: the visit is in the future",
    ]


def test_a_csv_without_visit_ref_cannot_be_synced() -> None:
    parsed = records_from_csv(parse_visits_csv(f"patient,visited_at\n{ACCOUNT_1},2026-11-02\n"))
    assert [str(error) for error in parsed.errors] == [
        "header, visit_ref: the file has no visit_ref column: a header line must name it"
    ]
