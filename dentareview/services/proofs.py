"""A review's self-contained proof, built from what the service stored."""

from __future__ import annotations

from eth_utils.hexadecimal import decode_hex
from sqlalchemy.orm import Session

from dentareview.audit.proof import (
    Anchor,
    BatchAnchor,
    PublicReviewProof,
    ReviewProof,
    SingleAnchor,
    make_proof,
)
from dentareview.db.queries import get_review, get_visit
from dentareview.domain.models import Eip712Domain, Review, Visit
from dentareview.errors import Forbidden, InternalError, ReviewNotAnchored, ReviewNotFound
from dentareview.services.batch_proofs import BatchProofError, batch_proof


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
        review=Review(
            visit_id=decode_hex(row.visit_id),
            rating=row.rating,
            treatment=row.treatment,
            bedside=row.bedside,
            wait_time=row.wait_time,
            text=row.text,
            deadline=row.deadline,
        ),
        review_signature=decode_hex(row.signature),
        visit=Visit(
            visit_id=decode_hex(visit_row.visit_id),
            patient=visit_row.patient,
            dentist=visit_row.dentist,
            visited_at=visit_row.visited_at,
        ),
        visit_signature=decode_hex(visit_row.signature),
        digest=decode_hex(row.digest),
        anchor=anchor,
    )


def build_public_proof(
    session: Session, *, review_id: int, domain: Eip712Domain
) -> PublicReviewProof:
    """The proof anyone may fetch: no patient wallet, no visit time, no signatures."""
    return build_proof(session, review_id=review_id, domain=domain).public()


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
