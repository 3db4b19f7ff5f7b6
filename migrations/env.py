"""Alembic environment for DentaReview.

The database URL is, in order: `sqlalchemy.url` in the Alembic config (set by
dentareview.db.migrate), the DENTAREVIEW_DATABASE_URL variable, the SQLite default.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

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


def run_migrations_online() -> None:
    # The application's engine, so SQLite gets the same pragmas and transaction handling.
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                if connection.dialect.name == "postgresql":
                    # Service processes starting together queue here; Alembic reads the
                    # current revision after the lock, so the later ones find head.
                    connection.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"), MIGRATION_LOCK)
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
