"""POST /v1/visits: a dentist attests a patient's visit."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from fastapi import APIRouter, status

from dentareview.api.convert import signature_from_wire, visit_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import WalletCounter
from dentareview.api.schemas import InvitationOut, InvitationReviewOut, SignedVisit, VisitOut
from dentareview.domain.models import parse_bytes32
from dentareview.domain.typed_data import visit_digest
from dentareview.services.invitations import load_invitation
from dentareview.services.visits import attest_visit

router = APIRouter(tags=["visits"])


@router.post(
    "/v1/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "INVALID_SIGNATURE",
        "UNKNOWN_DENTIST",
        "DENTIST_INACTIVE",
        "SELF_REVIEW",
        "VISIT_IN_FUTURE",
        "DUPLICATE_VISIT",
        "NOT_DEPLOYED",
    ),
)
def post_visit(
    body: SignedVisit, state: State, session: DbSession, count_wallet: WalletCounter
) -> VisitOut:
    """Record a visit attested (EIP-712 `Visit`) by a registered, active dentist."""
    domain = state.domain()
    visit = visit_from_wire(body.message)
    attest_visit(
        session,
        domain=domain,
        visit=visit,
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
        count_signer=count_wallet,
    )
    session.commit()
    return VisitOut(
        visitId=encode_hex(visit.visit_id),
        patient=visit.patient,
        dentist=visit.dentist,
        visitedAt=visit.visited_at,
        digest=encode_hex(visit_digest(domain, visit)),
    )


@router.get(
    "/v1/visits/{visit_id}",
    response_model=InvitationOut,
    responses=error_responses("VALIDATION_ERROR", "VISIT_NOT_FOUND"),
)
def get_visit(visit_id: str, state: State, session: DbSession) -> InvitationOut:
    """The visit an invitation link names: its random visitId is the capability."""
    found = load_invitation(
        session, visit_id=parse_bytes32(visit_id, "visitId"), policy=state.settings.policy()
    )
    review = None
    if found.review_id is not None and found.review_status is not None:
        review = InvitationReviewOut(id=found.review_id, status=found.review_status)
    return InvitationOut(
        visitId=found.visit_id,
        patient=found.patient,
        dentist=found.dentist,
        dentistName=found.dentist_name,
        dentistActive=found.dentist_active,
        visitedAt=found.visited_at,
        reviewClosesAt=found.review_closes_at,
        review=review,
    )
