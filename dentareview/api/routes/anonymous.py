"""Anonymous reviews (docs/ANONYMOUS.md): a visit's patient joins the practice's group, an
anonymous review is proven and queued, and both are read back; the proving files.

No route logs anything of an anonymous review's request: not its id, nor the client."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.responses import FileResponse

from dentareview.api.bounds import PageOffset, PageSize
from dentareview.api.convert import decision_out, signature_from_wire
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.ratelimit import WalletCounter
from dentareview.api.schemas import (
    AnonymousProofOut,
    AnonymousReviewIn,
    AnonymousReviewOut,
    AnonymousReviewPage,
    GroupOut,
    MembershipOut,
    QueuedAnonymousOut,
    SignedGroupMembership,
)
from dentareview.chain.anonymous import AnonymousContract
from dentareview.db.models import AnonymousReviewRow
from dentareview.domain.anonymous import (
    AnonymousReviewText,
    GroupMembership,
    PublicationRule,
    SemaphoreProof,
    parse_field_element,
    parse_uint256,
)
from dentareview.domain.models import parse_address, parse_bytes32
from dentareview.domain.moderation import REMOVED, public_label
from dentareview.errors import ValidationError
from dentareview.services.anonymous import (
    anonymous_decisions,
    anonymous_review,
    group_of,
    join_group,
    practice_anonymous_reviews,
    submit_anonymous_review,
)
from dentareview.services.semaphore_node import ProvingFiles
from dentareview.services.views import DecisionView

router = APIRouter(tags=["anonymous"])  # the writes (size and rate limited)
read_router = APIRouter(tags=["anonymous"])

_PROVING_FILES: Final = ProvingFiles()
_MEDIA_TYPES: Final = {
    "wasm": "application/wasm",
    "zkey": "application/octet-stream",
    "json": "application/json",
}


def _contract(state: State) -> AnonymousContract:
    deployment = state.gateway.deployment()
    return AnonymousContract.of(deployment.w3, deployment.manifest)


@router.post(
    "/v1/visits/{visit_id}/membership",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipOut,
    responses={
        200: {"model": MembershipOut, "description": "The same commitment was already recorded"},
        **error_responses(
            "VALIDATION_ERROR",
            "INVALID_SIGNATURE",
            "VISIT_NOT_FOUND",
            "NOT_VISIT_PATIENT",
            "MEMBERSHIP_EXISTS",
            "NOT_DEPLOYED",
        ),
    },
)
def post_membership(
    visit_id: str,
    body: SignedGroupMembership,
    state: State,
    session: DbSession,
    count_wallet: WalletCounter,
) -> Response:
    """Put the patient's identity commitment in the visit's practice's group, signed by the
    visit's patient as `GroupMembership`. 201 when it adds a leaf; 200 when the commitment
    is already there (this visit, or an earlier visit of the same patient)."""
    path_id = parse_bytes32(visit_id, "visitId")
    message_id = parse_bytes32(body.message.visitId, "message.visitId")
    if path_id != message_id:
        raise _mismatch()
    joined = join_group(
        session,
        domain=state.domain(),
        membership=GroupMembership(
            message_id, parse_field_element(body.message.commitment, "message.commitment")
        ),
        signature=signature_from_wire(body.signature),
        now=state.clock(),
        contracts=state.gateway.contract_accounts(),
        count_signer=count_wallet,
    )
    session.commit()
    out = MembershipOut(
        dentist=joined.dentist,
        commitment=joined.commitment,
        index=joined.index,
        committed=joined.committed,
    )
    code = status.HTTP_201_CREATED if joined.created else status.HTTP_200_OK
    return Response(out.model_dump_json(), code, media_type="application/json")


def _mismatch() -> ValidationError:
    return ValidationError("message.visitId must be the visit of the path", field="message.visitId")


@read_router.get(
    "/v1/dentists/{address}/group",
    response_model=GroupOut,
    responses=error_responses(
        "VALIDATION_ERROR", "DENTIST_NOT_FOUND", "NOT_DEPLOYED", "CHAIN_UNAVAILABLE"
    ),
)
def get_group(address: str, state: State, session: DbSession) -> GroupOut:
    """The practice's anonymous group as its committed root covers it: rebuilding
    `new Group(members)` gives `committedRoot`."""
    group = group_of(session, dentist=parse_address(address, "address"), anonymous=_contract(state))
    return GroupOut(
        dentist=group.dentist,
        members=group.members,
        committedRoot=group.committed_root,
        committedSize=group.committed_size,
        minGroupSize=group.min_group_size,
        open=group.open,
        period=str(group.period),
        periodLength=group.period_length,
    )


@router.post(
    "/v1/anonymous-reviews",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=QueuedAnonymousOut,
    responses=error_responses(
        "VALIDATION_ERROR",
        "TEXT_TOO_SHORT",
        "TEXT_TOO_LONG",
        "TOO_FEW_WORDS",
        "INVALID_RATING",
        "DENTIST_NOT_FOUND",
        "DENTIST_INACTIVE",
        "ANONYMOUS_GROUP_TOO_SMALL",
        "UNKNOWN_GROUP_ROOT",
        "PERIOD_NOT_OPEN",
        "NULLIFIER_USED",
        "INVALID_PROOF",
        "DUPLICATE_REVIEW",
        "NOT_DEPLOYED",
        "CHAIN_UNAVAILABLE",
    ),
)
def post_anonymous_review(
    body: AnonymousReviewIn, state: State, session: DbSession
) -> QueuedAnonymousOut:
    """An anonymous review with its Semaphore proof of membership of the practice's group.
    Checked as the contract will check it, queued (202), and published later in a shuffled
    batch, no sooner than the configured minimum delay."""
    message, proof = body.message, body.proof
    settings = state.settings
    queued = submit_anonymous_review(
        session,
        domain=state.domain(),
        review=AnonymousReviewText(
            dentist=parse_address(message.dentist, "message.dentist"),
            period=parse_uint256(message.period, "message.period"),
            rating=message.rating,
            treatment=message.treatment,
            bedside=message.bedside,
            wait_time=message.waitTime,
            text=message.text,
            reward_to=parse_address(message.rewardTo, "message.rewardTo"),
        ),
        proof=SemaphoreProof(
            merkle_tree_root=parse_field_element(proof.merkleTreeRoot, "proof.merkleTreeRoot"),
            merkle_tree_depth=proof.merkleTreeDepth,
            nullifier=parse_field_element(proof.nullifier, "proof.nullifier"),
            points=tuple(
                parse_uint256(point, f"proof.points[{i}]") for i, point in enumerate(proof.points)
            ),
        ),
        language=body.language,
        now=state.clock(),
        policy=settings.policy(),
        rule=PublicationRule(
            batch_size=settings.anonymous_batch_size,
            min_delay=settings.anonymous_min_delay,
            max_delay=settings.anonymous_max_delay,
        ),
        anonymous=_contract(state),
    )
    session.commit()
    return QueuedAnonymousOut(
        id=queued.id, digest=queued.digest, status="queued", publishAfter=queued.publish_after
    )


def _review_out(
    row: AnonymousReviewRow,
    *,
    contract: str | None,
    chain_id: int,
    decisions: Sequence[DecisionView] = (),
) -> AnonymousReviewOut:
    removed = row.moderation_state == REMOVED  # nothing of it shown, as a named review's
    return AnonymousReviewOut(
        id=row.id,
        dentist=row.dentist,
        period=str(row.period),
        rating=None if removed else row.rating,
        treatment=None if removed else row.treatment,
        bedside=None if removed else row.bedside,
        waitTime=None if removed else row.wait_time,
        text="" if removed else row.text,
        state=row.moderation_state or "published",
        stateLabel=public_label(row.moderation_state, row.moderation_reason)
        if row.moderation_state
        else None,
        decisions=[decision_out(d) for d in decisions],
        language=row.language,
        digest=row.digest,
        rewardTo=row.reward_to,
        proof=AnonymousProofOut(
            merkleTreeRoot=row.root,
            merkleTreeDepth=row.depth,
            nullifier=row.nullifier,
            points=list(json.loads(row.points)),
        ),
        # "submitted" is the outbox's own step: to readers it is still on its way.
        status="queued" if row.status == "submitted" else row.status,
        anchoredAt=row.anchored_at,
        blockNumber=row.block_number if row.status == "anchored" else None,
        txHash=row.tx_hash if row.status == "anchored" else None,
        contract=contract,
        chainId=chain_id,
    )


def _where(state: State) -> tuple[str | None, int]:
    manifest = state.gateway.manifest()
    anonymous = manifest.anonymous_reviews
    return (anonymous.address if anonymous is not None else None), manifest.chain_id


@read_router.get(
    "/v1/anonymous-reviews/{anonymous_id}",
    response_model=AnonymousReviewOut,
    responses=error_responses("ANONYMOUS_REVIEW_NOT_FOUND", "NOT_DEPLOYED"),
)
def get_anonymous_review(anonymous_id: str, state: State, session: DbSession) -> AnonymousReviewOut:
    """An anonymous review, its proof and its chain record. No visit, no patient."""
    row = anonymous_review(session, review_id=anonymous_id[:40])
    contract, chain_id = _where(state)
    decisions = anonymous_decisions(session, review_ids=[row.id]).get(row.id, [])
    return _review_out(row, contract=contract, chain_id=chain_id, decisions=decisions)


@read_router.get(
    "/v1/dentists/{address}/anonymous-reviews",
    response_model=AnonymousReviewPage,
    responses=error_responses("VALIDATION_ERROR", "DENTIST_NOT_FOUND", "NOT_DEPLOYED"),
)
def get_practice_anonymous_reviews(
    address: str, state: State, session: DbSession, limit: PageSize = 20, offset: PageOffset = 0
) -> AnonymousReviewPage:
    """A practice's anchored anonymous reviews, newest first."""
    dentist = parse_address(address, "address")
    rows = practice_anonymous_reviews(session, dentist=dentist, limit=limit, offset=offset)
    decisions = anonymous_decisions(session, review_ids=[row.id for row in rows])
    contract, chain_id = _where(state)
    return AnonymousReviewPage(
        dentist=dentist,
        limit=limit,
        offset=offset,
        items=[
            _review_out(
                row, contract=contract, chain_id=chain_id, decisions=decisions.get(row.id, [])
            )
            for row in rows
        ],
    )


@read_router.get(
    "/zk/{proving_file}",
    response_class=FileResponse,
    responses={404: {"description": "Not semaphore-<1..32>.<wasm|zkey|json>, or not installed"}},
)
def get_proving_file(proving_file: str) -> FileResponse:
    """Semaphore V4's public-ceremony proving files (semaphore-<depth>.wasm, .zkey, and the
    verification key .json), served only if they match their pinned sha256."""
    path = _PROVING_FILES.path(proving_file)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(
        path,
        media_type=_MEDIA_TYPES[proving_file.rsplit(".", 1)[1]],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
