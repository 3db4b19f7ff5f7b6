"""The visits CSV a practice hands the command line (and the web page): one visit per
line, the patient's wallet then the visit time; a header line is optional.

The time is unix seconds, or an ISO 8601 date or date-time (a date alone is midnight
UTC; a date-time without an offset is UTC). Pure: no clock, no I/O.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from eth_utils.address import to_checksum_address

from dentareview.linear_re import compile_linear

_ADDRESS: Final = compile_linear(r"0x[0-9a-fA-F]{40}")
_UNIX: Final = compile_linear(r"\d{9,11}")
_HEADER: Final = compile_linear("patient|wallet|address", ignore_case=True)
MAX_LINES: Final = 10_000


@dataclass(frozen=True)
class VisitLine:
    line: int  # 1-based line number in the file
    patient: str  # checksummed when valid, as written otherwise
    visited_at: int | None
    problem: str | None  # why the line cannot be attested, in words


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


def parse_visits_csv(text: str) -> list[VisitLine]:
    """Every visit line with its problem (None when it can be attested)."""
    lines: list[VisitLine] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for number, cells in enumerate(reader, start=1):
        cells = [cell.strip() for cell in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if not lines and not cells[0].startswith("0x") and _HEADER.search(cells[0]):
            continue  # the header
        patient = cells[0]
        visited_at = parse_time(cells[1]) if len(cells) > 1 else None
        problem = None
        if not _ADDRESS.fullmatch(patient):
            problem = "the patient's wallet is not a 0x address of 40 hex digits"
        elif visited_at is None:
            problem = "the visit time is not unix seconds or an ISO 8601 date (2026-11-20T09:30Z)"
        else:
            patient = to_checksum_address(patient)
        lines.append(VisitLine(number, patient, visited_at, problem))
        if len(lines) > MAX_LINES:
            raise ValueError(f"the file has more than {MAX_LINES} visits; split it")
    return lines
