"""Real databases for tests: a temporary SQLite file, or a throwaway PostgreSQL schema.

PostgreSQL comes from DENTAREVIEW_TEST_POSTGRES_URL (default: the local `test` database).
When it is unreachable the tests that need it are skipped, except under CI, where they fail.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from dentareview.db.session import normalize_database_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DatabaseKind = Literal["sqlite", "postgresql"]


def postgres_base_url() -> str:
    return os.environ.get("DENTAREVIEW_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@functools.cache
def _postgres_problem(url: str) -> str | None:
    """Why PostgreSQL at `url` cannot be used, or None; probed once per test run."""
    engine = create_engine(
        normalize_database_url(url), poolclass=NullPool, connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return str(getattr(error, "orig", None) or error).strip()
    finally:
        engine.dispose()
    return None


def postgres_url_or_skip() -> str:
    """The PostgreSQL test URL; skips the test if unreachable (fails it when CI is set)."""
    url = postgres_base_url()
    problem = _postgres_problem(url)
    if problem is not None:
        shown = normalize_database_url(url).render_as_string(hide_password=True)
        message = f"PostgreSQL not reachable at {shown}: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose connections see only a new, empty schema, dropped afterwards.

    Other runs may share the database, so each gets its own schema rather than
    dropping tables. Connections are tagged with the schema name so any left open
    can be ended before the schema is dropped.
    """
    base = normalize_database_url(postgres_url_or_skip())
    schema = f"dentareview_test_{secrets.token_hex(6)}"
    admin = create_engine(base, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url: URL = base.update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :schema AND pid <> pg_backend_pid()"
                ),
                {"schema": schema},
            )
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'dentareview.db'}"


@contextmanager
def fresh_database(kind: DatabaseKind, directory: Path) -> Iterator[str]:
    """An empty database of `kind` (no tables): SQLite in `directory`, or PostgreSQL."""
    if kind == "sqlite":
        yield sqlite_url(directory)
    else:
        with fresh_postgres_schema() as url:
            yield url
