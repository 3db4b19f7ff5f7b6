"""Storage errors that callers branch on, independent of the database driver."""

from __future__ import annotations

import re

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.exc import IntegrityError

_PG_UNIQUE_VIOLATION = "23505"
_SQLITE_UNIQUE_ERRORS = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})
_SQLITE_UNIQUE_MESSAGE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)$")


class DuplicateKey(Exception):
    """An insert hit a primary key or unique constraint; `constraint` names which."""

    def __init__(self, constraint: str) -> None:
        super().__init__(f"duplicate key violates {constraint}")
        self.constraint = constraint


class RowNotFound(LookupError):
    """An update targeted a row that does not exist."""

    def __init__(self, table: str, key: object) -> None:
        super().__init__(f"no {table} row with key {key!r}")
        self.table = table
        self.key = key


def duplicate_key_from(error: IntegrityError, table: Table) -> DuplicateKey | None:
    """The DuplicateKey behind `error`, or None if it broke another kind of constraint."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) == _PG_UNIQUE_VIOLATION:
        name = getattr(getattr(orig, "diag", None), "constraint_name", None)
        return DuplicateKey(str(name))
    if getattr(orig, "sqlite_errorname", None) in _SQLITE_UNIQUE_ERRORS:
        # SQLite reports "table.column, ..." rather than the constraint name.
        match = _SQLITE_UNIQUE_MESSAGE.search(str(orig))
        if match is None:
            return DuplicateKey(table.name)
        columns = {part.strip().split(".")[-1] for part in match["columns"].split(",")}
        return DuplicateKey(_constraint_on(table, columns))
    return None


def _constraint_on(table: Table, columns: set[str]) -> str:
    keys = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    for constraint in [table.primary_key, *keys]:
        if {column.name for column in constraint.columns} == columns and constraint.name:
            return str(constraint.name)
    return f"{table.name}({', '.join(sorted(columns))})"
