"""Attest a visit: the dentist's signature, the policy, one record per visitId."""

from __future__ import annotations

from collections.abc import Callable

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.mapping import visit_of
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.visits import count_recent_visits, get_visit, insert_visit
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.models import DentistStatus, Eip712Domain, Visit
from dentareview.domain.policy import PolicySettings, check_visit
from dentareview.domain.typed_data import visit_digest
from dentareview.errors import DentistVisitLimit, DuplicateVisit, InvalidSignature, VisitNotFound
from dentareview.services.invitation_mail import create_short_link
from dentareview.services.signatures import ContractAccounts, signed_by
from dentareview.services.visit_signers import check_visit_key

DAY = 86_400


def dentist_status(session: Session, *, address: str) -> DentistStatus:
    """The dentist's status as the service knows it (kept in step with the chain by the CLI)."""
    dentist = get_dentist(session, address=address)
    if dentist is None:
        return DentistStatus.UNREGISTERED
    return DentistStatus.ACTIVE if dentist.active else DentistStatus.INACTIVE


def attest_visit(
    session: Session,
    *,
    domain: Eip712Domain,
    visit: Visit,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
    count_signer: Callable[[str], None] | None = None,
) -> Visit:
    """Check and store a visit signed by its dentist, or by a visit-signing key active for
    the dentist (recorded in `signed_by`). `count_signer` is told the dentist once
    the signature is theirs and they are registered (the per-wallet rate limit; it may
    refuse)."""
    signed, recovered = signed_by(
        visit.dentist, visit_digest(domain, visit), signature, contracts
    )
    # Else a visit-signing key the dentist authorised on-chain (services/visit_signers.py).
    key = None
    if not signed and recovered is not None and check_visit_key(
        session, signer=recovered, dentist=visit.dentist, visited_at=visit.visited_at
    ):
        signed, key = True, recovered
    if not signed:
        said = f"recovers to {recovered}" if recovered else "does not recover to an address"
        raise InvalidSignature(
            f"the Visit signature {said}, not to the visit's dentist {visit.dentist} "
            "(nor does that account accept it by ERC-1271)",
            field="signature",
        )
    status = dentist_status(session, address=visit.dentist)
    if count_signer is not None and status is not DentistStatus.UNREGISTERED:
        count_signer(visit.dentist)
    check_visit(visit, dentist_status=status, now=now, policy=policy)
    if get_visit(session, visit_id=encode_hex(visit.visit_id)) is not None:
        raise DuplicateVisit(f"visit {encode_hex(visit.visit_id)} is already recorded")
    attested = count_recent_visits(session, dentist=visit.dentist, since=now - DAY)
    if attested >= policy.dentist_daily_visit_limit:
        raise DentistVisitLimit(
            f"this dentist attested {attested} visits in the last 24 hours, the most allowed "
            f"({policy.dentist_daily_visit_limit}); retry later"
        )
    try:
        insert_visit(
            session,
            visit_id=encode_hex(visit.visit_id),
            patient=visit.patient,
            dentist=visit.dentist,
            visited_at=visit.visited_at,
            signature=encode_hex(signature),
            now=now,
            signed_by=key,
        )
    except DuplicateKey as duplicate:  # a concurrent request won the race
        raise DuplicateVisit(
            f"visit {encode_hex(visit.visit_id)} is already recorded"
        ) from duplicate
    # Its short invitation link (/i/<code>), made with it.
    create_short_link(session, visit_id=encode_hex(visit.visit_id), dentist=visit.dentist, now=now)
    return visit


def load_visit(session: Session, *, visit_id: bytes) -> Visit:
    row = get_visit(session, visit_id=encode_hex(visit_id))
    if row is None:
        raise VisitNotFound(
            f"no attested visit {encode_hex(visit_id)}; the dentist must attest it first"
        )
    return visit_of(row)
