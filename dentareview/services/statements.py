"""Queue signed statements about reviews for anchoring: patients' edits and erasures,
dentists' replies.

A statement is queued in the same database transaction that accepts it; the anchoring
worker sends the queued digests (`dentareview/anchoring/statements.py`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dentareview.db.models import StatementKind
from dentareview.db.queries.statements import add_statement


def enqueue_statement(session: Session, *, digest: str, kind: StatementKind, now: int) -> None:
    """Queue a signed statement's digest for anchoring, with the statement's own write."""
    add_statement(session, digest=digest, kind=kind, now=now)
