"""Migration 0012 gives every stored practice its name's skeleton, so names recorded
before it are found by the look-alike check too."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from dentareview.db.migrate import alembic_config, upgrade_database
from dentareview.db.queries.dentists import dentist_with_skeleton
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.practice_names import skeleton

NAMES = {"0x" + "1" * 40: "Harbour Dental", "0x" + "2" * 40: "Bright  Smiles\u200b"}


def test_names_stored_before_the_migration_get_their_skeleton(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0011_replies")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            for address, name in NAMES.items():
                connection.execute(
                    text(
                        "INSERT INTO dentists (address, name, active, registered_at, updated_at)"
                        " VALUES (:address, :name, true, 1, 1)"
                    ),
                    {"address": address, "name": name},
                )
        upgrade_database(database_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT address, name_skeleton FROM dentists"))
            stored = {address: name_skeleton for address, name_skeleton in rows}
        # Even a name the rules now refuse has one (skeletons never raise).
        assert stored == {address: skeleton(name) for address, name in NAMES.items()}
        with make_session_factory(engine)() as session:
            found = dentist_with_skeleton(
                session, name_skeleton=skeleton("HARBOUR DENTAL"), other_than="0x" + "3" * 40
            )
            assert found is not None and found.address == "0x" + "1" * 40
    finally:
        engine.dispose()
