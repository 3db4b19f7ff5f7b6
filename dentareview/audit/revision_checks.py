"""The author's later word in the audit: signed edits and erasures, told apart from tampering.

Pure: a stored review, its stored revisions and a signature check come in; the review's
state ("edited", "erased" or None) and any discrepancies come out. A revision counts only
if its stored fields hash to its digest, the visit's patient signed that digest, and it
names the version it supersedes (edit) or the review's own digest (erasure). Revisions
are not anchored on-chain: the patient's signature is what an operator cannot forge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils.hexadecimal import encode_hex

from dentareview.audit.findings import Kind
from dentareview.audit.hashing import digest_from_text_hash, typed_digest
from dentareview.db.queries.audit_rows import ReviewAuditRow, RevisionAuditRow

# (account, 0x digest, 0x signature) -> whether the account signed it (ECDSA or ERC-1271)
SignedBy = Callable[[str, str, str], bool]


@dataclass
class AuthorWord:
    state: str | None = None  # "edited" or "erased", once proven by a signed revision
    problems: list[tuple[Kind, str]] = field(default_factory=list)


def _low(value: str | None) -> str:
    return (value or "").lower()


def _digest(chain_id: int, registry: str, revision: RevisionAuditRow, visit_id: str) -> str | None:
    try:
        if revision.kind == "erasure":
            message: dict[str, Any] = {
                "visitId": visit_id,
                "digest": revision.previous_digest,
                "deadline": revision.deadline,
            }
            return encode_hex(typed_digest(chain_id, registry, "ReviewErasure", message))
        message = {
            "visitId": visit_id,
            "previousDigest": revision.previous_digest,
            "rating": revision.rating,
            "treatment": revision.treatment,
            "bedside": revision.bedside,
            "waitTime": revision.wait_time,
            "text": revision.text,
            "deadline": revision.deadline,
        }
        if revision.text is None:
            if revision.text_hash is None:
                return None
            return encode_hex(
                digest_from_text_hash(chain_id, registry, "ReviewEdit", message, revision.text_hash)
            )
        return encode_hex(typed_digest(chain_id, registry, "ReviewEdit", message))
    except Exception:  # noqa: BLE001 - any value the encoder refuses: not what was signed
        return None


def text_erased(row: ReviewAuditRow) -> bool:
    """The stored text is gone and only its hash is left (what an erasure leaves)."""
    return row.text == "" and row.text_hash is not None


def check_author_word(
    row: ReviewAuditRow,
    revisions: list[RevisionAuditRow],
    *,
    chain_id: int,
    registry: str,
    signed: SignedBy,
) -> AuthorWord:
    """The review's state as its author's valid revisions make it, and what does not hold."""
    word = AuthorWord()
    last_edit, erasure_ok = _check_revisions(
        word, row, revisions, chain_id=chain_id, registry=registry, signed=signed
    )
    _check_erasure(word, row, revisions, erasure_ok=erasure_ok)
    _check_edit(word, row, last_edit)
    return word


def _check_revisions(
    word: AuthorWord,
    row: ReviewAuditRow,
    revisions: list[RevisionAuditRow],
    *,
    chain_id: int,
    registry: str,
    signed: SignedBy,
) -> tuple[RevisionAuditRow | None, bool]:
    """Each revision's digest, signature and link; (the latest valid edit, a valid erasure)."""
    patient = row.visit_patient or row.patient
    latest, last_edit, erasure_ok = _low(row.digest), None, False
    for revision in revisions:
        name = f"{revision.kind} {revision.seq}"
        digest = _digest(chain_id, registry, revision, row.visit_id)
        valid = digest is not None and digest == _low(revision.digest)
        if not valid:
            word.problems.append(
                (
                    Kind.REVISION_CHANGED,
                    f"{name}: the stored fields hash to {digest}; its digest is {revision.digest}",
                )
            )
        elif not signed(patient, revision.digest, revision.signature):
            valid = False
            word.problems.append((Kind.REVISION_CHANGED, f"{name} is not signed by the patient"))
        expected = latest if revision.kind == "edit" else _low(row.digest)
        if _low(revision.previous_digest) != expected:
            valid = False
            word.problems.append(
                (
                    Kind.REVISION_CHANGED,
                    f"{name} names {revision.previous_digest}; expected {expected}",
                )
            )
        if revision.kind == "edit":
            latest, last_edit = _low(revision.digest), (revision if valid else None)
        else:
            erasure_ok = erasure_ok or valid
    return last_edit, erasure_ok


def _check_erasure(
    word: AuthorWord, row: ReviewAuditRow, revisions: list[RevisionAuditRow], *, erasure_ok: bool
) -> None:
    """Text deleted only by a signed erasure, and a signed erasure applied."""
    if row.author_state == "erased" or text_erased(row):
        if erasure_ok and text_erased(row):
            word.state = "erased"
            if any(r.text is not None for r in revisions):
                word.problems.append(
                    (Kind.REVISION_CHANGED, "erased by its author, yet an edit's text is kept")
                )
        elif erasure_ok:
            word.problems.append(
                (Kind.REVISION_CHANGED, "erased by its author, yet the text is still stored")
            )
        else:
            word.problems.append(
                (
                    Kind.TEXT_CHANGED,
                    "the text was deleted without the patient's signed erasure request",
                )
            )
    elif erasure_ok:
        word.problems.append(
            (Kind.REVISION_CHANGED, "a signed erasure was not applied: the text is still stored")
        )


def _check_edit(word: AuthorWord, row: ReviewAuditRow, last_edit: RevisionAuditRow | None) -> None:
    """The ratings shown are the latest valid edit's, and only a valid edit shows any."""
    shown = (row.edited_rating, row.edited_treatment, row.edited_bedside, row.edited_wait_time)
    if last_edit is not None:
        word.state = word.state or "edited"
        signed_ratings = (
            last_edit.rating,
            last_edit.treatment,
            last_edit.bedside,
            last_edit.wait_time,
        )
        if shown != signed_ratings:
            word.problems.append(
                (
                    Kind.RATING_CHANGED,
                    f"shown ratings {shown}; the latest signed version has {signed_ratings}",
                )
            )
    elif any(value is not None for value in shown) or row.author_state == "edited":
        word.problems.append(
            (
                Kind.RATING_CHANGED,
                f"shown as edited (ratings {shown}) without a valid edit signed by the patient",
            )
        )
