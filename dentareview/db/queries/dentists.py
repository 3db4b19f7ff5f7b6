"""Registered dentists, mirrored from the registry contract."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow
from dentareview.db.queries._write import get_or_raise


def get_dentist(session: Session, *, address: str) -> DentistRow | None:
    return session.get(DentistRow, address)


def upsert_dentist(
    session: Session, *, address: str, name: str, active: bool, now: int
) -> DentistRow:
    """Insert or update a dentist; `registered_at` keeps the first registration time."""
    values = {
        "address": address,
        "name": name,
        "active": active,
        "registered_at": now,
        "updated_at": now,
    }
    changes = ("name", "active", "updated_at")
    # A native upsert, so two concurrent registrations cannot collide on the primary key.
    if session.get_bind().dialect.name == "postgresql":
        pg_insert = postgresql.insert(DentistRow).values(values)
        session.execute(
            pg_insert.on_conflict_do_update(
                index_elements=[DentistRow.address],
                set_={column: pg_insert.excluded[column] for column in changes},
            )
        )
    else:
        lite_insert = sqlite.insert(DentistRow).values(values)
        session.execute(
            lite_insert.on_conflict_do_update(
                index_elements=[DentistRow.address],
                set_={column: lite_insert.excluded[column] for column in changes},
            )
        )
    # populate_existing: the identity map may hold the row as it was before the upsert.
    row = session.get(DentistRow, address, populate_existing=True)
    assert row is not None, "the upsert just wrote this row"
    return row


def set_dentist_active(session: Session, *, address: str, active: bool, now: int) -> DentistRow:
    row = get_or_raise(session, DentistRow, address)
    row.active = active
    row.updated_at = now
    return row
