"""Registered dentists, mirrored from the registry contract."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow, NameChannel, NameDecisionRow
from dentareview.db.queries._write import get_or_raise
from dentareview.db.storage_errors import RowNotFound
from dentareview.domain.practice_names import skeleton


def get_dentist(session: Session, *, address: str) -> DentistRow | None:
    return session.get(DentistRow, address)


def upsert_dentist(
    session: Session, *, address: str, name: str, active: bool, now: int
) -> DentistRow:
    """Insert or update a dentist; `registered_at` keeps the first registration time."""
    values = {
        "address": address,
        "name": name,
        "name_skeleton": skeleton(name),
        "active": active,
        "registered_at": now,
        "updated_at": now,
    }
    changes = ("name", "name_skeleton", "active", "updated_at")
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


def dentist_with_skeleton(
    session: Session, *, name_skeleton: str, other_than: str
) -> DentistRow | None:
    """A practice, other than `other_than`, whose name has this skeleton."""
    return session.scalars(
        select(DentistRow)
        .where(DentistRow.name_skeleton == name_skeleton, DentistRow.address != other_than)
        .order_by(DentistRow.address)
        .limit(1)
    ).first()


def rename_dentist(
    session: Session,
    *,
    address: str,
    new_name: str,
    reason: str,
    decided_by: str,
    channel: NameChannel,
    now: int,
) -> NameDecisionRow:
    """Change a practice's name and record the decision, in the caller's transaction. The
    row is locked first, so two renames at once record each other's names as old."""
    row = session.get(DentistRow, address, with_for_update=True, populate_existing=True)
    if row is None:
        raise RowNotFound(DentistRow.__tablename__, address)
    decision = NameDecisionRow(
        dentist=address,
        old_name=row.name,
        new_name=new_name,
        reason=reason,
        decided_by=decided_by,
        channel=channel,
        decided_at=now,
    )
    row.name = new_name
    row.name_skeleton = skeleton(new_name)
    row.updated_at = now
    session.add(decision)
    session.flush()
    return decision


def list_name_decisions(
    session: Session, *, dentist: str | None = None, limit: int, offset: int = 0
) -> Sequence[NameDecisionRow]:
    """Name changes, newest first; one practice's when `dentist` is given."""
    query = select(NameDecisionRow)
    if dentist is not None:
        query = query.where(NameDecisionRow.dentist == dentist)
    return session.scalars(
        query.order_by(NameDecisionRow.decided_at.desc(), NameDecisionRow.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
