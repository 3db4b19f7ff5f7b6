"""POST /v1/visits: a dentist attests a patient's visit; GET: the invitation, and the visit
for its own patient and dentist."""

from __future__ import annotations

from eth_utils.hexadecimal import encode_hex
from fastapi import APIRouter, Response, status

from dentareview.api.auth import SignedInWallet
from dentareview.api.convert import signature_from_wire, visit_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import WalletCounter
from dentareview.api.schemas import (
    InvitationOut,
    InvitationReviewOut,
    PublicInvitationOut,
    SignedVisit,
    VisitOut,
)
from dentareview.domain.email_address import normalize_email
from dentareview.domain.languages import page_language
from dentareview.domain.models import parse_bytes32
from dentareview.domain.typed_data import visit_digest
from dentareview.services.invitation_mail import invitation_state, queue_invitation_email
from dentareview.services.invitations import (
    PublicInvitation,
    load_invitation,
    load_public_invitation,
)
from dentareview.services.visits import attest_visit

router = APIRouter(tags=["visits"])


@router.post(
    "/v1/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "INVALID_EMAIL",
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
    email = normalize_email(body.email) if body.email is not None else None
    now = state.clock()
    attest_visit(
        session,
        domain=domain,
        visit=visit,
        signature=signature_from_wire(body.signature),
        now=now,
        policy=state.settings.policy(),
        contracts=state.gateway.contract_accounts(),
        count_signer=count_wallet,
    )
    visit_id = encode_hex(visit.visit_id)
    if email is not None:
        queue_invitation_email(
            session,
            visit_id=visit_id,
            email=email,
            now=now,
            language=page_language(body.language),
        )
    path, queued = invitation_state(session, visit_id=visit_id)
    session.commit()
    return VisitOut(
        visitId=visit_id,
        patient=visit.patient,
        dentist=visit.dentist,
        visitedAt=visit.visited_at,
        digest=encode_hex(visit_digest(domain, visit)),
        invitationPath=path,
        emailQueued=queued,
    )


def _review(found: PublicInvitation) -> InvitationReviewOut | None:
    if found.review_id is None or found.review_status is None:
        return None
    return InvitationReviewOut(id=found.review_id, status=found.review_status)


@router.get(
    "/v1/visits/{visit_id}/invitation",
    response_model=PublicInvitationOut,
    responses=error_responses("VALIDATION_ERROR", "VISIT_NOT_FOUND"),
)
def get_invitation(visit_id: str, session: DbSession) -> PublicInvitationOut:
    """What an invitation link shows anyone holding it: the practice, and the review once
    written; never the patient or the visit time (a review publishes its visitId)."""
    found = load_public_invitation(session, visit_id=parse_bytes32(visit_id, "visitId"))
    return PublicInvitationOut(
        visitId=found.visit_id,
        dentist=found.dentist,
        dentistName=found.dentist_name,
        dentistActive=found.dentist_active,
        review=_review(found),
    )


@router.get(
    "/v1/visits/{visit_id}",
    response_model=InvitationOut,
    responses=error_responses("NOT_SIGNED_IN", "FORBIDDEN", "VALIDATION_ERROR", "VISIT_NOT_FOUND"),
)
def get_visit(
    visit_id: str, wallet: SignedInWallet, state: State, session: DbSession, response: Response
) -> InvitationOut:
    """The visit, with its patient and time: for the visit's patient or dentist, signed in
    (401 NOT_SIGNED_IN, 403 FORBIDDEN for any other wallet)."""
    found = load_invitation(
        session,
        visit_id=parse_bytes32(visit_id, "visitId"),
        wallet=wallet.wallet,
        policy=state.settings.policy(),
    )
    response.headers["Cache-Control"] = "no-store"
    return InvitationOut(
        visitId=found.visit_id,
        patient=found.patient,
        dentist=found.dentist,
        dentistName=found.dentist_name,
        dentistActive=found.dentist_active,
        visitedAt=found.visited_at,
        reviewClosesAt=found.review_closes_at,
        review=_review(found),
    )
