"""What an invitation link shows: the visit it names (the random visitId is the capability)."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.queries import get_dentist, get_review_by_visit, get_visit
from dentareview.domain.policy import DAY, PolicySettings
from dentareview.errors import VisitNotFound


@dataclass(frozen=True)
class Invitation:
    visit_id: str
    patient: str
    dentist: str
    dentist_name: str
    dentist_active: bool
    visited_at: int
    review_closes_at: int
    review_id: int | None
    review_status: str | None


def load_invitation(session: Session, *, visit_id: bytes, policy: PolicySettings) -> Invitation:
    key = encode_hex(visit_id)
    visit = get_visit(session, visit_id=key)
    if visit is None:
        raise VisitNotFound(f"no attested visit {key}; ask the practice for a new link")
    dentist = get_dentist(session, address=visit.dentist)
    review = get_review_by_visit(session, visit_id=key)
    return Invitation(
        visit_id=visit.visit_id,
        patient=visit.patient,
        dentist=visit.dentist,
        dentist_name=dentist.name if dentist is not None else "",
        dentist_active=dentist.active if dentist is not None else False,
        visited_at=visit.visited_at,
        review_closes_at=visit.visited_at + policy.review_window_days * DAY,
        review_id=review.id if review is not None else None,
        review_status=review.status if review is not None else None,
    )
