"""Apply the Alembic migrations from code (CLI, service start-up, tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import command
from alembic.config import Config

# In a checkout, migrations/ sits at the repository root, next to the package; a wheel
# ships the same folder as the package `dentareview.migrations` (see setup.py).
CHECKOUT_MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def migrations_dir() -> Path:
    if (CHECKOUT_MIGRATIONS / "env.py").is_file():
        return CHECKOUT_MIGRATIONS
    spec = importlib.util.find_spec("dentareview.migrations")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        if (Path(location) / "env.py").is_file():
            return Path(location)
    raise RuntimeError(
        f"Alembic migrations not found in {CHECKOUT_MIGRATIONS} nor in the installed package"
    )


def alembic_config(database_url: str) -> Config:
    """An Alembic config for `database_url` that works whatever the current directory."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # ConfigParser treats % as interpolation; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


def downgrade_database(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
