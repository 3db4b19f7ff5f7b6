"""Recompute each stored review's digest and check its two signatures, in parallel.

This is the audit's CPU-bound part (two struct hashes and two public-key recoveries
per review), so large audits spread it over worker processes in chunks.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

from eth_utils.hexadecimal import encode_hex

from dentareview.audit.hashing import (
    digest_from_text_hash,
    review_digest,
    signed_by,
    visit_digest,
)
from dentareview.db.queries.audit_rows import ReviewAuditRow


@dataclass(frozen=True)
class Recomputed:
    digest: str | None  # of the stored fields; None if they cannot be hashed at all
    review_signed: bool  # the stored signature recovers to the stored visit's patient
    visit_signed: bool  # the stored visit's signature recovers to its dentist


def recompute(chain_id: int, registry: str, row: ReviewAuditRow) -> Recomputed:
    message: dict[str, Any] = {
        "visitId": row.visit_id,
        "rating": row.rating,
        "treatment": row.treatment,
        "bedside": row.bedside,
        "waitTime": row.wait_time,
        "text": row.text,
        "deadline": row.deadline,
    }
    try:
        digest: bytes | None = (
            # Erased by its author: the signed text is gone, its keccak256 is kept.
            digest_from_text_hash(chain_id, registry, "Review", message, row.text_hash)
            if row.text == "" and row.text_hash is not None
            else review_digest(chain_id, registry, message)
        )
    except Exception:  # noqa: BLE001 - any value the encoder refuses means "cannot hash"
        digest = None
    patient = row.visit_patient if row.visit_patient is not None else row.patient
    review_signed = digest is not None and signed_by(digest, row.signature, patient)
    return Recomputed(
        digest=None if digest is None else encode_hex(digest),
        review_signed=review_signed,
        visit_signed=_visit_signed(chain_id, registry, row),
    )


def _visit_signed(chain_id: int, registry: str, row: ReviewAuditRow) -> bool:
    if row.visit_dentist is None:
        return False
    message = {
        "visitId": row.visit_id,
        # Lowercase: the same address, minus the EIP-55 checksum check (two keccaks) the
        # ABI encoder would run on mixed case.
        "patient": (row.visit_patient or "").lower(),
        "dentist": row.visit_dentist.lower(),
        "visitedAt": row.visited_at,
    }
    try:
        digest = visit_digest(chain_id, registry, message)
    except Exception:  # noqa: BLE001 - unhashable stored values: not a valid attestation
        return False
    return signed_by(digest, row.visit_signature, row.visit_dentist)


def _chunk(job: tuple[int, str, list[ReviewAuditRow]]) -> list[Recomputed]:
    chain_id, registry, rows = job
    return [recompute(chain_id, registry, row) for row in rows]


def recompute_all(
    rows: Iterable[ReviewAuditRow],
    *,
    chain_id: int,
    registry: str,
    jobs: int = 1,
    chunk_size: int = 1000,
) -> Iterator[tuple[ReviewAuditRow, Recomputed]]:
    """Each row with its result, in input order; `jobs` > 1 uses that many processes."""
    source = iter(rows)
    chunks = iter(lambda: list(islice(source, chunk_size)), [])
    if jobs <= 1:
        for chunk in chunks:
            yield from zip(chunk, _chunk((chain_id, registry, chunk)), strict=True)
        return
    # fork: workers start at once with everything imported (spawn and forkserver re-import
    # the whole CLI per worker, seconds on a small machine). They only hash and recover
    # keys: they touch no lock, thread or connection inherited from the caller.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending: deque[tuple[list[ReviewAuditRow], Future[list[Recomputed]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(_chunk, (chain_id, registry, chunk))))
            if len(pending) > 2 * jobs:  # bounded: the database streams, memory stays flat
                done, future = pending.popleft()
                yield from zip(done, future.result(), strict=True)
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result(), strict=True)
