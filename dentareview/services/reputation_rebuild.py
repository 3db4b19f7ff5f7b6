"""Recompute every dentist's stored reputation totals from the anchored reviews."""

from __future__ import annotations

import time

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.queries.aggregates import rebuild_aggregates
from dentareview.db.queries.locks import release_relayer_lock, try_relayer_lock


class RelayBusy(RuntimeError):
    """The relayer lock stayed taken for the whole wait."""


def rebuild_reputation(
    engine: Engine, sessions: sessionmaker[Session], *, wait_seconds: float = 60.0
) -> int:
    """Rebuild the aggregates in one transaction while holding the relayer lock, so no
    anchoring pass changes reviews meanwhile; returns how many dentists have reviews."""
    deadline = time.monotonic() + wait_seconds
    with engine.connect() as lock:
        while not try_relayer_lock(lock):
            if time.monotonic() > deadline:
                raise RelayBusy(f"the anchoring worker held the relay for {wait_seconds:.0f} s")
            time.sleep(0.2)
        try:
            with sessions() as session:
                dentists = rebuild_aggregates(session)
                session.commit()
        finally:
            release_relayer_lock(lock)
    return dentists
