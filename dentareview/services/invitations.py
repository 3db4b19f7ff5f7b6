"""What an invitation link shows: to anyone holding it, the practice and whether the visit
is reviewed; to the visit's patient and dentist, signed in, the visit itself.

A review publishes its visitId, so the visitId is a capability only until the visit is
reviewed: the patient's wallet and the visit time are never served on it alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.address import is_same_address
from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.models import VisitRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.reviews import get_review_by_visit
from dentareview.db.queries.visits import get_visit
from dentareview.domain.policy import DAY, PolicySettings
from dentareview.errors import Forbidden, VisitNotFound


@dataclass(frozen=True)
class PublicInvitation:
    """Nothing of the patient: the practice, and the review once written (itself public)."""

    visit_id: str
    dentist: str
    dentist_name: str
    dentist_active: bool
    review_id: int | None
    review_status: str | None


@dataclass(frozen=True)
class Invitation(PublicInvitation):
    """The visit for its own patient and dentist: who, when, and until when to review."""

    patient: str
    visited_at: int
    review_closes_at: int


def _visit(session: Session, visit_id: bytes) -> VisitRow:
    key = encode_hex(visit_id)
    visit = get_visit(session, visit_id=key)
    if visit is None:
        raise VisitNotFound(f"no attested visit {key}; ask the practice for a new link")
    return visit


def _public(session: Session, visit: VisitRow) -> PublicInvitation:
    dentist = get_dentist(session, address=visit.dentist)
    review = get_review_by_visit(session, visit_id=visit.visit_id)
    return PublicInvitation(
        visit_id=visit.visit_id,
        dentist=visit.dentist,
        dentist_name=dentist.name if dentist is not None else "",
        dentist_active=dentist.active if dentist is not None else False,
        review_id=review.id if review is not None else None,
        review_status=review.status if review is not None else None,
    )


def load_public_invitation(session: Session, *, visit_id: bytes) -> PublicInvitation:
    return _public(session, _visit(session, visit_id))


def load_invitation(
    session: Session, *, visit_id: bytes, wallet: str, policy: PolicySettings
) -> Invitation:
    """The visit, for the signed-in `wallet` if it is the visit's patient or dentist."""
    visit = _visit(session, visit_id)
    if not any(is_same_address(wallet, party) for party in (visit.patient, visit.dentist)):
        raise Forbidden("a visit is shown to its patient and its practice only")
    public = _public(session, visit)
    return Invitation(
        **vars(public),
        patient=visit.patient,
        visited_at=visit.visited_at,
        review_closes_at=visit.visited_at + policy.review_window_days * DAY,
    )
