"""The practice's public reply to a review, signed by the visit's dentist.

One reply per review; each edit is a new signed version naming the one it supersedes,
and every version is kept. A reply to a review its patient erased is refused, and the
patient's erasure empties the text of every reply version too (see docs/PRIVACY.md):
the reply answers the patient's words and may echo them, and it would show beside an
erased review that a wallet was this practice's patient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dentareview.db.models import ReviewReplyRow, ReviewRow, StatementAnchorRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.replies import insert_reply, list_replies, replies_of
from dentareview.db.queries.reviews import get_review
from dentareview.db.queries.statements import statement_anchors
from dentareview.db.storage_errors import DuplicateKey
from dentareview.domain.models import Eip712Domain
from dentareview.domain.policy import PolicySettings
from dentareview.domain.replies import NO_PREVIOUS, ReviewReply, check_reply
from dentareview.domain.revisions import AUTHOR_ERASED
from dentareview.domain.typed_data import text_hash
from dentareview.errors import (
    DentistInactive,
    InvalidSignature,
    NotVisitDentist,
    ReplyConflict,
    ReplyVersionLimit,
    ReviewErased,
    ReviewNotFound,
    ValidationError,
)
from dentareview.services.signatures import ContractAccounts, signed_by
from dentareview.services.statements import enqueue_statement
from dentareview.services.views import ReplyView, StatementAnchorView


@dataclass(frozen=True)
class AcceptedReply:
    review_id: int
    seq: int
    digest: str
    previous_digest: str
    created_at: int


@dataclass(frozen=True)
class ReplyThread:
    """Every signed version of one review's reply, oldest first, and the on-chain anchor
    of each version's digest that has one (keyed by lowercase digest)."""

    versions: list[ReviewReplyRow] = field(default_factory=list)
    anchors: dict[str, StatementAnchorRow] = field(default_factory=dict)

    def anchor_of(self, version: ReviewReplyRow) -> StatementAnchorRow | None:
        return self.anchors.get(version.digest.lower())


@dataclass(frozen=True)
class ReplyVersionView:
    """One signed version of a reply, as `GET /v1/reviews/{id}/replies` shows it."""

    seq: int
    digest: str
    review_digest: str
    previous_digest: str
    text: str | None  # None once the review's patient erased the review
    text_hash: str
    deadline: int
    signature: str
    signed_at: int
    anchor: StatementAnchorView | None


@dataclass(frozen=True)
class ReplyHistory:
    review_id: int
    visit_id: str
    dentist: str
    erased: bool  # the review was erased by its patient: every version's text deleted
    versions: tuple[ReplyVersionView, ...]  # oldest first


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _load(session: Session, review_id: int) -> ReviewRow:
    row = get_review(session, review_id=review_id)
    if row is None:
        raise ReviewNotFound(f"no review with id {review_id}")
    return row


def _check_dentist(
    row: ReviewRow, digest: bytes, signature: bytes, contracts: ContractAccounts | None
) -> None:
    signed, recovered = signed_by(row.dentist, digest, signature, contracts)
    if signed:
        return
    if recovered is None:
        raise InvalidSignature(
            "the signature does not recover to any address, and the visit's dentist is not "
            "a smart-contract account that accepts it (ERC-1271)",
            field="signature",
        )
    raise NotVisitDentist(
        f"the signature recovers to {recovered}, who is not the dentist of this review's visit"
    )


def reply_to_review(
    session: Session,
    *,
    domain: Eip712Domain,
    review_id: int,
    reply: ReviewReply,
    signature: bytes,
    now: int,
    policy: PolicySettings,
    contracts: ContractAccounts | None = None,
) -> AcceptedReply:
    """Accept the dentist's signed reply (or a new version of it)."""
    row = _load(session, review_id)
    if row.visit_id.lower() != _hex(reply.visit_id):
        raise ValidationError(
            f"message.visitId is not the visit of review {review_id}", field="message.visitId"
        )
    digest = reply.digest(domain)
    _check_dentist(row, digest, signature, contracts)  # who signed, before any other answer
    if row.author_state == AUTHOR_ERASED:
        raise ReviewErased(f"review {review_id} was erased by its author; it takes no reply")
    dentist = get_dentist(session, address=row.dentist)
    if dentist is not None and not dentist.active:
        raise DentistInactive(f"the dentist {row.dentist} is deactivated")
    if _hex(reply.review_digest) != row.digest.lower():
        raise ReplyConflict(
            f"reviewDigest must be the review's digest, {row.digest}",
            field="message.reviewDigest",
        )
    versions = list_replies(session, review_id=review_id)
    latest = versions[-1].digest if versions else _hex(NO_PREVIOUS)
    if _hex(reply.previous_digest) != latest.lower():
        first = "zero: this review has no reply yet" if not versions else f"{latest}"
        raise ReplyConflict(
            f"previousDigest must be the latest reply version's digest, {first}",
            field="message.previousDigest",
        )
    if len(versions) >= policy.reply_max_versions:
        raise ReplyVersionLimit(
            f"this reply already has {len(versions)} signed versions, the most allowed"
        )
    check_reply(reply, now=now, policy=policy)
    seq = len(versions) + 1
    try:
        insert_reply(
            session,
            row=ReviewReplyRow(
                review_id=review_id,
                seq=seq,
                dentist=row.dentist,
                digest=_hex(digest),
                review_digest=row.digest.lower(),
                previous_digest=latest.lower(),
                text=reply.text,
                text_hash=_hex(text_hash(reply.text)),
                deadline=reply.deadline,
                signature=_hex(signature),
                created_at=now,
            ),
        )
    except DuplicateKey as duplicate:  # a concurrent reply took this version, or same digest
        raise ReplyConflict(
            "another version of this reply was accepted meanwhile; fetch it and sign again"
        ) from duplicate
    enqueue_statement(session, digest=_hex(digest), kind="reply", now=now)  # on-chain too
    return AcceptedReply(review_id, seq, _hex(digest), latest.lower(), now)


def _with_anchors(versions: list[ReviewReplyRow], session: Session) -> ReplyThread:
    return ReplyThread(versions, statement_anchors(session, digests=[v.digest for v in versions]))


def anchor_view(row: StatementAnchorRow | None) -> StatementAnchorView | None:
    if row is None:
        return None
    return StatementAnchorView(
        row.status, row.final, row.tx_hash, row.block_number, row.anchored_at
    )


def reply_view(thread: ReplyThread | None) -> ReplyView | None:
    """The latest version of a reply, or None without one (or once its text is erased)."""
    if thread is None or not thread.versions or thread.versions[-1].text is None:
        return None
    first, latest = thread.versions[0], thread.versions[-1]
    return ReplyView(
        text=latest.text or "",
        signed_at=latest.created_at,
        first_signed_at=first.created_at,
        edited=len(thread.versions) > 1,
        versions=len(thread.versions),
        digest=latest.digest,
        dentist=latest.dentist,
        anchor=anchor_view(thread.anchor_of(latest)),
    )


def reply_history(session: Session, *, review_id: int) -> ReplyHistory:
    row = _load(session, review_id)
    thread = _with_anchors(list_replies(session, review_id=review_id), session)
    return ReplyHistory(
        review_id=row.id,
        visit_id=row.visit_id,
        dentist=row.dentist,
        erased=row.author_state == AUTHOR_ERASED,
        versions=tuple(
            ReplyVersionView(
                seq=v.seq,
                digest=v.digest,
                review_digest=v.review_digest,
                previous_digest=v.previous_digest,
                text=v.text,
                text_hash=v.text_hash,
                deadline=v.deadline,
                signature=v.signature,
                signed_at=v.created_at,
                anchor=anchor_view(thread.anchor_of(v)),
            )
            for v in thread.versions
        ),
    )


def reply_threads(session: Session, *, review_ids: Iterable[int]) -> dict[int, ReplyThread]:
    """The reply threads of several reviews at once (those with a reply), keyed by id."""
    found = replies_of(session, review_ids=review_ids)
    anchors = statement_anchors(
        session, digests=[v.digest for versions in found.values() for v in versions]
    )
    return {
        review_id: ReplyThread(
            versions, {v.digest.lower(): anchors[v.digest.lower()] for v in versions
                       if v.digest.lower() in anchors}
        )
        for review_id, versions in found.items()
    }  # fmt: skip


def reply_thread(session: Session, *, review_id: int) -> ReplyThread:
    return _with_anchors(list_replies(session, review_id=review_id), session)


def erase_reply_texts(session: Session, *, review_id: int) -> None:
    """The review's patient erased it: empty the text of every reply version (the
    digests, text hashes and signatures stay as the signed record)."""
    for version in list_replies(session, review_id=review_id):
        version.text = None
