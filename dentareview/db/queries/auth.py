"""Sign-in nonces and sessions: issue, consume once, look up, end."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from dentareview.db.models import AuthNonceRow, AuthSessionRow


def insert_nonce(session: Session, *, nonce: str, now: int, expires_at: int) -> None:
    """Store a fresh nonce, dropping the expired ones (nonces are short-lived)."""
    session.execute(delete(AuthNonceRow).where(AuthNonceRow.expires_at <= now))
    session.add(AuthNonceRow(nonce=nonce, created_at=now, expires_at=expires_at))
    session.flush()


def consume_nonce(session: Session, *, nonce: str, now: int) -> bool:
    """Delete the nonce if it is live; True only for the one caller that deleted it.

    A single DELETE is atomic on SQLite and PostgreSQL alike: two sign-ins racing
    with the same nonce cannot both see a deleted row.
    """
    result = session.execute(
        delete(AuthNonceRow).where(AuthNonceRow.nonce == nonce, AuthNonceRow.expires_at > now)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def insert_session(
    session: Session, *, id_hash: str, wallet: str, now: int, expires_at: int
) -> AuthSessionRow:
    session.execute(delete(AuthSessionRow).where(AuthSessionRow.expires_at <= now))
    row = AuthSessionRow(id_hash=id_hash, wallet=wallet, created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def get_live_session(session: Session, *, id_hash: str, now: int) -> AuthSessionRow | None:
    stmt = select(AuthSessionRow).where(
        AuthSessionRow.id_hash == id_hash, AuthSessionRow.expires_at > now
    )
    return session.scalars(stmt).one_or_none()


def delete_session(session: Session, *, id_hash: str) -> None:
    session.execute(delete(AuthSessionRow).where(AuthSessionRow.id_hash == id_hash))
