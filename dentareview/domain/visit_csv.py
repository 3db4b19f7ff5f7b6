"""The visits CSV a practice hands the command line (and the web page): one visit per
line, the patient's wallet then the visit time; a header line is optional.

With a header, columns are found by name (case, spaces and hyphens do not matter, other
columns are ignored): `visit_ref` (the practice system's reference for the visit, which
`visit sync` needs), `patient_account` (or patient, wallet, address), `visited_at` (or
visit_time, date), `email` (optional) and `language` (optional: the invitation email's,
a BCP 47 tag such as pl, de-DE or zh-CN, taken as the nearest page language; any other,
or none, is English). Without one, the columns are patient, time.
RFC 4180 quoting (stdlib csv).

The time is unix seconds, or an ISO 8601 date or date-time (a date alone is midnight
UTC; a date-time without an offset is UTC). Pure: no clock, no I/O.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from eth_utils.address import to_checksum_address

from dentareview.domain.languages import page_language
from dentareview.domain.visit_import import (
    Parsed,
    RowError,
    VisitRecord,
    account_or_error,
    email_or_error,
    ref_error,
)
from dentareview.linear_re import compile_linear

_ADDRESS: Final = compile_linear(r"0x[0-9a-fA-F]{40}")
_UNIX: Final = compile_linear(r"\d{9,11}")
_HEADER: Final = compile_linear("patient|wallet|address", ignore_case=True)
MAX_LINES: Final = 10_000
# Column names, normalised (lower case, "_" for spaces and hyphens), to their meaning.
COLUMNS: Final = {
    **dict.fromkeys(("visit_ref", "ref", "reference", "visit_reference"), "visit_ref"),
    **dict.fromkeys(
        ("patient_account", "patient", "account", "wallet", "address", "patient_wallet"),
        "patient_account",
    ),
    **dict.fromkeys(("visited_at", "visit_time", "time", "date", "visited"), "visited_at"),
    **dict.fromkeys(("email", "patient_email", "e_mail"), "email"),
    **dict.fromkeys(("language", "lang", "patient_language", "preferred_language"), "language"),
}
POSITIONAL: Final = ("patient_account", "visited_at")


@dataclass(frozen=True)
class VisitLine:
    line: int  # 1-based line number in the file
    patient: str  # checksummed when valid, as written otherwise
    visited_at: int | None
    problem: str | None  # why the line cannot be attested, in words
    ref: str | None = None  # visit_ref, when the file has that column
    email: str | None = None
    time_text: str = ""  # the visit time as written
    language: str | None = None  # as written


def parse_time(text: str) -> int | None:
    value = text.strip()
    if _UNIX.fullmatch(value):
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def _column_name(cell: str) -> str:
    return "_".join(cell.strip().lower().replace("-", " ").split())


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else None


def _header(cells: list[str]) -> dict[str, int] | None:
    """Each known column's index, when `cells` is a header line."""
    if any(cell.startswith("0x") for cell in cells):
        return None
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        meaning = COLUMNS.get(_column_name(cell))
        if meaning is None and index == 0 and _HEADER.search(cell):
            meaning = "patient_account"  # "Patient wallet", "Wallet address"...
        if meaning is not None and meaning not in found:
            found[meaning] = index
    return found or None


def parse_visits_csv(text: str) -> list[VisitLine]:
    """Every visit line with its problem (None when it can be attested)."""
    lines: list[VisitLine] = []
    columns: dict[str, int] = {name: index for index, name in enumerate(POSITIONAL)}
    seen_header = False
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for number, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if not lines and not seen_header and (header := _header(cells)) is not None:
            columns, seen_header = header, True
            continue

        cell = functools.partial(_cell, cells, columns)
        patient = cell("patient_account") or ""
        time_text = cell("visited_at") or ""
        visited_at = parse_time(time_text) if time_text else None
        problem = None
        if not _ADDRESS.fullmatch(patient):
            problem = "the patient's wallet is not a 0x address of 40 hex digits"
        elif visited_at is None:
            problem = "the visit time is not unix seconds or an ISO 8601 date (2026-11-20T09:30Z)"
        else:
            patient = to_checksum_address(patient)
        ref = cell("visit_ref") if "visit_ref" in columns else None
        lines.append(
            VisitLine(
                number,
                patient,
                visited_at,
                problem,
                ref,
                cell("email"),
                time_text,
                cell("language"),
            )
        )
        if len(lines) > MAX_LINES:
            raise ValueError(f"the file has more than {MAX_LINES} visits; split it")
    return lines


def records_from_csv(lines: list[VisitLine]) -> Parsed:
    """The visits `visit sync` imports: every line needs a visit_ref, an account and a
    time; each problem is named by line and column."""
    if any(line.ref is None for line in lines):
        said = "the file has no visit_ref column: a header line must name it"
        return Parsed([], [RowError("header", "visit_ref", said)], [])
    records: list[VisitRecord] = []
    errors: list[RowError] = []
    for line in lines:
        where = f"line {line.line}"
        problems: list[RowError] = []
        if line.ref is not None and (bad_ref := ref_error(line.ref, where, "visit_ref")):
            problems.append(bad_ref)
        account = account_or_error(line.patient, where, "patient_account")
        email = email_or_error(line.email, where, "email")
        if line.visited_at is None:
            said = "missing" if not line.time_text else f"not a date or time: {line.time_text!r}"
            problems.append(RowError(where, "visited_at", f"{said} (ISO 8601, 2026-11-20T09:30Z)"))
        problems += [value for value in (account, email) if isinstance(value, RowError)]
        if problems:
            errors += problems
            continue
        assert isinstance(account, str) and not isinstance(email, RowError)
        assert line.ref is not None and line.visited_at is not None
        language = page_language(line.language)
        records.append(VisitRecord(where, line.ref, account, line.visited_at, email, language))
    return Parsed(records, errors, skipped=[])
