"""Register and deactivate dentists: on-chain first (the source of truth), then the database."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session, sessionmaker

from dentareview.chain.registry import OnChainDentistStatus
from dentareview.db.queries.anchoring import wake_dentist_reviews
from dentareview.db.queries.dentists import set_dentist_active, upsert_dentist
from dentareview.db.session import session_scope
from dentareview.domain.models import parse_address
from dentareview.domain.practice_names import practice_name
from dentareview.services.chain_access import Deployment
from dentareview.services.practice_names import vet_registration


def add_dentist(
    sessions: sessionmaker[Session], deployment: Deployment, *, address: str, name: str, now: int
) -> tuple[str | None, str]:
    """`dentareview dentist add`: the name vetted against the stored ones before any
    transaction (no look-alike, no rename without a decision), then registered; the
    transaction hash (None if already active) and the name as stored."""
    dentist = parse_address(address, "address")
    with session_scope(sessions) as session:
        clean = vet_registration(session, address=dentist, name=name)
    return register_dentist(sessions, deployment, address=dentist, name=clean, now=now), clean


def register_dentist(
    sessions: sessionmaker[Session], deployment: Deployment, *, address: str, name: str, now: int
) -> str | None:
    """Register (or reactivate) a dentist; returns the transaction hash, None if already active.

    The name is put in its normal form (or refused) here; checks against the stored names
    are the caller's (`add_dentist`, the operator's route)."""
    dentist = parse_address(address, "address")
    name = practice_name(name)
    tx_hash: str | None = None
    if deployment.registry.dentist_status(dentist) is not OnChainDentistStatus.ACTIVE:
        receipt = deployment.sender.transact(deployment.registry.register_dentist(dentist))
        tx_hash = encode_hex(receipt["transactionHash"])
    with session_scope(sessions) as session:
        upsert_dentist(session, address=dentist, name=name, active=True, now=now)
        # Reviews that waited (with backoff) for the reactivation are due at once.
        wake_dentist_reviews(session, dentist=dentist)
    return tx_hash


def deactivate_dentist(
    sessions: sessionmaker[Session], deployment: Deployment, *, address: str, now: int
) -> str | None:
    """Deactivate a dentist: their new visits are refused, old reviews stay valid."""
    dentist = parse_address(address, "address")
    tx_hash: str | None = None
    if deployment.registry.dentist_status(dentist) is OnChainDentistStatus.ACTIVE:
        receipt = deployment.sender.transact(deployment.registry.deactivate_dentist(dentist))
        tx_hash = encode_hex(receipt["transactionHash"])
    with session_scope(sessions) as session:
        set_dentist_active(session, address=dentist, active=False, now=now)
    return tx_hash
