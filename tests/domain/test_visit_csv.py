"""The visits CSV: header optional, times in three forms, each bad line said in words."""

from __future__ import annotations

from dentareview.domain.visit_csv import parse_time, parse_visits_csv

PATIENT = "0x" + "ab" * 20


def test_times_in_unix_seconds_iso_date_time_and_date() -> None:
    assert parse_time("1793525400") == 1793525400
    assert parse_time("2026-11-01T09:30:00Z") == 1793525400
    assert parse_time("2026-11-01T10:30:00+01:00") == 1793525400
    assert parse_time("2026-11-01T09:30") == 1793525400  # no offset: UTC
    assert parse_time("2026-11-02") == 1793577600
    assert parse_time("yesterday") is None
    assert parse_time("") is None


def test_header_comments_and_blank_lines_are_skipped() -> None:
    lines = parse_visits_csv(f"\ufeffpatient,visited_at\n\n# note\n{PATIENT},1793525400\n")
    assert len(lines) == 1
    assert lines[0].line == 4
    assert lines[0].patient == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"
    assert lines[0].visited_at == 1793525400 and lines[0].problem is None


def test_bad_lines_keep_their_number_and_reason() -> None:
    lines = parse_visits_csv(f"0x1234,2026-11-01\n{PATIENT},soon\n{PATIENT}\n")
    assert [line.line for line in lines] == [1, 2, 3]
    assert lines[0].problem is not None and "0x address" in lines[0].problem
    assert lines[1].problem is not None and "visit time" in lines[1].problem
    assert lines[2].problem is not None and "visit time" in lines[2].problem
