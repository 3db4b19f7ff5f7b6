"""Visit-signing keys a dentist authorised (visit_signers)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from dentareview.db.models import VisitSignerRow
from dentareview.db.queries._write import add_unique


def add_visit_signer(
    session: Session,
    *,
    signer: str,
    dentist: str,
    valid_until: int,
    nonce: int,
    signature: str,
    now: int,
    revoked: bool,
) -> VisitSignerRow:
    """Queue a signed `VisitSigner` for the chain; raises DuplicateKey if its nonce is taken.
    A revocation also revokes, at once, every earlier grant of the key."""
    if revoked:
        session.execute(
            update(VisitSignerRow)
            .where(VisitSignerRow.signer == signer, VisitSignerRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    row = VisitSignerRow(
        signer=signer,
        dentist=dentist,
        valid_until=valid_until,
        nonce=nonce,
        signature=signature,
        authorised_at=now,
        revoked_at=now if revoked else None,
    )
    return add_unique(session, row)


def grants_made(session: Session, *, dentist: str) -> int:
    """How many `VisitSigner`s of the dentist the service took (refused ones aside)."""
    stmt = select(func.count()).where(
        VisitSignerRow.dentist == dentist, VisitSignerRow.status != "refused"
    )
    return int(session.scalar(stmt) or 0)


def key_dentists(session: Session, *, signer: str) -> set[str]:
    """The dentists a key was ever authorised for (the registry allows one)."""
    stmt = select(VisitSignerRow.dentist).where(
        VisitSignerRow.signer == signer, VisitSignerRow.status != "refused"
    )
    return set(session.scalars(stmt))


def latest_grants(session: Session, *, signer: str) -> list[VisitSignerRow]:
    """The key's grants, newest first."""
    stmt = (
        select(VisitSignerRow)
        .where(VisitSignerRow.signer == signer)
        .order_by(VisitSignerRow.nonce.desc())
    )
    return list(session.scalars(stmt))


def dentist_grants(session: Session, *, dentist: str) -> list[VisitSignerRow]:
    """The dentist's grants, oldest first."""
    stmt = (
        select(VisitSignerRow)
        .where(VisitSignerRow.dentist == dentist)
        .order_by(VisitSignerRow.nonce)
    )
    return list(session.scalars(stmt))


def due_visit_signers(session: Session, *, now: int, limit: int) -> list[VisitSignerRow]:
    """Pending grants not in flight whose backoff has passed, in nonce order."""
    stmt = (
        select(VisitSignerRow)
        .where(
            VisitSignerRow.status == "pending",
            VisitSignerRow.sent_tx_hash.is_(None),
            VisitSignerRow.next_attempt_at <= now,
        )
        .order_by(VisitSignerRow.dentist, VisitSignerRow.nonce)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(stmt))


def in_flight_visit_signers(session: Session) -> list[VisitSignerRow]:
    """Pending grants with a noted transaction (sent, or noted before a crash)."""
    stmt = (
        select(VisitSignerRow)
        .where(VisitSignerRow.status == "pending", VisitSignerRow.sent_tx_hash.is_not(None))
        .order_by(VisitSignerRow.id)
    )
    return list(session.scalars(stmt))


def unfinal_visit_signers(session: Session, *, limit: int) -> list[VisitSignerRow]:
    """Grants set on-chain whose block is not final yet."""
    stmt = (
        select(VisitSignerRow)
        .where(VisitSignerRow.status == "set", VisitSignerRow.final.is_(False))
        .order_by(VisitSignerRow.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))
