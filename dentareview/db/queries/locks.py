"""Locks for check-then-act sequences that constraints cannot cover.

PostgreSQL uses advisory locks: the patient lock ends with its transaction, the
relayer lock is held by a connection until released. On SQLite the patient lock is a
no-op (transactions begin IMMEDIATE, so writers already take turns), and the relayer
lock is an exclusive lock on a file beside the database: SQLite lives on one machine,
and the operating system drops the lock with the process that held it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from typing import Final

from sqlalchemy import ColumnElement, Connection, func, select
from sqlalchemy.orm import Session

# First keys of the two-key advisory locks, so ours cannot clash with another app's
# or with each other.
_PATIENT_LOCKS: Final = 0x44525061  # "DRPa"
_RELAYER_LOCKS: Final = 0x44525265  # "DRRe"
_WORKER_LOCKS: Final = 0x44525777  # "DRWw"


def _key(address: str) -> int:
    # Hashed, not sliced: vanity addresses share leading bytes. A rare shared key only
    # makes two patients wait in turn.
    digest = hashlib.blake2b(address.lower().encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def patient_lock(patient: ColumnElement[str] | str) -> ColumnElement[object]:
    """The SQL expression that waits for, then holds, the patient's lock (PostgreSQL):
    keyed in SQL, so a query can take the lock of a patient it reads."""
    return func.pg_advisory_xact_lock(_PATIENT_LOCKS, func.hashtext(func.lower(patient)))


def lock_patient(session: Session, *, patient: str) -> None:
    """Wait for, then hold, the patient's lock: reward-limit checks read past rewarded
    reviews and then insert, and two concurrent reviews must not both pass."""
    if _is_postgresql(session):
        session.execute(select(patient_lock(patient)))


# Open lock files of this process, by path: flock locks belong to the open file, so a
# second worker thread of the same process must be refused here, not by the kernel.
_file_locks: dict[str, int] = {}
_file_locks_guard = threading.Lock()


def _lock_file_path(connection: Connection, suffix: str = ".relay-lock") -> str | None:
    database = connection.engine.url.database
    if not database or database == ":memory:":
        return None  # an in-memory database lives in one process: nothing to share
    return os.path.abspath(database) + suffix


def _try_file_lock(path: str) -> bool:
    with _file_locks_guard:
        if path in _file_locks:
            return False
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        _file_locks[path] = fd
        return True


def _release_file_lock(path: str) -> None:
    with _file_locks_guard:
        fd = _file_locks.pop(path, None)
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def try_relayer_lock(connection: Connection) -> bool:
    """Try to become the one relaying process; False at once if another holds it.

    Held by a dedicated connection across the caller's commits, until released.

    The anchorer commits mid-pass (its write-ahead record of signed transactions), so
    a transaction-scoped lock would let a second process in between. If the process
    dies, the database drops the connection and with it the lock.
    """
    if connection.dialect.name != "postgresql":
        path = _lock_file_path(connection)
        return True if path is None else _try_file_lock(path)
    locked = bool(
        connection.scalar(select(func.pg_try_advisory_lock(_RELAYER_LOCKS, _schema_key())))
    )
    connection.commit()
    return locked


def release_relayer_lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_unlock(_RELAYER_LOCKS, _schema_key())))
        connection.commit()
        return
    path = _lock_file_path(connection)
    if path is not None:
        _release_file_lock(path)


def try_worker_lock(connection: Connection) -> bool:
    """Try to become the one active anchoring worker (the others stand by); False at
    once if another process is. Held by `connection` until released or until the
    process (or its connection) dies, which lets a standby take over."""
    if connection.dialect.name != "postgresql":
        path = _lock_file_path(connection, ".worker-lock")
        return True if path is None else _try_file_lock(path)
    locked = bool(
        connection.scalar(select(func.pg_try_advisory_lock(_WORKER_LOCKS, _schema_key())))
    )
    connection.commit()
    return locked


def release_worker_lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_unlock(_WORKER_LOCKS, _schema_key())))
        connection.commit()
        return
    path = _lock_file_path(connection, ".worker-lock")
    if path is not None:
        _release_file_lock(path)


def _schema_key() -> ColumnElement[int]:
    # Advisory locks are per database; keyed by schema, two deployments sharing one
    # database (one schema each) relay independently.
    return func.hashtext(func.current_schema())
