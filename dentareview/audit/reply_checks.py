"""The practice's replies in the audit: every stored version must be what the dentist signed.

Pure: a stored review, its stored reply versions and a signature check come in; the
problems found come out. A version counts only if its stored fields (its text, or the
text's keccak256 once the review was erased) hash to its digest, the review's dentist
signed that digest, it names the review's digest and the version before it (zero for
the first), and its text is deleted exactly when the review was erased by its patient.
"""

from __future__ import annotations

from typing import Any

from dentareview.audit.findings import Kind
from dentareview.audit.hashing import digest_from_text_hash, typed_digest
from dentareview.audit.revision_checks import SignedBy, text_erased
from dentareview.db.models import ReviewReplyRow
from dentareview.db.queries.audit_rows import ReviewAuditRow
from dentareview.domain.typed_data import text_hash

ZERO = "0x" + "00" * 32


def _low(value: str | None) -> str:
    return (value or "").lower()


def _digest(chain_id: int, registry: str, version: ReviewReplyRow, visit_id: str) -> str | None:
    message: dict[str, Any] = {
        "visitId": visit_id,
        "reviewDigest": version.review_digest,
        "previousDigest": version.previous_digest,
        "text": version.text,
        "deadline": version.deadline,
    }
    try:
        if version.text is None:
            found = digest_from_text_hash(
                chain_id, registry, "ReviewReply", message, version.text_hash
            )
        else:
            found = typed_digest(chain_id, registry, "ReviewReply", message)
    except Exception:  # noqa: BLE001 - any value the encoder refuses: not what was signed
        return None
    return "0x" + found.hex()


def check_replies(
    row: ReviewAuditRow,
    versions: list[ReviewReplyRow],
    *,
    chain_id: int,
    registry: str,
    signed: SignedBy,
) -> list[tuple[Kind, str]]:
    problems: list[tuple[Kind, str]] = []
    dentist = row.visit_dentist or row.dentist
    erased = row.author_state == "erased" or text_erased(row)
    previous = ZERO
    for expected_seq, version in enumerate(versions, start=1):
        name = f"reply version {version.seq}"
        digest = _digest(chain_id, registry, version, row.visit_id)
        if digest != _low(version.digest):
            problems.append(
                (
                    Kind.REPLY_CHANGED,
                    f"{name}: the stored fields hash to {digest}; its digest is {version.digest}",
                )
            )
        elif not signed(dentist, version.digest, version.signature):
            problems.append((Kind.REPLY_CHANGED, f"{name} is not signed by the visit's dentist"))
        if (
            version.text is not None
            and _low(version.text_hash) != "0x" + text_hash(version.text).hex()
        ):
            problems.append((Kind.REPLY_CHANGED, f"{name}: its text does not hash to text_hash"))
        if _low(version.review_digest) != _low(row.digest):
            problems.append(
                (Kind.REPLY_CHANGED, f"{name} answers {version.review_digest}, not this review")
            )
        if version.seq != expected_seq or _low(version.previous_digest) != previous:
            problems.append(
                (
                    Kind.REPLY_CHANGED,
                    f"{name} names {version.previous_digest}; expected {previous}",
                )
            )
        if erased and version.text is not None:
            problems.append(
                (Kind.REPLY_CHANGED, f"the review was erased, yet {name} keeps its text")
            )
        elif not erased and version.text is None:
            problems.append(
                (
                    Kind.REPLY_CHANGED,
                    f"{name}: its text was deleted, yet the review was not erased by its author",
                )
            )
        previous = _low(version.digest)
    return problems
