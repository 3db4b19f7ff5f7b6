"""CSV that a spreadsheet opens as data, never as formulas (CSV injection).

OWASP's rule: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return,
also after leading spaces or quotes (spreadsheets skip them), gets a leading `'`, which
spreadsheets show as text, and such a cell is quoted; every cell is quoted wherever a
separator, quote or line break in it could start a new cell. Numbers are written as
numbers: a negative number is data, and a value we computed cannot be a formula.

No tool of ours reads these files back (the visits CSV the command line reads is the
practice's own input, not its output), so nothing has to undo the `'`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Final, TextIO

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_SKIPPED: Final = " \t\r\n\"'"

Cell = str | int | float | None


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.lstrip(_SKIPPED).startswith(FORMULA_STARTS)


def escape_cell(text: str) -> str:
    """The text as a spreadsheet shows it literally: `'` before formula-like text."""
    return "'" + text if is_formula_like(text) else text


def _field(cell: Cell) -> str:
    """One cell as CSV: quoted by the csv module where needed, and always when escaped."""
    if cell is None or cell == "":
        return ""
    escaped = isinstance(cell, str) and is_formula_like(cell)
    text = "'" + str(cell) if escaped else str(cell)
    out = io.StringIO()
    if escaped:
        csv.writer(out, lineterminator="", quoting=csv.QUOTE_ALL).writerow([text])
    else:
        csv.writer(out, lineterminator="").writerow([text])
    return out.getvalue()


def write_csv(out: TextIO, rows: Iterable[Sequence[Cell]]) -> None:
    """Each row on a line; text escaped (and then quoted), numbers as they are, None empty."""
    for row in rows:
        out.write(",".join(_field(cell) for cell in row) + "\n")
