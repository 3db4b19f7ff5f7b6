"""The full audit: the whole database reconciled with the chain's events.

The chain is read first, up to a fixed head block, then the database in one read
transaction (a consistent snapshot), so a review the worker anchors meanwhile is
seen either as in flight or as after the head, never as a discrepancy.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Protocol

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from dentareview.audit.calldata import signed_fields
from dentareview.audit.chain_records import read_chain
from dentareview.audit.findings import AUTHOR_STATES, DESCRIPTIONS, Finding, Kind
from dentareview.audit.hashing import signed_by as signed_by_ecdsa
from dentareview.audit.hashing import visit_digest
from dentareview.audit.logs import DEFAULT_BLOCK_RANGE
from dentareview.audit.recompute import Recomputed, recompute_all
from dentareview.audit.reconcile import AuditCounts, Reconciler
from dentareview.audit.rpc import rpc_calls
from dentareview.chain.deployments import Manifest
from dentareview.chain.erc1271 import Erc1271Accounts
from dentareview.chain.registry import RegistryContract
from dentareview.db.queries.audit_rows import (
    ReviewAuditRow,
    count_reviews,
    iter_review_audit_rows,
    list_batch_audit_rows,
    list_payment_audit_rows,
    list_payout_audit_rows,
    list_revision_audit_rows,
)
from dentareview.db.queries.moderation import latest_decisions
from dentareview.db.queries.replies import all_replies
from dentareview.domain.typed_data import ecdsa_signer_or_none
from dentareview.errors import DentaReviewError

# Below this many reviews, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 5_000


class AuditProgress(Protocol):
    def start(self, *, blocks: int, reviews: int) -> None: ...
    def blocks_done(self, count: int) -> None: ...
    def reviews_done(self, count: int) -> None: ...


class _Silent:
    def start(self, *, blocks: int, reviews: int) -> None:
        pass

    def blocks_done(self, count: int) -> None:
        pass

    def reviews_done(self, count: int) -> None:
        pass


@dataclass
class AuditReport:
    chain_id: int
    registry: str
    token: str
    first_block: int
    last_block: int
    counts: AuditCounts
    findings: list[Finding]
    rpc_calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    def by_kind(self) -> dict[Kind, list[Finding]]:
        grouped: dict[Kind, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.kind, []).append(finding)
        return {kind: grouped[kind] for kind in Kind if kind in grouped}

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "chainId": self.chain_id,
            "registry": self.registry,
            "token": self.token,
            "blocks": [self.first_block, self.last_block],
            "counts": vars(self.counts),
            # Signed by the patients themselves: counted, never discrepancies.
            "states": {
                "EDITED": {"description": AUTHOR_STATES["EDITED"], "count": self.counts.edited},
                "ERASED": {"description": AUTHOR_STATES["ERASED"], "count": self.counts.erased},
                "UNDER_REVIEW": {
                    "description": AUTHOR_STATES["UNDER_REVIEW"],
                    "count": self.counts.under_review,
                },
                "REMOVED_BY_MODERATION": {
                    "description": AUTHOR_STATES["REMOVED_BY_MODERATION"],
                    "count": self.counts.removed_by_moderation,
                },
            },
            "discrepancies": {
                str(kind): {
                    "description": DESCRIPTIONS[kind],
                    "items": [finding.to_json() for finding in found],
                }
                for kind, found in self.by_kind().items()
            },
            "rpcCalls": dict(self.rpc_calls),
            "rpcCallsTotal": sum(self.rpc_calls.values()),
            "seconds": round(self.seconds, 3),
        }


class ContractAccountSignatures:
    """A second look, through the node, at signatures ECDSA refused: a smart-contract
    account (ERC-1271) signs with its own format. EOAs (no code) cost one call at most."""

    def __init__(self, w3: Web3, chain_id: int, registry: str) -> None:
        self._accounts = Erc1271Accounts(w3, registry)
        self._chain_id = chain_id
        self._registry = registry
        self._registry_contract = RegistryContract(w3, registry)
        self._keys: dict[str, tuple[str, int]] = {}  # visitSignerOf, read once per key

    def recheck(self, row: ReviewAuditRow, result: Recomputed) -> Recomputed:
        if result.review_signed and result.visit_signed:
            return result
        review_signed = result.review_signed or (
            result.digest is not None
            and self._accepts(row.visit_patient or row.patient, result.digest, row.signature)
        )
        visit_signed = result.visit_signed or self._visit_accepted(row)
        return replace(result, review_signed=review_signed, visit_signed=visit_signed)

    def _visit_accepted(self, row: ReviewAuditRow) -> bool:
        if row.visit_dentist is None or row.visit_signature is None:
            return False
        message = {
            "visitId": row.visit_id,
            "patient": row.visit_patient,
            "dentist": row.visit_dentist,
            "visitedAt": row.visited_at,
        }
        try:
            digest = visit_digest(self._chain_id, self._registry, message)
        except (ValueError, TypeError):
            return False
        if self._accepts(row.visit_dentist, encode_hex(digest), row.visit_signature):
            return True
        return self._key_speaks_for(row.visit_dentist, row.visited_at, digest, row.visit_signature)

    def _key_speaks_for(
        self, dentist: str, visited_at: int | None, digest: bytes, signature: str
    ) -> bool:
        """A visit-signing key's visit: only if the chain's `visitSignerOf` covers it."""
        try:
            key = ecdsa_signer_or_none(digest, decode_hex(signature))
        except ValueError:
            return False
        if key is None or visited_at is None:
            return False
        if key not in self._keys:
            self._keys[key] = self._registry_contract.visit_signer_of(key)
        granted_to, valid_until = self._keys[key]
        return granted_to.lower() == dentist.lower() and visited_at <= valid_until

    def signed(self, account: str, digest: str, signature: str) -> bool:
        """A patient's edit or erasure: ECDSA first, then the account itself (ERC-1271)."""
        try:
            if signed_by_ecdsa(decode_hex(digest), signature, account):
                return True
        except ValueError:
            return False
        return self._accepts(account, digest, signature)

    def _accepts(self, account: str, digest: str, signature: str) -> bool:
        try:
            return self._accounts.accepts(account, decode_hex(digest), decode_hex(signature))
        except (ValueError, DentaReviewError):
            return False


def _snapshot(session: Session) -> None:
    # One consistent view of reviews and payments; SQLite's read transaction already is.
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def run_audit(
    sessions: sessionmaker[Session],
    w3: Web3,
    manifest: Manifest,
    *,
    block_range: int = DEFAULT_BLOCK_RANGE,
    jobs: int | None = None,
    progress: AuditProgress | None = None,
) -> AuditReport:
    """Reconcile every review and reward payment with the chain; `jobs` processes hash."""
    started = time.perf_counter()
    progress = progress or _Silent()
    registry = RegistryContract(w3, manifest.registry.address)
    token = registry.token_address()
    first_block = manifest.registry.block_number
    last_block = int(w3.eth.block_number)
    with sessions() as session:
        _snapshot(session)
        total = count_reviews(session)
        progress.start(blocks=2 * (last_block - first_block + 1), reviews=total)
        chain = read_chain(
            w3,
            registry=registry.address,
            token=token,
            first_block=first_block,
            last_block=last_block,
            step=block_range,
            on_range=progress.blocks_done,
        )
        contract_accounts = ContractAccountSignatures(w3, manifest.chain_id, registry.address)
        reconciler = Reconciler(
            chain=chain,
            payments=list_payment_audit_rows(session),
            batches=list_batch_audit_rows(session),
            payouts=list_payout_audit_rows(session),
            signed_fields=lambda tx_hash: signed_fields(w3, registry, tx_hash),
            revisions=list_revision_audit_rows(session),
            revision_signed=contract_accounts.signed,
            replies=all_replies(session),
            moderation=latest_decisions(session),
            chain_id=manifest.chain_id,
            registry=registry.address,
        )
        workers = (jobs or os.cpu_count() or 1) if total >= PARALLEL_THRESHOLD else 1
        checked = recompute_all(
            iter_review_audit_rows(session),
            chain_id=manifest.chain_id,
            registry=registry.address,
            jobs=workers,
        )
        for index, (row, result) in enumerate(checked, start=1):
            reconciler.review(row, contract_accounts.recheck(row, result))
            if index % 500 == 0:
                progress.reviews_done(500)
        progress.reviews_done(reconciler.counts.reviews % 500)
        reconciler.finish()
    return AuditReport(
        chain_id=manifest.chain_id,
        registry=registry.address,
        token=token,
        first_block=first_block,
        last_block=last_block,
        counts=reconciler.counts,
        findings=reconciler.findings,
        rpc_calls=rpc_calls(w3),
        seconds=time.perf_counter() - started,
    )
