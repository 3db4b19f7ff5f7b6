"""Engine settings: URL handling, SQLite pragmas and transactions, session_scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.models import DentistRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.visits import insert_visit
from dentareview.db.session import make_engine, normalize_database_url, session_scope
from tests.db.helpers import SIGNATURE, add_dentist, address, bytes32

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_postgresql_urls_use_psycopg(given: str, driver: str) -> None:
    assert normalize_database_url(given).drivername == driver


def test_sqlite_file_gets_its_directory(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a' / 'b' / 'db.sqlite'}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    engine.dispose()
    assert (tmp_path / "a" / "b" / "db.sqlite").is_file()


@sqlite_only
def test_sqlite_enforces_foreign_keys_and_uses_wal(engine: Engine, session: Session) -> None:
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(IntegrityError):
        insert_visit(
            session,
            visit_id=bytes32(1),
            patient=address(1),
            dentist=address(2),  # not a registered dentist
            visited_at=1,
            signature=SIGNATURE,
            now=1,
        )


def test_rollback_undoes_a_released_savepoint(sessions: sessionmaker[Session]) -> None:
    # On SQLite this needs our own BEGIN: the driver's would let the savepoint commit alone.
    with sessions() as session:
        with session.begin_nested():
            add_dentist(session, 1)
        session.rollback()
    with sessions() as session:
        assert session.scalars(select(DentistRow)).all() == []


def test_session_scope_commits_or_rolls_back(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        dentist = add_dentist(session, 1)
    with pytest.raises(RuntimeError), session_scope(sessions) as session:
        add_dentist(session, 2)
        raise RuntimeError("boom")
    with session_scope(sessions) as session:
        assert get_dentist(session, address=dentist) is not None
        assert get_dentist(session, address=address(0xDE0000 + 2)) is None


def test_rows_stay_readable_after_the_session_closes(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        dentist = add_dentist(session, 1)
        row = get_dentist(session, address=dentist)
    assert row is not None and row.name == "Dr. 1"
