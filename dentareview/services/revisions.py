"""Edit and erase a review, each signed by the review's own patient.

An edit is a new version that supersedes the latest one; every version is kept with
its signed message. The reward is decided once, at submission, and never again.
An erasure empties the text of every version (the personal data a patient writes)
and keeps the digests, the ratings inside the signed messages, each text's keccak256
and the signed erasure request: the proof that the author, not the service, erased it.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.db.models import ReviewRevisionRow, ReviewRow
from dentareview.db.queries.aggregates import restating_review
from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.revisions import insert_revision, list_revisions
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.models import Eip712Domain
from dentareview.domain.policy import PolicySettings
from dentareview.domain.revisions import (
    AUTHOR_EDITED,
    AUTHOR_ERASED,
    EDIT,
    ERASURE,
    ReviewEdit,
    ReviewErasure,
    RevisionKind,
    check_deadline,
    check_edit,
)
from dentareview.domain.typed_data import text_hash
from dentareview.errors import (
    InvalidSignature,
    NotReviewAuthor,
    ReviewErased,
    ReviewNotAnchored,
    ReviewNotFound,
    RevisionConflict,
    ValidationError,
)
from dentareview.services.replies import erase_reply_texts
from dentareview.services.signatures import ContractAccounts, signed_by
from dentareview.services.statements import enqueue_statement


@dataclass(frozen=True)
class AcceptedRevision:
    review_id: int
    seq: int
    kind: RevisionKind
    digest: str


def _hex(value: bytes) -> str:
    return encode_hex(value)


def _load(session: Session, review_id: int, visit_id: bytes) -> ReviewRow:
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    if row.visit_id.lower() != _hex(visit_id):
        raise ValidationError(
            f"message.visitId is not the visit of review {review_id}", field="message.visitId"
        )
    if row.author_state == AUTHOR_ERASED:
        raise ReviewErased(f"review {review_id} was erased by its author")
    return row


def _check_author(
    row: ReviewRow, digest: bytes, signature: bytes, contracts: ContractAccounts | None
) -> None:
    signed, recovered = signed_by(row.patient, digest, signature, contracts)
    if signed:
        return
    if recovered is None:
        raise InvalidSignature(
            "the signature does not recover to any address, and the review's patient is not "
            "a smart-contract account that accepts it (ERC-1271)",
            field="signature",
        )
    raise NotReviewAuthor(f"the signature recovers to {recovered}, who did not write this review")


def _next_seq(revisions: list[ReviewRevisionRow]) -> int:
    return revisions[-1].seq + 1 if revisions else 1


def _insert(session: Session, row: ReviewRevisionRow) -> None:
    try:
        insert_revision(session, row=row)
    except DuplicateKey as duplicate:  # a concurrent edit of the same version won
        raise RevisionConflict(
            "another edit of this review was accepted meanwhile; fetch it and sign again"
        ) from duplicate


def edit_review(
    session: Session,
    *,
    domain: Eip712Domain,
    review_id: int,
    edit: ReviewEdit,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
) -> AcceptedRevision:
    row = _load(session, review_id, edit.content.visit_id)
    digest = edit.digest(domain)
    _check_author(row, digest, signature, contracts)
    revisions = list_revisions(session, review_id=review_id)
    edits = [r for r in revisions if r.kind == EDIT]
    latest = edits[-1].digest if edits else row.digest
    if _hex(edit.previous_digest) != latest.lower():
        raise RevisionConflict(
            f"previousDigest must be the latest version's digest, {latest}",
            field="message.previousDigest",
        )
    check_edit(edit, now=now, policy=policy)
    content, seq = edit.content, _next_seq(revisions)
    _insert(
        session,
        ReviewRevisionRow(
            review_id=review_id,
            seq=seq,
            kind=EDIT,
            digest=_hex(digest),
            previous_digest=latest.lower(),
            rating=content.rating,
            treatment=content.treatment,
            bedside=content.bedside,
            wait_time=content.wait_time,
            text=content.text,
            text_hash=_hex(text_hash(content.text)),
            deadline=content.deadline,
            signature=_hex(signature),
            created_at=now,
        ),
    )
    enqueue_statement(session, digest=_hex(digest), kind=EDIT, now=now)
    with restating_review(session, review=row):  # the totals count the latest ratings
        row.author_state = AUTHOR_EDITED
        row.edited_rating, row.edited_treatment = content.rating, content.treatment
        row.edited_bedside, row.edited_wait_time = content.bedside, content.wait_time
    return AcceptedRevision(review_id, seq, EDIT, _hex(digest))


def erase_review(
    session: Session,
    *,
    domain: Eip712Domain,
    review_id: int,
    erasure: ReviewErasure,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
) -> AcceptedRevision:
    row = _load(session, review_id, erasure.visit_id)
    digest = erasure.digest(domain)
    _check_author(row, digest, signature, contracts)
    if _hex(erasure.digest_of_review) != row.digest.lower():
        raise RevisionConflict(
            f"digest must be the review's digest, {row.digest}", field="message.digest"
        )
    if row.status != "anchored":
        # Its digest must be on-chain first: the anchor is what the erasure leaves standing.
        raise ReviewNotAnchored(
            f"review {review_id} is not anchored yet; erase it once it is (seconds, usually)"
        )
    check_deadline(erasure.deadline, now=now, policy=policy)
    revisions = list_revisions(session, review_id=review_id)
    seq = _next_seq(revisions)
    _insert(
        session,
        ReviewRevisionRow(
            review_id=review_id,
            seq=seq,
            kind=ERASURE,
            digest=_hex(digest),
            previous_digest=row.digest.lower(),
            deadline=erasure.deadline,
            signature=_hex(signature),
            created_at=now,
        ),
    )
    enqueue_statement(session, digest=_hex(digest), kind=ERASURE, now=now)
    for revision in revisions:
        revision.text = None  # its text_hash stays: the signed message can still be hashed
    erase_reply_texts(session, review_id=review_id)  # the practice's reply goes with it
    with restating_review(session, review=row):  # an erased review leaves the totals
        row.text_hash = _hex(text_hash(row.text))
        row.text = ""
        row.author_state = AUTHOR_ERASED
    return AcceptedRevision(review_id, seq, ERASURE, _hex(digest))
