"""Alembic environment for DentaReview.

The database URL is, in order: `sqlalchemy.url` in the Alembic config (set by
dentareview.db.migrate), the DENTAREVIEW_DATABASE_URL variable, the SQLite default.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, text

from dentareview.db.models import Base
from dentareview.db.session import DEFAULT_DATABASE_URL, make_engine, normalize_database_url

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
MIGRATION_LOCK = {"a": 0x44524D69, "b": 0}  # "DRMi": advisory lock keys


def database_url() -> str:
    return (
        config.get_main_option("sqlalchemy.url")
        or os.environ.get("DENTAREVIEW_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def run_migrations_offline() -> None:
    url = normalize_database_url(database_url())
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.get_backend_name() == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    # Set on the driver's connection: SQLite ignores this pragma inside a transaction.
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")
    finally:
        cursor.close()


def run_migrations_online() -> None:
    # The application's engine, so SQLite gets the same pragmas and transaction handling.
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds a table by copy, drop and rename; a table that others
                # refer to cannot be dropped while foreign keys are enforced. They are
                # checked in full before the migration commits instead.
                _sqlite_foreign_keys(connection, on=False)
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
                render_as_batch=sqlite,
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Service processes starting together queue here; Alembic reads the
                    # current revision after the lock, so the later ones find head.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), MIGRATION_LOCK)
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration breaks foreign keys: {broken[:5]}")
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
