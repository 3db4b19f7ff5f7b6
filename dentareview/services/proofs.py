"""A review's self-contained proof, built from what the service stored."""

from __future__ import annotations

import dataclasses
from typing import Any

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session

from dentareview.audit.proof import (
    Anchor,
    AuthorRecord,
    BatchAnchor,
    PublicReviewProof,
    ReviewProof,
    Revision,
    SingleAnchor,
    StatementAnchor,
    make_proof,
)
from dentareview.db.mapping import review_of, visit_of
from dentareview.db.models import ReviewRevisionRow, ReviewRow, StatementAnchorRow
from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.revisions import list_revisions
from dentareview.db.queries.statements import statement_anchors
from dentareview.db.queries.visits import get_visit
from dentareview.domain.models import Eip712Domain
from dentareview.domain.moderation import REMOVED
from dentareview.domain.typed_data import text_hash
from dentareview.errors import Forbidden, InternalError, ReviewNotAnchored, ReviewNotFound
from dentareview.services.batch_proofs import BatchProofError, batch_proof


def _revision(
    row: ReviewRow, revision: ReviewRevisionRow, anchor: StatementAnchorRow | None
) -> Revision:
    message: dict[str, Any]
    if revision.kind == "erasure":
        message = {
            "visitId": row.visit_id,
            "digest": revision.previous_digest,
            "deadline": revision.deadline,
        }
    else:
        message = {
            "visitId": row.visit_id,
            "previousDigest": revision.previous_digest,
            "rating": revision.rating,
            "treatment": revision.treatment,
            "bedside": revision.bedside,
            "waitTime": revision.wait_time,
            **({"text": revision.text} if revision.text is not None else {}),
            "deadline": revision.deadline,
        }
    return Revision(
        kind=revision.kind,
        message=message,
        digest=decode_hex(revision.digest),
        signature=decode_hex(revision.signature),
        text_hash=revision.text_hash if revision.kind == "edit" and revision.text is None else None,
        anchor=StatementAnchor(anchor.tx_hash, anchor.block_number)
        if anchor is not None and anchor.tx_hash is not None and anchor.block_number is not None
        else None,
    )


def _author(session: Session, row: ReviewRow) -> AuthorRecord | None:
    if row.author_state is None:
        return None
    revisions = list_revisions(session, review_id=row.id)
    anchors = statement_anchors(session, digests=(r.digest for r in revisions))
    return AuthorRecord(
        state=row.author_state,
        revisions=tuple(_revision(row, r, anchors.get(r.digest.lower())) for r in revisions),
    )


def build_proof(session: Session, *, review_id: int, domain: Eip712Domain) -> ReviewProof:
    """The proof of an anchored review. Served as stored: if the database was tampered
    with, the proof fails verification, which is the point."""
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    if (
        row.status != "anchored"
        or row.tx_hash is None
        or row.block_number is None
        or row.log_index is None
    ):
        raise ReviewNotAnchored(
            f"review {review_id} is not anchored yet; its proof exists once it is"
        )
    anchor: Anchor = SingleAnchor(
        tx_hash=row.tx_hash, block_number=row.block_number, log_index=row.log_index
    )
    if row.batch_id is not None:
        try:
            found = batch_proof(session, review_id=row.id)
        except BatchProofError as error:
            raise InternalError(str(error)) from None
        if found is None:
            raise ReviewNotAnchored(
                f"review {review_id} is not anchored yet; its proof exists once it is"
            )
        anchor = BatchAnchor(
            root=found.root,
            leaf_index=found.leaf_index,
            proof=tuple(found.proof),
            size=found.size,
            tx_hash=found.tx_hash,
            block_number=found.block_number,
            log_index=found.log_index,
        )
    visit_row = get_visit(session, visit_id=row.visit_id)
    if visit_row is None:  # reviews reference visits by foreign key
        raise InternalError(f"the visit of review {review_id} is missing")
    return make_proof(
        review_id=row.id,
        domain=domain,
        review=review_of(row),
        review_signature=decode_hex(row.signature),
        visit=visit_of(visit_row),
        visit_signature=decode_hex(visit_row.signature),
        digest=decode_hex(row.digest),
        anchor=anchor,
        text_hash=row.text_hash if row.author_state == "erased" else None,
        author=_author(session, row),
    )


def _withhold_texts(proof: PublicReviewProof) -> PublicReviewProof:
    """A review removed by moderation: each signed text gives way to its keccak256 (as
    after an erasure), so the digests still verify and the text is not served."""
    author = proof.author
    if author is not None:
        revisions = tuple(
            dataclasses.replace(
                r,
                message={k: v for k, v in r.message.items() if k != "text"},
                text_hash=encode_hex(text_hash(str(r.message["text"]))),
            )
            if "text" in r.message
            else r
            for r in author.revisions
        )
        author = dataclasses.replace(author, revisions=revisions)
    own_hash = proof.text_hash or encode_hex(text_hash(proof.review.text))
    return dataclasses.replace(proof, text_hash=own_hash, author=author, text_removed=True)


def build_public_proof(
    session: Session, *, review_id: int, domain: Eip712Domain
) -> PublicReviewProof:
    """The proof anyone may fetch: no patient wallet, no visit time, no signatures; and no
    text once the review is removed by moderation (its hash stands in)."""
    public = build_proof(session, review_id=review_id, domain=domain).public()
    row = get_review(session, review_id=review_id)
    if row is not None and row.moderation_state == REMOVED:
        return _withhold_texts(public)
    return public


def build_patient_proof(
    session: Session, *, review_id: int, domain: Eip712Domain, wallet: str
) -> ReviewProof:
    """The full proof, for the review's own patient only (FORBIDDEN for anyone else)."""
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    if row.patient != wallet:
        raise Forbidden("this review was written by another wallet")
    return build_proof(session, review_id=review_id, domain=domain)
