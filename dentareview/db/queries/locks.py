"""Locks for check-then-act sequences that constraints cannot cover.

PostgreSQL uses advisory locks: the patient lock ends with its transaction, the
relayer lock is held by a connection until released. SQLite gets no-ops: its
transactions begin IMMEDIATE, so writers already take turns.
"""

from __future__ import annotations

import hashlib
from typing import Final

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import Session

# First keys of the two-key advisory locks, so ours cannot clash with another app's
# or with each other.
_PATIENT_LOCKS: Final = 0x44525061  # "DRPa"
_RELAYER_LOCKS: Final = 0x44525265  # "DRRe"


def _key(address: str) -> int:
    # Hashed, not sliced: vanity addresses share leading bytes. A rare shared key only
    # makes two patients wait in turn.
    digest = hashlib.blake2b(address.lower().encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def lock_patient(session: Session, *, patient: str) -> None:
    """Wait for, then hold, the patient's lock: reward-limit checks read past rewarded
    reviews and then insert, and two concurrent reviews must not both pass."""
    if _is_postgresql(session):
        session.execute(select(func.pg_advisory_xact_lock(_PATIENT_LOCKS, _key(patient))))


def try_relayer_lock(connection: Connection) -> bool:
    """Try to become the one relaying process; False at once if another holds it.

    Held by a dedicated connection across the caller's commits, until released.

    The anchorer commits mid-pass (its write-ahead record of signed transactions), so
    a transaction-scoped lock would let a second process in between. If the process
    dies, the database drops the connection and with it the lock.
    """
    if connection.dialect.name != "postgresql":
        return True
    locked = bool(
        connection.scalar(select(func.pg_try_advisory_lock(_RELAYER_LOCKS, _schema_key())))
    )
    connection.commit()
    return locked


def release_relayer_lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_unlock(_RELAYER_LOCKS, _schema_key())))
        connection.commit()


def _schema_key() -> ColumnElement[int]:
    # Advisory locks are per database; keyed by schema, two deployments sharing one
    # database (one schema each) relay independently.
    return func.hashtext(func.current_schema())
