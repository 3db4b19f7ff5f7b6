"""The operator's pages: queue health (with the fees the relay paid) and recording the
dentists the admin wallet registered or deactivated on-chain.

The browser sends `registerDentist` / `deactivateDentist` with the admin wallet; the
service then records the dentist only after reading the registry itself: what a browser
says about the chain is never trusted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from sqlalchemy.orm import Session
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3Exception

from dentareview.chain.registry import OnChainDentistStatus, RegistryContract
from dentareview.db.queries.anchoring import relay_queue, wake_dentist_reviews
from dentareview.db.queries.dentists import get_dentist, set_dentist_active, upsert_dentist
from dentareview.db.queries.relay_health import (
    LastAnchor,
    last_anchor,
    mined_relay_transactions,
    record_fee,
    recorded_fees,
)
from dentareview.domain.models import parse_address
from dentareview.errors import (
    ChainUnavailable,
    DentistNotFound,
    DentistNotOnChain,
    DentistStillActiveOnChain,
)
from dentareview.services.chain_access import ChainGateway
from dentareview.services.practice_names import vet_registration
from dentareview.services.views import DentistView, dentist_view

log = logging.getLogger(__name__)

# Receipts read per request: a long history is counted over a few page loads.
MAX_RECEIPTS_PER_CALL = 200


@dataclass(frozen=True)
class QueueHealth:
    pending: int
    in_flight: int
    waiting: int
    failed: int
    not_final: int
    problem: str | None
    checked_at: int | None
    last_anchor: LastAnchor | None
    fees_wei: int  # sum of gasUsed × effectiveGasPrice over the counted transactions
    fee_transactions: int  # mined relay transactions whose fee is counted
    uncounted_transactions: int  # mined, but their receipt could not be read yet


def _count_fees(session: Session, w3: Web3 | None) -> tuple[int, int, int]:
    """Read the receipts not yet recorded (at most MAX_RECEIPTS_PER_CALL), then sum."""
    mined = mined_relay_transactions(session)
    known = recorded_fees(session)
    todo = [
        m
        for m in mined
        if m.tx_hash not in known
        or (m.block_hash is not None and known[m.tx_hash].block_hash != m.block_hash)
    ]
    for tx in todo[:MAX_RECEIPTS_PER_CALL]:
        if w3 is None:
            break  # the chain is away: count them later
        try:
            receipt = w3.eth.get_transaction_receipt(HexBytes(tx.tx_hash))
        except TransactionNotFound:
            continue  # reorganised away: the relay records it again when re-mined
        except (Web3Exception, OSError, ValueError) as error:
            log.info("fees: receipt of %s unreadable: %s", tx.tx_hash, error)
            break  # the chain is away: count the rest later
        record_fee(
            session,
            tx_hash=tx.tx_hash,
            block_hash=encode_hex(HexBytes(receipt["blockHash"])),
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            effective_gas_price=int(receipt["effectiveGasPrice"]),
        )
    session.flush()
    known = recorded_fees(session)
    counted = [
        known[m.tx_hash]
        for m in mined
        if m.tx_hash in known
        and (m.block_hash is None or known[m.tx_hash].block_hash == m.block_hash)
    ]
    return sum(row.fee for row in counted), len(counted), len(mined) - len(counted)


def queue_health(session: Session, *, gateway: ChainGateway, now: int) -> QueueHealth:
    queue = relay_queue(session, now=now)
    fees, counted, uncounted = _count_fees(session, gateway.w3 if gateway.is_up() else None)
    return QueueHealth(
        pending=queue.pending,
        in_flight=queue.in_flight,
        waiting=queue.waiting,
        failed=queue.failed,
        not_final=queue.not_final,
        problem=queue.problem,
        checked_at=queue.checked_at,
        last_anchor=last_anchor(session),
        fees_wei=fees,
        fee_transactions=counted,
        uncounted_transactions=uncounted,
    )


def _registry(gateway: ChainGateway) -> RegistryContract:
    """The deployed registry, read-only; ChainUnavailable while the node is away."""
    manifest = gateway.manifest()
    if not gateway.is_up():
        raise ChainUnavailable("the chain node does not answer; try again when it is back")
    return RegistryContract(gateway.w3, manifest.registry.address)


def record_registered(
    session: Session, *, gateway: ChainGateway, address: str, name: str, now: int
) -> DentistView:
    """Record a dentist the admin wallet registered (or reactivated): only if the registry
    shows it active now, and under a name that neither deceives nor silently renames."""
    dentist = parse_address(address, "address")
    name = vet_registration(session, address=dentist, name=name)
    registry = _registry(gateway)
    status = registry.dentist_status(dentist)
    if status is not OnChainDentistStatus.ACTIVE:
        raise DentistNotOnChain(
            f"the registry {registry.address} shows {dentist} as {status.name.lower()}; "
            "send registerDentist with the admin wallet and wait for it to be mined",
            field="address",
        )
    row = upsert_dentist(session, address=dentist, name=name, active=True, now=now)
    wake_dentist_reviews(session, dentist=dentist)  # reviews that waited for it are due
    return dentist_view(row)


def record_deactivated(
    session: Session, *, gateway: ChainGateway, address: str, now: int
) -> DentistView:
    """Record a deactivation the admin wallet sent: only if the registry shows the dentist
    no longer active."""
    dentist = parse_address(address, "address")
    if get_dentist(session, address=dentist) is None:
        raise DentistNotFound(f"no dentist {dentist} is recorded by this service", field="address")
    registry = _registry(gateway)
    if registry.dentist_status(dentist) is OnChainDentistStatus.ACTIVE:
        raise DentistStillActiveOnChain(
            f"the registry {registry.address} still shows {dentist} active; "
            "send deactivateDentist with the admin wallet and wait for it to be mined",
            field="address",
        )
    return dentist_view(set_dentist_active(session, address=dentist, active=False, now=now))
