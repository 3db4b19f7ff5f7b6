"""The schema comes from Alembic alone: up, down, up again, and it matches the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from dentareview.db.migrate import alembic_config, downgrade_database, upgrade_database
from dentareview.db.models import Base
from dentareview.db.session import make_engine

APP_TABLES = {
    "dentists",
    "visits",
    "reviews",
    "reward_payments",
    "batches",
    "payouts",
    "relay_status",
    "auth_nonces",
    "auth_sessions",
    "review_revisions",
    "review_flags",
    "moderation_decisions",
    "dentist_aggregates",
    "dentist_month_aggregates",
    "statement_anchors",
    "relay_fees",
    "review_replies",
    "name_decisions",
    "passkey_credentials",
    "practice_checkin_codes",
    "passkey_checkins",
    "visit_signers",
    "recommendations",
    "invitations",
    "invitation_emails",
    "mail_suppressions",
    "reward_transfers",
    "practice_news_settings",
    "practice_events",
    "practice_deliveries",
    "practice_details",
    "practice_languages",
    "anonymous_memberships",
    "anonymous_group_roots",
    "anonymous_reviews",
}
HEAD = "0023_anonymous_moderation"
REPO_ROOT = Path(__file__).resolve().parents[2]


def tables_and_revision(database_url: str) -> tuple[set[str], str | None]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
            return set(inspect(connection).get_table_names()), revision
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_base_and_back(database_url: str) -> None:
    assert tables_and_revision(database_url) == (set(), None)

    upgrade_database(database_url)
    tables, revision = tables_and_revision(database_url)
    assert tables == APP_TABLES | {"alembic_version"}
    assert revision == HEAD

    upgrade_database(database_url)  # already at head: nothing to do
    downgrade_database(database_url, "base")
    assert tables_and_revision(database_url) == ({"alembic_version"}, None)

    upgrade_database(database_url)
    assert tables_and_revision(database_url)[1] == HEAD


def test_models_match_the_migrated_schema(database_url: str) -> None:
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_upgrade_works_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///nested/dir/app.db"  # relative: resolved against the cwd
    upgrade_database(url)
    assert (tmp_path / "nested" / "dir" / "app.db").is_file()
    assert tables_and_revision(url)[1] == HEAD


def test_env_falls_back_to_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'from_env.db'}"
    monkeypatch.setenv("DENTAREVIEW_DATABASE_URL", url)
    config = alembic_config("unused")
    config.set_main_option("sqlalchemy.url", "")
    command.upgrade(config, "head")
    assert tables_and_revision(url)[1] == HEAD


def test_alembic_command_line_uses_the_repository_config(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DENTAREVIEW_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini"), "upgrade", "head"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    assert tables_and_revision(url)[1] == HEAD


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_processes_starting_together_migrate_once(database_url: str) -> None:
    # Separate processes: Alembic's migration context is global to a process.
    script = "import sys; from dentareview.db.migrate import upgrade_database as u; u(sys.argv[1])"
    processes = [
        subprocess.Popen([sys.executable, "-c", script, database_url], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    outcomes = [(p.communicate(timeout=60)[1].decode(), p.returncode) for p in processes]
    failures = [stderr for stderr, code in outcomes if code != 0]
    assert failures == []
    assert tables_and_revision(database_url)[1] == HEAD
