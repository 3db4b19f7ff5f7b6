"""Batch mode: each member review on its own, then each batch against its `BatchAnchored`.

The batch transaction carries only the root, so there is no calldata to say which signed
field changed: the stored digest is the leaf, and the fields must hash to it. A batch is
checked once all its members were seen: `member` returns what that check needs of one
review, and `check_batches` takes them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from eth_utils.hexadecimal import decode_hex, encode_hex

from dentareview.audit.chain_records import BatchLog, ChainRecords
from dentareview.audit.findings import Kind
from dentareview.audit.recompute import Recomputed
from dentareview.audit.reconcile.tally import Tally, check_parties, low, paid_twice
from dentareview.db.queries.audit_rows import (
    BatchAuditRow,
    PaymentAuditRow,
    PayoutAuditRow,
    ReviewAuditRow,
)
from dentareview.domain.merkle import MerkleTree


class Member(NamedTuple):
    """What a batch's check needs of one member review (not its text)."""

    id: int
    leaf_index: int
    digest: str
    status: str
    tx_hash: str | None
    block_number: int | None
    log_index: int | None


@dataclass(frozen=True)
class BatchMembers:
    """Checks one member review: its fields, signatures, parties and payments."""

    tally: Tally
    payments_of: Mapping[int, list[PaymentAuditRow]]
    payout_status: Mapping[int, str]  # each recorded payout's status, by payout id

    @classmethod
    def of(
        cls,
        tally: Tally,
        payments_of: Mapping[int, list[PaymentAuditRow]],
        payouts: Sequence[PayoutAuditRow],
    ) -> BatchMembers:
        return cls(tally, payments_of, {payout.id: payout.status for payout in payouts})

    def member(self, row: ReviewAuditRow, result: Recomputed) -> Member:
        assert row.batch_id is not None and row.leaf_index is not None
        if self._fields(row, result):
            self._payments(row)
        return Member(
            row.id,
            row.leaf_index,
            low(row.digest),
            row.status,
            row.tx_hash,
            row.block_number,
            row.log_index,
        )  # fmt: skip

    def _fields(self, row: ReviewAuditRow, result: Recomputed) -> bool:
        """False when neither signature holds: a fabricated review, nothing more to check."""
        add = self.tally.add
        if result.digest != low(row.digest):
            add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"the stored fields hash to {result.digest}; batch {row.batch_id} holds the "
                f"digest {row.digest} (text, ratings or deadline edited: a batch's transaction "
                "carries only the root, so the chain cannot say which)",
            )
        elif not (result.review_signed or result.visit_signed):
            add(
                Kind.FABRICATED_REVIEW,
                row.id,
                f"visit {row.visit_id}: neither the review nor the visit is signed",
            )
            return False
        elif not result.review_signed:
            add(
                Kind.SIGNATURE_CHANGED,
                row.id,
                "the stored signature does not recover to the patient",
            )
        if result.visit_signed:
            check_parties(
                self.tally,
                row,
                patient=row.visit_patient or "",
                dentist=row.visit_dentist or "",
                source="the signed visit",
            )
        else:
            add(
                Kind.VISIT_CHANGED,
                row.id,
                f"visit {row.visit_id} as stored is not signed by {row.visit_dentist}",
            )
        return True

    def _payments(self, row: ReviewAuditRow) -> None:
        payments = self.payments_of.get(row.id, [])
        paid_twice(self.tally, row, payments)
        for payment in payments:
            paid_by = self.payout_status.get(payment.payout_id or -1)
            if payment.status == "queued" or (payment.status == "paid" and paid_by != "paid"):
                self.tally.add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} recorded as {payment.status} (payout "
                    f"{payment.payout_id}, {paid_by or 'none'}); batch rewards are paid only "
                    "by a recorded payout",
                )


@dataclass(frozen=True)
class Batches:
    """Each stored batch against its root's `BatchAnchored`; roots nobody stored."""

    tally: Tally
    chain: ChainRecords
    payments_of: Mapping[int, list[PaymentAuditRow]]

    def check(self, batches: Sequence[BatchAuditRow], members: Mapping[int, list[Member]]) -> None:
        """`members`: every member review seen, by batch id."""
        stored_roots: set[str] = set()
        for batch in batches:
            root = low(batch.root)
            stored_roots.add(root)
            ordered = sorted(members.get(batch.id, []), key=lambda m: m.leaf_index)
            logs = self.chain.batches.get(root)
            if (batch.block_number or 0) > self.chain.last_block:
                continue  # anchored after the head: the next audit checks it
            if not logs:
                self._not_anchored(batch, root, ordered)
                continue
            self._tree(batch, root, ordered, logs[0])
            self._record(batch, ordered, logs[0])
        for root, logs in self.chain.batches.items():
            if root not in stored_roots:
                for log in logs:
                    self.tally.add(
                        Kind.MISSING_BATCH,
                        None,
                        f"root {root} of {log.size} reviews ({log.rewarded} rewarded) anchored "
                        f"in {log.tx_hash} (block {log.block_number}, log {log.log_index}); "
                        "no batch records it",
                    )

    def _not_anchored(self, batch: BatchAuditRow, root: str, members: list[Member]) -> None:
        if batch.status != "anchored":
            return
        self.tally.add(
            Kind.NOT_ANCHORED,
            None,
            f"batch {batch.id} (root {root}) recorded as anchored in {batch.tx_hash} "
            f"(block {batch.block_number}); the registry has no BatchAnchored for it",
        )
        for member in members:
            self.tally.add(
                Kind.NOT_ANCHORED,
                member.id,
                f"recorded as anchored in batch {batch.id}, whose root the registry never anchored",
            )

    def _tree(self, batch: BatchAuditRow, root: str, members: list[Member], log: BatchLog) -> None:
        where = f"batch {batch.id} (root {root}, anchored in {log.tx_hash})"
        indexes = [member.leaf_index for member in members]
        missing = sorted(set(range(log.size)) - set(indexes))
        if (
            missing
            and len(set(indexes)) == len(indexes)
            and all(0 <= i < log.size for i in indexes)
        ):
            self.tally.add(
                Kind.MISSING_REVIEW,
                None,
                f"{where}: the chain anchored {log.size} reviews, {len(members)} are stored; "
                f"no review holds leaf {', '.join(map(str, missing))}",
            )
            return
        tree = MerkleTree.of(decode_hex(m.digest) for m in members) if members else None
        rebuilt = "nothing" if tree is None else encode_hex(tree.root)
        if rebuilt != root or len(members) != log.size or batch.size != log.size:
            self.tally.add(
                Kind.BATCH_CHANGED,
                None,
                f"{where}: its {len(members)} stored reviews rebuild the root {rebuilt}; the "
                f"chain anchored {root} of {log.size} reviews",
            )
            return
        assert tree is not None
        misplaced = [m.id for m in members if encode_hex(tree.values[m.leaf_index]) != m.digest]
        if misplaced:
            self.tally.add(
                Kind.BATCH_CHANGED,
                None,
                f"{where}: reviews {', '.join(map(str, misplaced))} are recorded at another "
                "leaf than their digest's (their proofs would fail)",
            )

    def _record(self, batch: BatchAuditRow, members: list[Member], log: BatchLog) -> None:
        add = self.tally.add
        location = (log.tx_hash, log.block_number, log.log_index)
        in_flight = batch.status != "anchored"  # on-chain; the worker has yet to record it
        if not in_flight:
            stored = (low(batch.tx_hash), batch.block_number, batch.log_index)
            if stored != location:
                add(
                    Kind.ANCHOR_RECORD_CHANGED,
                    None,
                    f"batch {batch.id}: stored tx {batch.tx_hash} block {batch.block_number} "
                    f"log {batch.log_index}; chain tx {log.tx_hash} block {log.block_number} "
                    f"log {log.log_index}",
                )
        for member in members:
            if member.status != "anchored":
                if in_flight:
                    self.tally.counts.in_flight += 1
                else:
                    add(
                        Kind.ANCHORED_BUT_PENDING,
                        member.id,
                        f"in batch {batch.id}, anchored in {log.tx_hash} "
                        f"(block {log.block_number})",
                    )
                continue
            stored = (low(member.tx_hash), member.block_number, member.log_index)
            if stored != location:
                add(
                    Kind.ANCHOR_RECORD_CHANGED,
                    member.id,
                    f"stored tx {member.tx_hash} block {member.block_number} log "
                    f"{member.log_index}; its batch's root is anchored in tx {log.tx_hash} "
                    f"block {log.block_number} log {log.log_index}",
                )
        rewarded = sum(1 for member in members if self.payments_of.get(member.id))
        if batch.rewarded != log.rewarded or rewarded != log.rewarded:
            kind = Kind.REWARD_NOT_RECORDED if rewarded < log.rewarded else Kind.REWARD_MISMATCH
            add(
                kind,
                None,
                f"batch {batch.id}: the chain credited {log.rewarded} rewards for its root; "
                f"the batch records {batch.rewarded} and {rewarded} of its reviews have a payment",
            )
