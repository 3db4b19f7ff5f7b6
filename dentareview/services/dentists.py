"""Register and deactivate dentists: on-chain first (the source of truth), then the database."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session, sessionmaker

from dentareview.chain.registry import OnChainDentistStatus
from dentareview.db.queries import set_dentist_active, upsert_dentist, wake_dentist_reviews
from dentareview.db.session import session_scope
from dentareview.domain.models import parse_address
from dentareview.services.chain_access import Deployment


def register_dentist(
    sessions: sessionmaker[Session], deployment: Deployment, *, address: str, name: str, now: int
) -> str | None:
    """Register (or reactivate) a dentist; returns the transaction hash, None if already active."""
    dentist = parse_address(address, "address")
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
