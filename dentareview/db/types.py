"""Column types with behaviour the stock SQLAlchemy types lack."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

TOKEN_AMOUNT_DIGITS = 78  # a uint256 has at most 78 decimal digits


class TokenAmount(TypeDecorator[int]):
    """A uint256 token amount as a Python int.

    PostgreSQL stores NUMERIC(78, 0). SQLite integers stop at 2**63 and its NUMERIC
    falls back to lossy floats beyond that, so there the exact decimal text is stored.
    """

    impl = Numeric(TOKEN_AMOUNT_DIGITS, 0)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(TOKEN_AMOUNT_DIGITS))
        return dialect.type_descriptor(Numeric(TOKEN_AMOUNT_DIGITS, 0))

    def process_bind_param(self, value: int | None, dialect: Dialect) -> object:
        if value is None:
            return None
        if value < 0:
            raise ValueError(f"token amount must not be negative: {value}")
        return str(value) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: object, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if isinstance(value, (int, str, Decimal)):
            return int(value)
        raise TypeError(f"unexpected stored token amount: {value!r}")
