"""Visit-signing keys: a dentist's wallet authorises a key once (EIP-712 `VisitSigner`,
put on-chain by the outbox: `anchoring/visit_signers.py`), after which the visits the key
signs count as the dentist's, with no wallet prompt for each.

The service takes a key's visits only once its grant is set on-chain, never after a
revocation (from the moment the dentist signs it, before the chain confirms), and only for
visits up to its `validUntil`: the same rule the registry applies to the review's visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.models import VisitSignerRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.visit_signers import (
    add_visit_signer,
    dentist_grants,
    grants_made,
    key_dentists,
    latest_grants,
)
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.models import Eip712Domain, parse_address
from dentareview.domain.typed_data import typed_digest
from dentareview.errors import (
    InvalidSignature,
    NotADentist,
    ValidationError,
    VisitSignerNonce,
    VisitSignerNotActive,
    VisitSignerNotAvailable,
    VisitSignerRevoked,
)
from dentareview.services.practice import Practice, practice_of
from dentareview.services.signatures import ContractAccounts, signed_by

UINT64_MAX = 2**64 - 1

KeyStatus = Literal["pending", "active", "revoked", "expired", "refused"]


@dataclass(frozen=True)
class VisitSignerGrant:
    """A signed `VisitSigner`, checked for form."""

    signer: str
    valid_until: int
    nonce: int

    def message(self) -> dict[str, Any]:
        return {"signer": self.signer, "validUntil": self.valid_until, "nonce": self.nonce}


@dataclass(frozen=True)
class VisitKeyView:
    signer: str
    status: KeyStatus
    valid_until: int
    authorised_at: int
    revoked_at: int | None
    tx_hash: str | None


def grant_from_wire(signer: object, valid_until: object, nonce: object) -> VisitSignerGrant:
    for name, value, top in (("validUntil", valid_until, UINT64_MAX), ("nonce", nonce, 2**256)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
            raise ValidationError(f"message.{name} must be an integer in range", field=name)
    assert isinstance(valid_until, int) and isinstance(nonce, int)
    return VisitSignerGrant(parse_address(signer, "message.signer"), valid_until, nonce)


def visit_signer_digest(domain: Eip712Domain, grant: VisitSignerGrant) -> bytes:
    return typed_digest(domain, "VisitSigner", grant.message())


def authorise_visit_signer(
    session: Session,
    *,
    domain: Eip712Domain,
    dentist: str,
    grant: VisitSignerGrant,
    signature: bytes,
    now: int,
    contracts: ContractAccounts | None,
) -> VisitKeyView:
    """Queue a registered, active dentist's signed `VisitSigner` for the chain (the
    signature, not a session, proves it is theirs). validUntil <= now is a revocation:
    the service refuses the key's visits from this moment."""
    dentist = practice_of(session, wallet=dentist).address
    if grant.signer.lower() == dentist.lower() or key_dentists(session, signer=grant.signer) - {
        dentist
    }:
        raise VisitSignerNotAvailable(
            f"{grant.signer} is the dentist's own wallet or attests visits for another dentist",
            field="message.signer",
        )
    expected = grants_made(session, dentist=dentist)
    if grant.nonce != expected:
        raise VisitSignerNonce(
            f"the nonce must be {expected}, the dentist's next one", field="message.nonce"
        )
    signed, recovered = signed_by(dentist, visit_signer_digest(domain, grant), signature, contracts)
    if not signed:
        raise InvalidSignature(
            f"the VisitSigner signature recovers to {recovered or 'no address'}, "
            f"not to the dentist {dentist}",
            field="signature",
        )
    try:
        row = add_visit_signer(
            session,
            signer=grant.signer,
            dentist=dentist,
            valid_until=grant.valid_until,
            nonce=grant.nonce,
            signature=encode_hex(signature),
            now=now,
            revoked=grant.valid_until <= now,
        )
    except DuplicateKey as duplicate:  # a concurrent request took the nonce
        raise VisitSignerNonce("the nonce was just used; sign again", field="message.nonce") from (
            duplicate
        )
    return _view(row, now)


def _view(row: VisitSignerRow, now: int) -> VisitKeyView:
    status: KeyStatus
    if row.revoked_at is not None:
        status = "revoked"
    elif row.status == "refused":
        status = "refused"
    elif row.status == "pending":
        status = "pending"
    else:
        status = "active" if row.valid_until > now else "expired"
    return VisitKeyView(
        row.signer, status, row.valid_until, row.authorised_at, row.revoked_at, row.tx_hash
    )


def practice_visit_signers(
    session: Session, *, wallet: str, now: int
) -> tuple[list[VisitKeyView], int]:
    """The practice's keys (each as its newest grant says), newest first, and its next nonce."""
    dentist = practice_of(session, wallet=wallet).address
    newest: dict[str, VisitSignerRow] = {}
    for row in dentist_grants(session, dentist=dentist):
        newest[row.signer] = row
    views = [_view(row, now) for row in sorted(newest.values(), key=lambda r: -r.nonce)]
    return views, grants_made(session, dentist=dentist)


def next_nonce(session: Session, *, dentist: str) -> int:
    """The nonce the dentist's next `VisitSigner` must carry: the grants the service took
    (each goes on-chain in nonce order, so this is the registry's once they are set)."""
    return grants_made(session, dentist=practice_of(session, wallet=dentist).address)


def check_visit_key(session: Session, *, signer: str, dentist: str, visited_at: int) -> bool:
    """Whether `signer` may attest `dentist`'s visit at `visited_at`: False if it is no key
    of the dentist's; raises if it is one that may not (revoked, out of time, not on-chain)."""
    grants = [
        row
        for row in latest_grants(session, signer=signer)
        if row.dentist == dentist and row.status != "refused"
    ]
    if not grants:
        return False
    if grants[0].revoked_at is not None:
        raise VisitSignerRevoked(f"the visit-signing key {signer} was revoked", field="signature")
    on_chain = [row for row in grants if row.status == "set" and row.revoked_at is None]
    if not on_chain:
        raise VisitSignerNotActive(
            f"the visit-signing key {signer} is not authorised on-chain yet", field="signature"
        )
    if visited_at > on_chain[0].valid_until:
        raise VisitSignerRevoked(
            f"the visit-signing key {signer} may attest visits only up to "
            f"{on_chain[0].valid_until}",
            field="signature",
        )
    return True


def practice_read_by(session: Session, *, wallet: str, now: int) -> Practice:
    """The practice a signed-in wallet may read check-ins for: the dentist's own wallet, or
    a visit-signing key active now (a practice's system signs in with its key to learn
    which account checked in). Anything else: NOT_A_DENTIST."""
    if get_dentist(session, address=wallet) is not None:
        return practice_of(session, wallet=wallet)
    newest = next(iter(latest_grants(session, signer=wallet)), None)
    if (
        newest is not None
        and newest.status == "set"
        and newest.revoked_at is None
        and newest.valid_until >= now
    ):
        return practice_of(session, wallet=newest.dentist)
    raise NotADentist(f"{wallet} is neither a dentist nor an active visit-signing key")
