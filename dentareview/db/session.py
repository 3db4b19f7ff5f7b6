"""Engines and sessions for SQLite (development) and PostgreSQL (production)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL: Final = "sqlite:///./.dentareview/dentareview.db"
# PostgreSQL connections one process keeps open, and how many more it may open for a
# burst. A connection beyond the pool is closed when returned, and opening one costs
# more than a whole review at intake: the pool covers a busy process's concurrent
# requests (8 clients on 2 processes had some open and close one per request at 5).
POSTGRES_POOL_SIZE: Final = 16
POSTGRES_POOL_OVERFLOW: Final = 16
SQLITE_BUSY_TIMEOUT_SECONDS: Final = 30.0


def normalize_database_url(database_url: str) -> URL:
    """Parse a URL, sending bare PostgreSQL URLs to the psycopg 3 driver we ship."""
    url = make_url(database_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(database_url: str) -> Engine:
    url = normalize_database_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_OVERFLOW,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not failed on
        hide_parameters=True,  # errors (logged with their traceback) name no wallet or text
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # Sessions hop between the API's worker threads; the pool hands out one at a time.
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        hide_parameters=True,
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: object) -> None:
    # Take BEGIN away from the sqlite3 module: it skips it before SELECT and SAVEPOINT,
    # which would let a released savepoint commit on its own (see _begin_sqlite_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL lets API readers proceed while the anchoring worker writes.
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front. A deferred transaction that reads and
    # then writes fails at once ("database is locked", no busy wait) when another
    # connection committed in between; an immediate one waits its turn instead.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Rows returned by query functions stay readable after the session commits and closes.
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with factory() as session, session.begin():
        yield session
