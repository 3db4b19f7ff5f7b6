"""The self-contained review proof: the JSON the service hands out and anyone verifies.

A proof carries everything a verifier needs besides a node: the typed data exactly as
`eth_signTypedData_v4` takes it, both signatures, the digest, and where the digest was
anchored. `kind` says which proof it is: "full" (for the review's patient) or "public"
(the same less the patient's wallet, the visit time and both signatures). `anchor.kind`
says how the digest was anchored: "single" is one `ReviewAnchored` log of one
transaction; "batch" is a Merkle path to a root and the root's `BatchAnchored` log.
The patient's later edits and erasure (`author`) each carry their own anchor, a
`StatementAnchored` log.

The JSON's shape is defined once, in `proof_schema.py`; these classes hold the values
a verifier works with (bytes, domain objects) and go through that schema both ways.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar, Final

import pydantic
from eth_utils.hexadecimal import decode_hex, encode_hex

from dentareview.audit import proof_schema as schema
from dentareview.domain.models import (
    Eip712Domain,
    Review,
    Visit,
    parse_address,
    parse_bytes32,
)
from dentareview.domain.typed_data import (
    PROOF_TYPES,
    REVISION_TYPES,
    domain_dict,
    review_message,
    visit_message,
)
from dentareview.errors import DentaReviewError

PROOF_VERSION: Final = 1


class ProofFormatError(ValueError):
    """The proof is not a well-formed version-1 proof; the message says where."""


@dataclass(frozen=True)
class SingleAnchor:
    """The review's own `ReviewAnchored` log: transaction, block and log index."""

    kind: ClassVar[str] = "single"

    tx_hash: str
    block_number: int
    log_index: int

    def part(self) -> schema.SingleAnchorPart:
        return schema.SingleAnchorPart(
            kind="single",
            txHash=self.tx_hash,
            blockNumber=self.block_number,
            logIndex=self.log_index,
        )


@dataclass(frozen=True)
class BatchAnchor:
    """A Merkle path from the review's leaf to a root, and the root's `BatchAnchored` log.

    The tree is an OpenZeppelin StandardMerkleTree with leaf encoding ["bytes32"]; the
    leaf's value is the review digest. `txHash`, `blockNumber` and `logIndex` locate the
    root's `BatchAnchored` event (the anchorBatch transaction).
    """

    kind: ClassVar[str] = "batch"

    root: str
    leaf_index: int
    proof: tuple[str, ...]  # sibling hashes, leaf to root, 0x-hex
    size: int
    tx_hash: str
    block_number: int
    log_index: int

    def part(self) -> schema.BatchAnchorPart:
        return schema.BatchAnchorPart(
            kind="batch",
            root=self.root,
            leafIndex=self.leaf_index,
            proof=list(self.proof),
            size=self.size,
            txHash=self.tx_hash,
            blockNumber=self.block_number,
            logIndex=self.log_index,
        )


# The verifier dispatches on `kind`.
Anchor = SingleAnchor | BatchAnchor

AUTHOR_LABELS: Final = {"edited": "edited by its author", "erased": "erased by its author"}


@dataclass(frozen=True)
class StatementAnchor:
    """The `StatementAnchored` log of a signed edit or erasure: its transaction and block."""

    tx_hash: str
    block_number: int

    def part(self) -> schema.StatementAnchorPart:
        return schema.StatementAnchorPart(txHash=self.tx_hash, blockNumber=self.block_number)


@dataclass(frozen=True)
class Revision:
    """One signed `ReviewEdit` or `ReviewErasure` of the review's patient.

    `message` is the wire message; once the review is erased an edit's `text` is gone
    from it and `text_hash` (keccak256 of the signed text) stands in for it.
    """

    kind: str  # "edit" or "erasure"
    message: dict[str, Any]
    digest: bytes
    signature: bytes | None  # the full proof only
    text_hash: str | None = None
    anchor: StatementAnchor | None = None  # None while it waits to be anchored

    @property
    def primary_type(self) -> str:
        return "ReviewEdit" if self.kind == "edit" else "ReviewErasure"

    def part(self, *, with_signature: bool) -> schema.RevisionPart:
        return schema.RevisionPart.model_validate(
            {
                "kind": self.kind,
                "primaryType": self.primary_type,
                "message": self.message,
                "digest": encode_hex(self.digest),
                "textHash": self.text_hash,
                "signature": encode_hex(self.signature)
                if with_signature and self.signature is not None
                else None,
                "anchor": None if self.anchor is None else self.anchor.part(),
            }
        )


@dataclass(frozen=True)
class AuthorRecord:
    """What the review's patient signed after the review: edits, then maybe an erasure."""

    state: str  # "edited" or "erased"
    revisions: tuple[Revision, ...]

    def part(self, *, with_signatures: bool) -> schema.AuthorPart:
        return schema.AuthorPart.model_validate(
            {
                "state": self.state,
                "label": AUTHOR_LABELS.get(self.state, self.state),
                "types": copy.deepcopy(REVISION_TYPES),
                "revisions": [r.part(with_signature=with_signatures) for r in self.revisions],
            }
        )


@dataclass(frozen=True)
class _Proof:
    """What both kinds of proof carry: the review, its digest, and where it is anchored."""

    kind: ClassVar[str]

    review_id: int | None
    chain_id: int
    registry: str
    domain: dict[str, Any]
    types: dict[str, Any]
    review: Review
    digest: bytes
    anchor: Anchor

    def _head(self) -> dict[str, Any]:
        return {
            "version": PROOF_VERSION,
            "kind": self.kind,
            "reviewId": self.review_id,
            "chainId": self.chain_id,
            "registry": self.registry,
            "domain": self.domain,
            "types": self.types,
            "digest": encode_hex(self.digest),
            "anchor": self.anchor.part(),
        }


@dataclass(frozen=True)
class ReviewProof(_Proof):
    """The full proof, for the review's patient: both signed messages and signatures.

    `domain` and `types` are kept as given: checking them is a verdict.
    """

    kind: ClassVar[str] = "full"

    review_signature: bytes
    visit: Visit
    visit_signature: bytes
    text_hash: str | None = None  # set once the text is erased by its author
    author: AuthorRecord | None = None

    @property
    def dentist(self) -> str:
        return self.visit.dentist

    @property
    def visit_id(self) -> bytes:
        return self.visit.visit_id

    def public(self) -> PublicReviewProof:
        """The same proof without what identifies the patient."""
        return PublicReviewProof(
            review_id=self.review_id,
            chain_id=self.chain_id,
            registry=self.registry,
            domain=self.domain,
            types=self.types,
            review=self.review,
            digest=self.digest,
            anchor=self.anchor,
            dentist=self.visit.dentist,
            text_hash=self.text_hash,
            author=self.author,
        )

    def model(self) -> schema.FullProof:
        return schema.FullProof.model_validate(
            {
                **self._head(),
                "review": {
                    **_review_json(self.review, self.text_hash),
                    "signature": encode_hex(self.review_signature),
                },
                "visit": {
                    "message": visit_message(self.visit),
                    "signature": encode_hex(self.visit_signature),
                },
                "author": None if self.author is None else self.author.part(with_signatures=True),
            }
        )

    def to_json(self) -> dict[str, Any]:
        return self.model().model_dump(exclude_none=True)


# What the public proof leaves out, as paths into the full proof.
WITHHELD: Final = (
    "review.signature",
    "visit.message.patient",
    "visit.message.visitedAt",
    "visit.signature",
)


# Listed in `withheld` when moderation removed the review: its texts are not served.
TEXT_REMOVED: Final = "review.message.text"


@dataclass(frozen=True)
class PublicReviewProof(_Proof):
    """The public proof: the full one less the patient's wallet, the visit time and both
    signatures (which would name the patient). The Review, the digest, the dentist and the
    anchor remain, so anyone can check the text is what was anchored."""

    kind: ClassVar[str] = "public"

    dentist: str
    text_hash: str | None = None
    author: AuthorRecord | None = None
    # Removed by moderation: the texts are withheld (their hashes stand in), by the
    # operator's recorded decision rather than the author's signed erasure.
    text_removed: bool = False

    @property
    def visit_id(self) -> bytes:
        return self.review.visit_id

    def model(self) -> schema.PublicProof:
        withheld = list(WITHHELD)
        if self.author is not None:
            withheld.append("author.revisions.signature")
        if self.text_removed:
            withheld.append(TEXT_REMOVED)
        return schema.PublicProof.model_validate(
            {
                **self._head(),
                "review": _review_json(self.review, self.text_hash),
                "dentist": self.dentist,
                "author": None if self.author is None else self.author.part(with_signatures=False),
                "withheld": withheld,
            }
        )

    def to_json(self) -> dict[str, Any]:
        return self.model().model_dump(exclude_none=True)


AnyProof = ReviewProof | PublicReviewProof


def _review_json(review: Review, text_hash: str | None) -> dict[str, Any]:
    """The signed Review; once erased by its author, without its text (its hash stays)."""
    message = review_message(review)
    if text_hash is None:
        return {"message": message}
    del message["text"]
    return {"message": message, "textHash": text_hash}


def make_proof(
    *,
    review_id: int,
    domain: Eip712Domain,
    review: Review,
    review_signature: bytes,
    visit: Visit,
    visit_signature: bytes,
    digest: bytes,
    anchor: Anchor,
    text_hash: str | None = None,
    author: AuthorRecord | None = None,
) -> ReviewProof:
    return ReviewProof(
        review_id=review_id,
        chain_id=domain.chain_id,
        registry=domain.verifying_contract,
        domain=domain_dict(domain),
        types=copy.deepcopy(PROOF_TYPES),
        review=review,
        review_signature=review_signature,
        visit=visit,
        visit_signature=visit_signature,
        digest=digest,
        anchor=anchor,
        text_hash=text_hash,
        author=author,
    )


def _field(message: dict[str, Any], key: str) -> Any:
    return message.get(key)  # a missing member is None, which Visit and Review refuse


def _visit(message: dict[str, Any]) -> Visit:
    return Visit(
        visit_id=parse_bytes32(message.get("visitId"), "visit.message.visitId"),
        patient=parse_address(message.get("patient"), "visit.message.patient"),
        dentist=parse_address(message.get("dentist"), "visit.message.dentist"),
        visited_at=_field(message, "visitedAt"),
    )


def _review(message: dict[str, Any], text_hash: str | None = None) -> Review:
    if text_hash is not None:  # erased by its author: the text is gone, its hash stays
        message = {**message, "text": ""}
    return Review(
        visit_id=parse_bytes32(message.get("visitId"), "review.message.visitId"),
        rating=_field(message, "rating"),
        treatment=_field(message, "treatment"),
        bedside=_field(message, "bedside"),
        wait_time=_field(message, "waitTime"),
        text=_field(message, "text"),
        deadline=_field(message, "deadline"),
    )


def _anchor(part: schema.SingleAnchorPart | schema.BatchAnchorPart) -> Anchor:
    if isinstance(part, schema.SingleAnchorPart):
        return SingleAnchor(
            tx_hash=part.txHash, block_number=part.blockNumber, log_index=part.logIndex
        )
    return BatchAnchor(
        root=part.root,
        leaf_index=part.leafIndex,
        proof=tuple(part.proof),
        size=part.size,
        tx_hash=part.txHash,
        block_number=part.blockNumber,
        log_index=part.logIndex,
    )


def _revision(part: schema.RevisionPart) -> Revision:
    return Revision(
        kind=part.kind,
        message=part.message,
        digest=decode_hex(part.digest),
        signature=None if part.signature is None else decode_hex(part.signature),
        text_hash=part.textHash,
        anchor=None
        if part.anchor is None
        else StatementAnchor(part.anchor.txHash, part.anchor.blockNumber),
    )


def _author(part: schema.AuthorPart | None) -> AuthorRecord | None:
    if part is None:
        return None
    return AuthorRecord(state=part.state, revisions=tuple(_revision(r) for r in part.revisions))


def _common(model: schema.FullProof | schema.PublicProof) -> dict[str, Any]:
    return {
        "review_id": model.reviewId,
        "chain_id": model.chainId,
        "registry": model.registry,
        "domain": model.domain,
        "types": model.types,
        "digest": decode_hex(model.digest),
        "anchor": _anchor(model.anchor),
        "text_hash": model.review.textHash,
        "author": _author(model.author),
    }


def _full(model: schema.FullProof) -> ReviewProof:
    return ReviewProof(
        review=_review(model.review.message, model.review.textHash),
        review_signature=decode_hex(model.review.signature),
        visit=_visit(model.visit.message),
        visit_signature=decode_hex(model.visit.signature),
        **_common(model),
    )


def _public(model: schema.PublicProof) -> PublicReviewProof:
    return PublicReviewProof(
        review=_review(model.review.message, model.review.textHash),
        dentist=model.dentist,
        text_removed=TEXT_REMOVED in model.withheld,
        **_common(model),
    )


def _first_error(error: pydantic.ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "union_tag_invalid":  # an anchor of a kind this verifier predates
        return f"{where}.kind {first['ctx']['tag']!r} is not supported by this verifier"
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def parse_proof(data: object) -> AnyProof:
    """A proof from its JSON; raises ProofFormatError naming the first bad field.

    `kind` is "full" (the patient's proof) or "public"; a proof without `kind` is full,
    as every proof was before the public kind existed.
    """
    if not isinstance(data, dict):
        raise ProofFormatError("the proof must be a JSON object")
    if data.get("version") != PROOF_VERSION:
        raise ProofFormatError(f"version must be {PROOF_VERSION}, got {data.get('version')!r}")
    kind = data.get("kind", ReviewProof.kind)
    try:
        if kind == ReviewProof.kind:
            return _full(schema.FullProof.model_validate({**data, "kind": kind}))
        if kind == PublicReviewProof.kind:
            return _public(schema.PublicProof.model_validate(data))
    except pydantic.ValidationError as error:
        raise ProofFormatError(_first_error(error)) from None
    except DentaReviewError as error:
        raise ProofFormatError(error.message) from None
    raise ProofFormatError(f"kind must be {ReviewProof.kind!r} or {PublicReviewProof.kind!r}")
