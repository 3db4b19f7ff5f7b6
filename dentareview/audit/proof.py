"""The self-contained review proof: the JSON the service hands out and anyone verifies.

A proof carries everything a verifier needs besides a node: the typed data exactly as
`eth_signTypedData_v4` takes it, both signatures, the digest, and where the digest was
anchored. `kind` says which proof it is: "full" (for the review's patient) or "public"
(the same less the patient's wallet, the visit time and both signatures). `anchor.kind`
says how the digest was anchored: "single" is one `ReviewAnchored` log of one
transaction; "batch" is a Merkle path to a root and the root's `BatchAnchored` log.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar, Final

from eth_utils.hexadecimal import encode_hex

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
    parse_signature,
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

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "logIndex": self.log_index,
        }


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

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "root": self.root,
            "leafIndex": self.leaf_index,
            "proof": list(self.proof),
            "size": self.size,
            "txHash": self.tx_hash,
            "blockNumber": self.block_number,
            "logIndex": self.log_index,
            "leafEncoding": ["bytes32"],
        }


# The verifier dispatches on `kind`.
Anchor = SingleAnchor | BatchAnchor

AUTHOR_LABELS: Final = {"edited": "edited by its author", "erased": "erased by its author"}


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

    @property
    def primary_type(self) -> str:
        return "ReviewEdit" if self.kind == "edit" else "ReviewErasure"

    def to_json(self, *, with_signature: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind,
            "primaryType": self.primary_type,
            "message": self.message,
            "digest": encode_hex(self.digest),
        }
        if self.text_hash is not None:
            body["textHash"] = self.text_hash
        if with_signature and self.signature is not None:
            body["signature"] = encode_hex(self.signature)
        return body


@dataclass(frozen=True)
class AuthorRecord:
    """What the review's patient signed after the review: edits, then maybe an erasure."""

    state: str  # "edited" or "erased"
    revisions: tuple[Revision, ...]

    def to_json(self, *, with_signatures: bool) -> dict[str, Any]:
        return {
            "state": self.state,
            "label": AUTHOR_LABELS.get(self.state, self.state),
            "types": copy.deepcopy(REVISION_TYPES),
            "revisions": [r.to_json(with_signature=with_signatures) for r in self.revisions],
        }


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

    def to_json(self) -> dict[str, Any]:
        return {
            **self._head(),
            "review": {
                **_review_json(self.review, self.text_hash),
                "signature": encode_hex(self.review_signature),
            },
            "visit": {
                "message": visit_message(self.visit),
                "signature": encode_hex(self.visit_signature),
            },
            "digest": encode_hex(self.digest),
            "anchor": self.anchor.to_json(),
            **({"author": self.author.to_json(with_signatures=True)} if self.author else {}),
        }


# What the public proof leaves out, as paths into the full proof.
WITHHELD: Final = (
    "review.signature",
    "visit.message.patient",
    "visit.message.visitedAt",
    "visit.signature",
)


@dataclass(frozen=True)
class PublicReviewProof(_Proof):
    """The public proof: the full one less the patient's wallet, the visit time and both
    signatures (which would name the patient). The Review, the digest, the dentist and the
    anchor remain, so anyone can check the text is what was anchored."""

    kind: ClassVar[str] = "public"

    dentist: str
    text_hash: str | None = None
    author: AuthorRecord | None = None

    @property
    def visit_id(self) -> bytes:
        return self.review.visit_id

    def to_json(self) -> dict[str, Any]:
        withheld = list(WITHHELD)
        if self.author is not None:
            withheld.append("author.revisions.signature")
        return {
            **self._head(),
            "review": _review_json(self.review, self.text_hash),
            "dentist": self.dentist,
            "digest": encode_hex(self.digest),
            "anchor": self.anchor.to_json(),
            **({"author": self.author.to_json(with_signatures=False)} if self.author else {}),
            "withheld": withheld,
        }


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


_KIND_NAMES: Final = {
    int: "an integer",
    dict: "a JSON object",
    str: "a string",
    list: "a JSON array",
}


def _get(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    # bool is an int subclass: `true` is no block number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProofFormatError(f"{where}{key} must be {_KIND_NAMES[kind]}")
    return value


def _signed(data: dict[str, Any], key: str) -> tuple[dict[str, Any], bytes]:
    part = _get(data, key, dict, "")
    message = _get(part, "message", dict, f"{key}.")
    return message, parse_signature(part.get("signature"), f"{key}.signature")


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


def _bytes32_hex(value: object, where: str) -> str:
    return "0x" + parse_bytes32(value, where).hex()


def _anchor(data: dict[str, Any]) -> Anchor:
    anchor = _get(data, "anchor", dict, "")
    kind = anchor.get("kind")
    if kind == SingleAnchor.kind:
        return SingleAnchor(
            tx_hash=_bytes32_hex(anchor.get("txHash"), "anchor.txHash"),
            block_number=_get(anchor, "blockNumber", int, "anchor."),
            log_index=_get(anchor, "logIndex", int, "anchor."),
        )
    if kind == BatchAnchor.kind:
        path = _get(anchor, "proof", list, "anchor.")
        return BatchAnchor(
            root=_bytes32_hex(anchor.get("root"), "anchor.root"),
            leaf_index=_get(anchor, "leafIndex", int, "anchor."),
            proof=tuple(_bytes32_hex(node, f"anchor.proof[{i}]") for i, node in enumerate(path)),
            size=_get(anchor, "size", int, "anchor."),
            tx_hash=_bytes32_hex(anchor.get("txHash"), "anchor.txHash"),
            block_number=_get(anchor, "blockNumber", int, "anchor."),
            log_index=_get(anchor, "logIndex", int, "anchor."),
        )
    raise ProofFormatError(f"anchor.kind {kind!r} is not supported by this verifier")


def _text_hash(data: dict[str, Any]) -> str | None:
    part = data.get("review")
    value = part.get("textHash") if isinstance(part, dict) else None
    return None if value is None else _bytes32_hex(value, "review.textHash")


def _revision(item: object, index: int, *, full: bool) -> Revision:
    where = f"author.revisions[{index}]."
    if not isinstance(item, dict):
        raise ProofFormatError(f"author.revisions[{index}] must be a JSON object")
    kind = item.get("kind")
    if kind not in ("edit", "erasure"):
        raise ProofFormatError(f"{where}kind must be 'edit' or 'erasure'")
    text_hash = item.get("textHash")
    signature = item.get("signature")
    return Revision(
        kind=kind,
        message=_get(item, "message", dict, where),
        digest=parse_bytes32(item.get("digest"), f"{where}digest"),
        signature=parse_signature(signature, f"{where}signature")
        if full or signature is not None
        else None,
        text_hash=None if text_hash is None else _bytes32_hex(text_hash, f"{where}textHash"),
    )


def _author(data: dict[str, Any], *, full: bool) -> AuthorRecord | None:
    part = data.get("author")
    if part is None:
        return None
    if not isinstance(part, dict):
        raise ProofFormatError("author must be a JSON object")
    state = part.get("state")
    if state not in AUTHOR_LABELS:
        raise ProofFormatError("author.state must be 'edited' or 'erased'")
    items = _get(part, "revisions", list, "author.")
    return AuthorRecord(
        state=state,
        revisions=tuple(_revision(item, i, full=full) for i, item in enumerate(items)),
    )


def _common(data: dict[str, Any]) -> dict[str, Any]:
    review_id = data.get("reviewId")
    return {
        "review_id": review_id if isinstance(review_id, int) else None,
        "chain_id": _get(data, "chainId", int, ""),
        "registry": parse_address(data.get("registry"), "registry"),
        "domain": _get(data, "domain", dict, ""),
        "types": _get(data, "types", dict, ""),
        "digest": parse_bytes32(data.get("digest"), "digest"),
        "anchor": _anchor(data),
    }


def _full(data: dict[str, Any]) -> ReviewProof:
    review_msg, review_signature = _signed(data, "review")
    visit_msg, visit_signature = _signed(data, "visit")
    text_hash = _text_hash(data)
    return ReviewProof(
        review=_review(review_msg, text_hash),
        review_signature=review_signature,
        visit=_visit(visit_msg),
        visit_signature=visit_signature,
        text_hash=text_hash,
        author=_author(data, full=True),
        **_common(data),
    )


def _public(data: dict[str, Any]) -> PublicReviewProof:
    part = _get(data, "review", dict, "")
    text_hash = _text_hash(data)
    return PublicReviewProof(
        review=_review(_get(part, "message", dict, "review."), text_hash),
        dentist=parse_address(data.get("dentist"), "dentist"),
        text_hash=text_hash,
        author=_author(data, full=False),
        **_common(data),
    )


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
            return _full(data)
        if kind == PublicReviewProof.kind:
            return _public(data)
    except DentaReviewError as error:
        raise ProofFormatError(error.message) from None
    raise ProofFormatError(f"kind must be {ReviewProof.kind!r} or {PublicReviewProof.kind!r}")
