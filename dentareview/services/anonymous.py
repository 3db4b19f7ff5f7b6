"""Anonymous reviews on the request path: a visit's patient joins the practice's group,
anyone reads a group, an anonymous review is checked and queued, and read back
(docs/ANONYMOUS.md).

Nothing here logs, stores or answers anything that links a patient (a visit, a wallet, a
commitment) to an anonymous review: a review row holds only its text, its proof and
where its reward goes, under a random id.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex
from sqlalchemy.orm import Session

from dentareview.chain.anonymous import AnonymousContract
from dentareview.db.models import AnonymousReviewRow, MembershipRow
from dentareview.db.queries.anonymous import (
    add_anonymous_review,
    add_membership,
    anchored_anonymous_reviews,
    committed_root,
    get_anonymous_review,
    group_members,
    group_size,
    leaf_of,
    membership_of_visit,
    nullifier_taken,
)
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.moderation import anonymous_decisions_of
from dentareview.db.queries.visits import get_visit
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.anonymous import (
    MAX_DEPTH,
    MIN_DEPTH,
    AnonymousReviewText,
    GroupMembership,
    PublicationRule,
    SemaphoreProof,
    check_anonymous_text,
    check_period,
    message_of,
    public_signals,
    scope_of,
)
from dentareview.domain.languages import PageLanguage
from dentareview.domain.models import Eip712Domain
from dentareview.domain.policy import PolicySettings
from dentareview.errors import (
    AnonymousGroupTooSmall,
    AnonymousReviewNotFound,
    DentistInactive,
    DentistNotFound,
    DuplicateReview,
    InvalidProof,
    InvalidSignature,
    MembershipExists,
    NotVisitPatient,
    NullifierUsed,
    UnknownGroupRoot,
    ValidationError,
    VisitNotFound,
)
from dentareview.services.signatures import ContractAccounts, signed_by
from dentareview.services.views import DecisionView, decision_view

_LEAF_RETRIES = 5

# ---------------------------------------------------------------- membership


@dataclass(frozen=True)
class Membership:
    dentist: str
    commitment: str
    index: int
    committed: bool  # a committed root covers the leaf: the patient may prove now
    created: bool  # False: the same commitment was already recorded (idempotent)


def join_group(
    session: Session,
    *,
    domain: Eip712Domain,
    membership: GroupMembership,
    signature: bytes,
    now: int,
    contracts: ContractAccounts | None = None,
    count_signer: Callable[[str], None] | None = None,
) -> Membership:
    """Record the visit's commitment in its practice's group, signed by the visit's patient.
    `count_signer` is told the patient once the signature is theirs (rate limits)."""
    visit_hex = encode_hex(membership.visit_id)
    visit = get_visit(session, visit_id=visit_hex)
    if visit is None:
        raise VisitNotFound(f"no attested visit {visit_hex}")
    signed, recovered = signed_by(visit.patient, membership.digest(domain), signature, contracts)
    if not signed:
        if recovered is None:
            raise InvalidSignature(
                "the signature does not recover to any address, and the visit's patient is "
                "not a smart-contract account that accepts it (ERC-1271)",
                field="signature",
            )
        raise NotVisitPatient("the GroupMembership signature is not by this visit's patient")
    if count_signer is not None:
        count_signer(visit.patient)
    commitment = str(membership.commitment)
    for _ in range(_LEAF_RETRIES):
        existing = membership_of_visit(session, visit_id=visit_hex)
        if existing is not None:
            if existing.commitment != commitment:
                raise MembershipExists("this visit already added another commitment")
            return _membership(session, existing, created=False)
        leaf = leaf_of(session, dentist=visit.dentist, commitment=commitment)
        row = MembershipRow(
            visit_id=visit_hex,
            dentist=visit.dentist,
            commitment=commitment,
            leaf_index=None if leaf is not None else group_size(session, dentist=visit.dentist),
            signature=encode_hex(signature),
            created_at=now,
        )
        try:
            add_membership(session, row=row)
        except DuplicateKey:
            continue  # a concurrent membership took the visit or the leaf index: read again
        return _membership(session, leaf or row, created=leaf is None)
    raise MembershipExists("the group changed while this membership was recorded; send it again")


def _membership(session: Session, leaf: MembershipRow, *, created: bool) -> Membership:
    if leaf.leaf_index is None:  # a later visit's row: the leaf is the first one's
        first = leaf_of(session, dentist=leaf.dentist, commitment=leaf.commitment)
        assert first is not None and first.leaf_index is not None
        leaf = first
    assert leaf.leaf_index is not None
    root = committed_root(session, dentist=leaf.dentist)
    return Membership(
        dentist=leaf.dentist,
        commitment=leaf.commitment,
        index=leaf.leaf_index,
        committed=root is not None and root.size > leaf.leaf_index,
        created=created,
    )


# ---------------------------------------------------------------- group


@dataclass(frozen=True)
class GroupView:
    dentist: str
    members: list[str]
    committed_root: str | None
    committed_size: int
    min_group_size: int
    period: int
    period_length: int

    @property
    def open(self) -> bool:
        return self.committed_size >= self.min_group_size


def group_of(session: Session, *, dentist: str, anonymous: AnonymousContract) -> GroupView:
    """The practice's group as its committed root covers it (members in leaf order)."""
    if get_dentist(session, address=dentist) is None:
        raise DentistNotFound(f"no dentist is registered at {dentist}")
    root = committed_root(session, dentist=dentist)
    size = root.size if root is not None else 0
    return GroupView(
        dentist=dentist,
        members=group_members(session, dentist=dentist, limit=size) if size else [],
        committed_root=root.root if root is not None else None,
        committed_size=size,
        min_group_size=anonymous.min_group_size(),
        period=anonymous.current_period(),
        period_length=anonymous.period_length(),
    )


# ---------------------------------------------------------------- anonymous reviews


@dataclass(frozen=True)
class QueuedReview:
    id: str
    digest: str
    publish_after: int


def submit_anonymous_review(
    session: Session,
    *,
    domain: Eip712Domain,
    review: AnonymousReviewText,
    proof: SemaphoreProof,
    language: PageLanguage | None,
    now: int,
    policy: PolicySettings,
    rule: PublicationRule,
    anonymous: AnonymousContract,
) -> QueuedReview:
    """Check an anonymous review as the contract will, then queue it for publication."""
    check_anonymous_text(review, policy)
    dentist = get_dentist(session, address=review.dentist)
    if dentist is None:
        raise DentistNotFound(f"no dentist is registered at {review.dentist}")
    if not dentist.active:
        raise DentistInactive(f"dentist {review.dentist} is deactivated")
    if not MIN_DEPTH <= proof.merkle_tree_depth <= MAX_DEPTH:
        raise ValidationError(
            f"merkleTreeDepth must be from {MIN_DEPTH} to {MAX_DEPTH}",
            field="proof.merkleTreeDepth",
        )
    check_period(review.period, current=anonymous.current_period())
    _, latest_size = anonymous.latest_group(review.dentist)
    minimum = anonymous.min_group_size()
    if latest_size < minimum:
        raise AnonymousGroupTooSmall(
            f"the practice's committed group has {latest_size} members; at least {minimum} "
            "are needed"
        )
    if not anonymous.is_root_valid(review.dentist, proof.merkle_tree_root):
        raise UnknownGroupRoot(
            "the proof's root is not a valid committed root of this practice's group",
            field="proof.merkleTreeRoot",
        )
    _, _, root_size = anonymous.group_root(review.dentist, proof.merkle_tree_root)
    if min(root_size, latest_size) < minimum:
        raise AnonymousGroupTooSmall(
            f"the group this proof was made for has {root_size} members; at least "
            f"{minimum} are needed"
        )
    nullifier = str(proof.nullifier)
    if nullifier_taken(session, nullifier=nullifier) or anonymous.nullifier_used(proof.nullifier):
        raise NullifierUsed("this identity already reviewed this practice in this period")
    digest = review.digest(domain)
    signals = public_signals(
        proof,
        scope=scope_of(review.dentist, review.period),
        message=message_of(digest, review.reward_to),
    )
    if not anonymous.verify_proof(proof.points, signals, proof.merkle_tree_depth):
        raise InvalidProof("the proof does not verify for this review", field="proof")
    row = AnonymousReviewRow(
        id=encode_hex(secrets.token_bytes(16)),
        dentist=review.dentist,
        period=review.period,
        rating=review.rating,
        treatment=review.treatment,
        bedside=review.bedside,
        wait_time=review.wait_time,
        text=review.text,
        language=language,
        digest=encode_hex(digest),
        reward_to=review.reward_to,
        root=str(proof.merkle_tree_root),
        depth=proof.merkle_tree_depth,
        nullifier=nullifier,
        points=json.dumps([str(p) for p in proof.points]),
        status="queued",
        publish_after=rule.publish_after(now),
        publish_by=rule.publish_by(now),
    )
    try:
        add_anonymous_review(session, row=row)
    except DuplicateKey as duplicate:
        if "nullifier" in duplicate.constraint:
            raise NullifierUsed(
                "this identity already reviewed this practice in this period"
            ) from duplicate
        raise DuplicateReview("this anonymous review was already received") from duplicate
    return QueuedReview(row.id, row.digest, row.publish_after)


def anonymous_review(session: Session, *, review_id: str) -> AnonymousReviewRow:
    row = get_anonymous_review(session, review_id=review_id.lower())
    if row is None:
        raise AnonymousReviewNotFound(f"no anonymous review {review_id}")
    return row


def practice_anonymous_reviews(
    session: Session, *, dentist: str, limit: int, offset: int
) -> list[AnonymousReviewRow]:
    if get_dentist(session, address=dentist) is None:
        raise DentistNotFound(f"no dentist is registered at {dentist}")
    return list(anchored_anonymous_reviews(session, dentist=dentist, limit=limit, offset=offset))


def anonymous_decisions(
    session: Session, *, review_ids: list[str]
) -> dict[str, list[DecisionView]]:
    """The operators' recorded decisions on these anonymous reviews, oldest first."""
    found = anonymous_decisions_of(session, review_ids=review_ids)
    return {key: [decision_view(d) for d in rows] for key, rows in found.items()}
