"""Inserts and updates shared by the query modules."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dentareview.db.models import Base
from dentareview.db.storage_errors import RowNotFound, duplicate_key_from

RowT = TypeVar("RowT", bound=Base)


def add_unique(session: Session, row: RowT) -> RowT:
    """Insert `row`, raising DuplicateKey if a unique constraint refuses it.

    The insert runs in a SAVEPOINT: on PostgreSQL a failed statement aborts the whole
    transaction, and the caller's session must stay usable after a duplicate.
    """
    session.flush()  # earlier changes first, so only this row's failure is translated
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        table = row.__table__
        duplicate = duplicate_key_from(error, table) if isinstance(table, Table) else None
        if duplicate is None:
            raise
        raise duplicate from error
    return row


def get_or_raise(session: Session, model: type[RowT], key: Any) -> RowT:
    row = session.get(model, key)
    if row is None:
        raise RowNotFound(model.__tablename__, key)
    return row
