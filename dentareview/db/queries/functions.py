"""SQL functions that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class utc_month(FunctionElement[str]):  # noqa: N801 - lower case like other SQL functions
    """The UTC calendar month, "YYYY-MM", of a unix-seconds column."""

    type = String()
    inherit_cache = True
    name = "utc_month"


# The format strings are literal SQL, not bound parameters, so the same expression in
# SELECT and GROUP BY compiles to identical text (PostgreSQL requires that).
@compiles(utc_month, "sqlite")
def _utc_month_sqlite(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)}, 'unixepoch')"


@compiles(utc_month, "postgresql")
def _utc_month_postgresql(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    seconds = compiler.process(element.clauses, **kw)
    return f"to_char(to_timestamp({seconds}) AT TIME ZONE 'UTC', 'YYYY-MM')"


@compiles(utc_month)
def _utc_month_other(element: utc_month, compiler: SQLCompiler, **kw: Any) -> str:
    raise CompileError(f"utc_month is not implemented for {compiler.dialect.name}")
