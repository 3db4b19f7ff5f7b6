"""The worker lease: one holder per database at a time, kept across checks, given up
when its connection dies, and taken by the next one asking once it is free."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine, text

from dentareview.anchoring.worker import WorkerLease
from dentareview.db.session import make_engine
from tests.db.helpers import postgres_only


def test_one_lease_holder_at_a_time(engine: Engine, database_url: str) -> None:
    other_engine = make_engine(database_url)  # another "process" (SQLite: another lease)
    first, second = WorkerLease(engine), WorkerLease(other_engine)
    try:
        assert first.hold() and first.active
        assert not second.hold() and not second.active
        assert first.hold()  # kept, not taken again
        assert not second.hold()
        first.release()
        assert second.hold()
        assert not first.hold()
    finally:
        first.release()
        second.release()
        other_engine.dispose()


@postgres_only  # a SQLite lease is a file lock of the process: it dies with the process
def test_a_lease_whose_connection_died_is_given_up_and_taken_over(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    other_engine = make_engine(database_url)
    active, standby = WorkerLease(engine), WorkerLease(other_engine)
    try:
        assert active.hold() and not standby.hold()
        with other_engine.connect() as admin:  # the active host's connection is cut
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND objsubid = 2 "
                    f"AND classid = {0x44525777} "  # the worker lock's first key
                    "AND objid = (hashtext(current_schema())::bigint & 4294967295)::text::oid"
                )
            )
            admin.commit()
        assert standby.hold()  # the database dropped the lock with the connection
        with caplog.at_level(logging.ERROR):
            assert not active.hold()  # it notices, stands by, and does not anchor
        assert "lost the worker lease" in caplog.text
    finally:
        active.release()
        standby.release()
        other_engine.dispose()
