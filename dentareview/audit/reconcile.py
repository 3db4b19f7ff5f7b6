"""Compare the database with the chain, review by review, then the chain's leftovers.

Pure: the chain's records, the stored rows and their recomputed digests come in;
findings come out. Reading the anchoring calldata to say which field changed is
injected (`signed_fields`), and only called for reviews that no longer match.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from dentareview.audit.calldata import SignedFields
from dentareview.audit.chain_records import AnchorLog, BatchLog, ChainRecords, PayoutLog
from dentareview.audit.findings import Finding, Kind
from dentareview.audit.recompute import Recomputed
from dentareview.audit.replies import check_replies
from dentareview.audit.revisions import SignedBy, check_author_word, text_erased
from dentareview.db.models import ReviewReplyRow
from dentareview.db.queries.audit import (
    BatchAuditRow,
    PaymentAuditRow,
    PayoutAuditRow,
    ReviewAuditRow,
    RevisionAuditRow,
)
from dentareview.domain.merkle import MerkleTree
from dentareview.domain.typed_data import text_hash


@dataclass
class AuditCounts:
    reviews: int = 0
    anchored: int = 0
    pending: int = 0
    in_flight: int = 0  # pending, anchored on-chain, the worker's transaction noted
    after_head: int = 0  # anchored after the block the audit read up to
    anchors: int = 0
    mints: int = 0
    payments: int = 0
    batches: int = 0  # batch mode: roots on-chain
    payouts: int = 0  # batch mode: RewardsPaid on-chain
    edited: int = 0  # EDITED: a newer version signed by the patient (not a discrepancy)
    erased: int = 0  # ERASED: erased by its author with a signed request (not a discrepancy)
    under_review: int = 0  # UNDER_REVIEW: flagged or signalled, still shown
    removed_by_moderation: int = 0  # REMOVED_BY_MODERATION: a recorded operator decision
    reply_versions: int = 0  # the practices' signed reply versions checked


def _low(value: str | None) -> str:
    return (value or "").lower()


class _Member(NamedTuple):
    """What a batch's check needs of one member review (not its text)."""

    id: int
    leaf_index: int
    digest: str
    status: str
    tx_hash: str | None
    block_number: int | None
    log_index: int | None


@dataclass
class Reconciler:
    chain: ChainRecords
    payments: list[PaymentAuditRow]
    signed_fields: Callable[[str], SignedFields | None]
    batches: list[BatchAuditRow] = field(default_factory=list)
    payouts: list[PayoutAuditRow] = field(default_factory=list)
    # The patients' signed edits and erasures, keyed by review id, and how to check them.
    revisions: dict[int, list[RevisionAuditRow]] = field(default_factory=dict)
    revision_signed: SignedBy | None = None
    # The practices' signed reply versions, keyed by review id (checked with revision_signed).
    replies: dict[int, list[ReviewReplyRow]] = field(default_factory=dict)
    # Each review's latest recorded moderation decision (its action), keyed by review id.
    moderation: dict[int, str] = field(default_factory=dict)
    chain_id: int = 0
    registry: str = ""
    counts: AuditCounts = field(default_factory=AuditCounts)
    findings: list[Finding] = field(default_factory=list)
    _members: defaultdict[int, list[_Member]] = field(default_factory=lambda: defaultdict(list))
    _used_mints: set[tuple[str, int]] = field(default_factory=set)
    _visits: set[str] = field(default_factory=set)
    _reviews: set[int] = field(default_factory=set)
    _payments_of: defaultdict[int, list[PaymentAuditRow]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def __post_init__(self) -> None:
        for payment in self.payments:
            self._payments_of[payment.review_id].append(payment)
        self.counts.payments = len(self.payments)
        self.counts.anchors = self.chain.anchor_count
        self.counts.mints = self.chain.mint_count
        self.counts.batches = sum(len(logs) for logs in self.chain.batches.values())
        self.counts.payouts = sum(len(logs) for logs in self.chain.payouts.values())
        self._payout_status = {payout.id: payout.status for payout in self.payouts}

    def _add(self, kind: Kind, review_id: int | None, detail: str) -> None:
        self.findings.append(Finding(kind, review_id, detail))

    # ------------------------------------------------------------------ per review

    def review(self, row: ReviewAuditRow, result: Recomputed) -> None:
        self.counts.reviews += 1
        self._reviews.add(row.id)
        self._author_word(row)
        self._replies(row)
        self._moderation(row)
        visit_id = _low(row.visit_id)
        self._visits.add(visit_id)
        if row.status == "anchored" and (row.block_number or 0) > self.chain.last_block:
            self.counts.after_head += 1  # the next audit checks it
            return
        if row.status == "anchored":
            self.counts.anchored += 1
        else:
            self.counts.pending += 1
        anchors = self.chain.anchors.get(visit_id)
        if row.batch_id is not None and row.leaf_index is not None and not anchors:
            self._batched(row, result)
        elif not anchors:
            self._unanchored(row, result)
        else:
            self._anchored(row, result, anchors[0])

    def _replies(self, row: ReviewAuditRow) -> None:
        versions = self.replies.get(row.id, [])
        if not versions:
            return
        self.counts.reply_versions += len(versions)
        problems = check_replies(
            row,
            versions,
            chain_id=self.chain_id,
            registry=self.registry,
            signed=self.revision_signed or (lambda _account, _digest, _signature: False),
        )
        for kind, detail in problems:
            self._add(kind, row.id, detail)

    def _moderation(self, row: ReviewAuditRow) -> None:
        """Moderation changes no signed field (those are checked as for any review); it
        must only be backed by a recorded decision."""
        if row.moderation_state == "under_review":
            self.counts.under_review += 1
        elif row.moderation_state == "removed":
            if self.moderation.get(row.id) == "remove":
                self.counts.removed_by_moderation += 1
            else:
                self._add(
                    Kind.MODERATION_UNRECORDED,
                    row.id,
                    "shown as removed by moderation; no operator's decision to remove it is "
                    "recorded",
                )

    def _author_word(self, row: ReviewAuditRow) -> None:
        revisions = self.revisions.get(row.id, [])
        if (
            not revisions
            and row.author_state is None
            and not text_erased(row)
            and (row.edited_rating is None)
        ):
            return
        word = check_author_word(
            row,
            revisions,
            chain_id=self.chain_id,
            registry=self.registry,
            signed=self.revision_signed or (lambda _account, _digest, _signature: False),
        )
        for kind, detail in word.problems:
            self._add(kind, row.id, detail)
        if word.state == "erased":
            self.counts.erased += 1
        elif word.state == "edited":
            self.counts.edited += 1

    def _unanchored(self, row: ReviewAuditRow, result: Recomputed) -> None:
        if row.failure_code is not None:
            # A terminal state, not tampering. ERC-1271 signatures are revocable, which is
            # the usual cause: say so rather than call the review fabricated.
            revoked = "" if result.review_signed and result.visit_signed else (
                "; its signatures no longer verify (a smart-contract account can revoke one)"
            )
            self._add(
                Kind.ANCHOR_FAILED,
                row.id,
                f"visit {row.visit_id}: the relay gave up ({row.failure_code}){revoked}",
            )
            return
        if not (result.review_signed and result.visit_signed):
            problems = []
            if not result.review_signed:
                problems.append("the review is not signed by the visit's patient")
            if not result.visit_signed:
                problems.append("the visit is not signed by its dentist")
            self._add(
                Kind.FABRICATED_REVIEW, row.id, f"visit {row.visit_id}: {' and '.join(problems)}"
            )
            return
        self._parties(
            row,
            patient=row.visit_patient or "",
            dentist=row.visit_dentist or "",
            source="the signed visit",
        )
        if result.digest != _low(row.digest):
            self._add(
                Kind.DIGEST_CHANGED, row.id, f"stored {row.digest}, fields hash to {result.digest}"
            )
        if row.status == "anchored":
            self._add(
                Kind.NOT_ANCHORED,
                row.id,
                f"recorded as anchored in transaction {row.tx_hash} (block {row.block_number}); "
                f"the registry has no anchor for visit {row.visit_id}",
            )
        for payment in self._payments_of.get(row.id, []):
            if payment.status != "pending":
                self._add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} recorded as {payment.status}; review not anchored",
                )

    def _batched(self, row: ReviewAuditRow, result: Recomputed) -> None:
        """A member of a batch: its own fields and signatures here, its root in `finish`.

        The batch transaction carries only the root, so there is no calldata to say which
        signed field changed: the stored digest is the leaf, and the fields must hash to it.
        """
        assert row.batch_id is not None and row.leaf_index is not None
        self._members[row.batch_id].append(
            _Member(
                row.id,
                row.leaf_index,
                _low(row.digest),
                row.status,
                row.tx_hash,
                row.block_number,
                row.log_index,
            )  # fmt: skip
        )
        if result.digest != _low(row.digest):
            self._add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"the stored fields hash to {result.digest}; batch {row.batch_id} holds the "
                f"digest {row.digest} (text, ratings or deadline edited: a batch's transaction "
                "carries only the root, so the chain cannot say which)",
            )
        elif not (result.review_signed or result.visit_signed):
            self._add(
                Kind.FABRICATED_REVIEW,
                row.id,
                f"visit {row.visit_id}: neither the review nor the visit is signed",
            )
            return
        elif not result.review_signed:
            self._add(
                Kind.SIGNATURE_CHANGED,
                row.id,
                "the stored signature does not recover to the patient",
            )
        if result.visit_signed:
            self._parties(
                row,
                patient=row.visit_patient or "",
                dentist=row.visit_dentist or "",
                source="the signed visit",
            )
        else:
            self._add(
                Kind.VISIT_CHANGED,
                row.id,
                f"visit {row.visit_id} as stored is not signed by {row.visit_dentist}",
            )
        payments = self._payments_of.get(row.id, [])
        if len(payments) > 1:
            ids = ", ".join(str(p.id) for p in payments)
            self._add(Kind.VISIT_REWARDED_TWICE, row.id, f"visit {row.visit_id} has payments {ids}")
        for payment in payments:
            paid_by = self._payout_status.get(payment.payout_id or -1)
            if payment.status == "queued" or (payment.status == "paid" and paid_by != "paid"):
                self._add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} recorded as {payment.status} (payout "
                    f"{payment.payout_id}, {paid_by or 'none'}); batch rewards are paid only "
                    "by a recorded payout",
                )

    def _anchored(self, row: ReviewAuditRow, result: Recomputed, anchor: AnchorLog) -> None:
        if result.digest != anchor.digest:
            self._diagnose(row, result, anchor)
        else:
            if _low(row.digest) != anchor.digest:
                self._add(
                    Kind.DIGEST_CHANGED, row.id, f"stored {row.digest}, anchored {anchor.digest}"
                )
            if not result.review_signed:
                self._add(
                    Kind.SIGNATURE_CHANGED,
                    row.id,
                    "the stored signature does not recover to the patient",
                )
        visit_matches = self._parties(
            row, patient=anchor.patient, dentist=anchor.dentist, source="the anchor event"
        )
        if visit_matches and not result.visit_signed:
            self._add(
                Kind.VISIT_CHANGED,
                row.id,
                f"visit {row.visit_id} as stored is not signed by {row.visit_dentist}",
            )
        if row.status != "anchored":
            if row.sent_tx_hash is not None:
                self.counts.in_flight += 1
            else:
                self._add(
                    Kind.ANCHORED_BUT_PENDING,
                    row.id,
                    f"anchored in transaction {anchor.tx_hash} (block {anchor.block_number})",
                )
            return
        stored = (_low(row.tx_hash), row.block_number, row.log_index)
        if stored != (anchor.tx_hash, anchor.block_number, anchor.log_index):
            self._add(
                Kind.ANCHOR_RECORD_CHANGED,
                row.id,
                f"stored tx {row.tx_hash} block {row.block_number} log {row.log_index}; "
                f"chain tx {anchor.tx_hash} block {anchor.block_number} log {anchor.log_index}",
            )
        self._reward(row, anchor)

    def _parties(self, row: ReviewAuditRow, *, patient: str, dentist: str, source: str) -> bool:
        """Report stored parties that differ from `source`'s; True if the stored visit's match."""
        for kind, expected, stored in (
            (Kind.DENTIST_CHANGED, dentist, {"review": row.dentist, "visit": row.visit_dentist}),
            (Kind.PATIENT_CHANGED, patient, {"review": row.patient, "visit": row.visit_patient}),
        ):
            wrong = [
                f"{where} says {value}"
                for where, value in stored.items()
                if _low(value) != _low(expected)
            ]
            if wrong:
                self._add(kind, row.id, f"{'; '.join(wrong)}; {source} says {expected}")
        return _low(row.visit_dentist) == _low(dentist) and _low(row.visit_patient) == _low(patient)

    def _diagnose(self, row: ReviewAuditRow, result: Recomputed, anchor: AnchorLog) -> None:
        """Name the stored fields that differ from what the patient signed."""
        signed = self.signed_fields(anchor.tx_hash)
        if signed is None or signed.visit_id != anchor.visit_id:
            self._add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"the stored fields hash to {result.digest}; the chain anchored {anchor.digest}",
            )
            return
        changed = False
        stored_hash = _low(row.text_hash) if text_erased(row) else "0x" + text_hash(row.text).hex()
        if stored_hash != signed.text_hash:
            changed = True
            self._add(
                Kind.TEXT_CHANGED,
                row.id,
                f"keccak256(text) is {stored_hash}; the patient signed {signed.text_hash}",
            )
        stored_ratings = {
            "rating": row.rating,
            "treatment": row.treatment,
            "bedside": row.bedside,
            "waitTime": row.wait_time,
        }
        ratings = [
            f"{name} stored {stored_ratings[name]}, signed {value}"
            for name, value in signed.ratings.items()
            if stored_ratings[name] != value
        ]
        if ratings:
            changed = True
            self._add(Kind.RATING_CHANGED, row.id, "; ".join(ratings))
        if row.deadline != signed.deadline or not changed:
            self._add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"deadline stored {row.deadline}, signed {signed.deadline}"
                if row.deadline != signed.deadline
                else f"stored fields hash to {result.digest}; anchored {anchor.digest}",
            )

    def _reward(self, row: ReviewAuditRow, anchor: AnchorLog) -> None:
        payments = self._payments_of.get(row.id, [])
        if len(payments) > 1:
            ids = ", ".join(str(p.id) for p in payments)
            self._add(Kind.VISIT_REWARDED_TWICE, row.id, f"visit {row.visit_id} has payments {ids}")
            return
        payment = payments[0] if payments else None
        queued = [
            q for q in self.chain.queued.get(anchor.tx_hash, []) if q.account == anchor.patient
        ]
        if anchor.reward == 0 and not queued:
            if payment is not None:
                self._add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} of {payment.amount} recorded as {payment.status}; "
                    "the chain neither paid nor queued a reward for this review",
                )
            return
        owed, how = (anchor.reward, "paid") if anchor.reward else (queued[0].amount, "queued")
        if payment is None:
            self._add(
                Kind.REWARD_NOT_RECORDED,
                row.id,
                f"the chain {how} {owed} to {anchor.patient} in {anchor.tx_hash}; none recorded",
            )
            return
        if how == "paid":
            ok = payment.status == "paid" and _low(payment.tx_hash) == anchor.tx_hash
        else:  # queued on-chain; paid later by a payQueuedReward transaction
            ok = payment.status == "queued" or (
                payment.status == "paid" and _low(payment.tx_hash) in self.chain.queue_paid
            )
        if not ok or payment.amount != owed or _low(payment.patient) != anchor.patient:
            self._add(
                Kind.REWARD_MISMATCH,
                row.id,
                f"recorded {payment.status} {payment.amount} to {payment.patient} in "
                f"{payment.tx_hash}; the chain {how} {owed} to {anchor.patient} "
                f"in {anchor.tx_hash}",
            )

    # ------------------------------------------------------------------ chain leftovers

    def _take_mint(self, tx_hash: str, account: str, amount: int) -> bool:
        for mint in self.chain.mints.get(tx_hash, []):
            key = (mint.tx_hash, mint.log_index)
            if key not in self._used_mints and mint.account == account and mint.amount == amount:
                self._used_mints.add(key)
                return True
        return False

    def finish(self) -> None:
        """What only shows once every row was seen: missing records and stray mints."""
        used = self._used_mints
        take_mint = self._take_mint
        self._finish_batches()
        self._finish_payouts()

        for visit_id, anchors in self.chain.anchors.items():
            if visit_id not in self._visits:
                for anchor in anchors:
                    self._add(
                        Kind.MISSING_REVIEW,
                        None,
                        f"visit {visit_id}: digest {anchor.digest} anchored in {anchor.tx_hash} "
                        f"(block {anchor.block_number}, log {anchor.log_index})",
                    )
            if sum(1 for anchor in anchors if anchor.reward) > 1:
                self._add(
                    Kind.VISIT_REWARDED_TWICE, None, f"visit {visit_id} rewarded on-chain twice"
                )
            for anchor in anchors:
                if anchor.reward and not take_mint(anchor.tx_hash, anchor.patient, anchor.reward):
                    self._add(
                        Kind.REWARD_MINT_MISSING,
                        None,
                        f"{anchor.tx_hash} reports a reward of {anchor.reward}, never minted",
                    )
        for entries in self.chain.queue_paid.values():
            for entry in entries:
                if not take_mint(entry.tx_hash, entry.account, entry.amount):
                    self._add(
                        Kind.REWARD_MINT_MISSING,
                        None,
                        f"{entry.tx_hash} pays {entry.amount} from the queue, never minted",
                    )
        for mints in self.chain.mints.values():
            for mint in mints:
                if (mint.tx_hash, mint.log_index) not in used:
                    self._add(
                        Kind.UNEXPLAINED_MINT,
                        None,
                        f"{mint.amount} minted to {mint.account} in {mint.tx_hash} "
                        f"(log {mint.log_index})",
                    )
        for review_id, payments in self._payments_of.items():
            if review_id not in self._reviews:
                for payment in payments:
                    self._add(
                        Kind.REWARD_MISMATCH,
                        review_id,
                        f"payment {payment.id} ({payment.status} {payment.amount}) of a review "
                        "that is not in the database",
                    )

    # ------------------------------------------------------------------ batch mode

    def _finish_batches(self) -> None:
        """Each stored batch against its root's `BatchAnchored`; roots nobody stored."""
        stored_roots: set[str] = set()
        for batch in self.batches:
            root = _low(batch.root)
            stored_roots.add(root)
            members = sorted(self._members.get(batch.id, []), key=lambda m: m.leaf_index)
            logs = self.chain.batches.get(root)
            if (batch.block_number or 0) > self.chain.last_block:
                continue  # anchored after the head: the next audit checks it
            if not logs:
                if batch.status == "anchored":
                    self._add(
                        Kind.NOT_ANCHORED,
                        None,
                        f"batch {batch.id} (root {root}) recorded as anchored in {batch.tx_hash} "
                        f"(block {batch.block_number}); the registry has no BatchAnchored for it",
                    )
                    for member in members:
                        self._add(
                            Kind.NOT_ANCHORED,
                            member.id,
                            f"recorded as anchored in batch {batch.id}, whose root the registry "
                            "never anchored",
                        )
                continue
            self._check_tree(batch, root, members, logs[0])
            self._check_batch_record(batch, members, logs[0])
        for root, logs in self.chain.batches.items():
            if root not in stored_roots:
                for log in logs:
                    self._add(
                        Kind.MISSING_BATCH,
                        None,
                        f"root {root} of {log.size} reviews ({log.rewarded} rewarded) anchored "
                        f"in {log.tx_hash} (block {log.block_number}, log {log.log_index}); "
                        "no batch records it",
                    )

    def _check_tree(
        self, batch: BatchAuditRow, root: str, members: list[_Member], log: BatchLog
    ) -> None:
        where = f"batch {batch.id} (root {root}, anchored in {log.tx_hash})"
        indexes = [member.leaf_index for member in members]
        missing = sorted(set(range(log.size)) - set(indexes))
        if (
            missing
            and len(set(indexes)) == len(indexes)
            and all(0 <= i < log.size for i in indexes)
        ):
            self._add(
                Kind.MISSING_REVIEW,
                None,
                f"{where}: the chain anchored {log.size} reviews, {len(members)} are stored; "
                f"no review holds leaf {', '.join(map(str, missing))}",
            )
            return
        tree = MerkleTree.of(bytes.fromhex(m.digest[2:]) for m in members) if members else None
        rebuilt = "nothing" if tree is None else "0x" + tree.root.hex()
        if rebuilt != root or len(members) != log.size or batch.size != log.size:
            self._add(
                Kind.BATCH_CHANGED,
                None,
                f"{where}: its {len(members)} stored reviews rebuild the root {rebuilt}; the "
                f"chain anchored {root} of {log.size} reviews",
            )
            return
        assert tree is not None
        misplaced = [m.id for m in members if "0x" + tree.values[m.leaf_index].hex() != m.digest]
        if misplaced:
            self._add(
                Kind.BATCH_CHANGED,
                None,
                f"{where}: reviews {', '.join(map(str, misplaced))} are recorded at another "
                "leaf than their digest's (their proofs would fail)",
            )

    def _check_batch_record(
        self, batch: BatchAuditRow, members: list[_Member], log: BatchLog
    ) -> None:
        location = (log.tx_hash, log.block_number, log.log_index)
        in_flight = batch.status != "anchored"  # on-chain; the worker has yet to record it
        if not in_flight:
            stored = (_low(batch.tx_hash), batch.block_number, batch.log_index)
            if stored != location:
                self._add(
                    Kind.ANCHOR_RECORD_CHANGED,
                    None,
                    f"batch {batch.id}: stored tx {batch.tx_hash} block {batch.block_number} "
                    f"log {batch.log_index}; chain tx {log.tx_hash} block {log.block_number} "
                    f"log {log.log_index}",
                )
        for member in members:
            if member.status != "anchored":
                if in_flight:
                    self.counts.in_flight += 1
                else:
                    self._add(
                        Kind.ANCHORED_BUT_PENDING,
                        member.id,
                        f"in batch {batch.id}, anchored in {log.tx_hash} "
                        f"(block {log.block_number})",
                    )
                continue
            stored = (_low(member.tx_hash), member.block_number, member.log_index)
            if stored != location:
                self._add(
                    Kind.ANCHOR_RECORD_CHANGED,
                    member.id,
                    f"stored tx {member.tx_hash} block {member.block_number} log "
                    f"{member.log_index}; its batch's root is anchored in tx {log.tx_hash} "
                    f"block {log.block_number} log {log.log_index}",
                )
        rewarded = sum(1 for member in members if self._payments_of.get(member.id))
        if batch.rewarded != log.rewarded or rewarded != log.rewarded:
            kind = Kind.REWARD_NOT_RECORDED if rewarded < log.rewarded else Kind.REWARD_MISMATCH
            self._add(
                kind,
                None,
                f"batch {batch.id}: the chain credited {log.rewarded} rewards for its root; "
                f"the batch records {batch.rewarded} and {rewarded} of its reviews have a payment",
            )

    def _finish_payouts(self) -> None:
        """Each `RewardsPaid` against its recorded payout, and each payout's mints."""
        by_key = {_low(payout.payout_key): payout for payout in self.payouts}
        payments_of: defaultdict[int, list[PaymentAuditRow]] = defaultdict(list)
        for payment in self.payments:
            if payment.payout_id is not None:
                payments_of[payment.payout_id].append(payment)
        for key, logs in self.chain.payouts.items():
            log = logs[0]  # the registry refuses a payout id twice
            payout = by_key.get(key)
            if payout is None:
                for mint in self.chain.mints.get(log.tx_hash, []):
                    self._used_mints.add((mint.tx_hash, mint.log_index))  # reported here
                self._add(
                    Kind.REWARD_NOT_RECORDED,
                    None,
                    f"payout {key} minted {log.total} to {log.recipients} patients in "
                    f"{log.tx_hash} (block {log.block_number}); no payout records it",
                )
                continue
            problems = self._payout_problems(payout, log, payments_of[payout.id])
            if problems:
                self._add(
                    Kind.REWARD_MISMATCH, None, f"payout {payout.id} ({key}): {'; '.join(problems)}"
                )
        for payout in self.payouts:
            key = _low(payout.payout_key)
            if (
                payout.status == "paid"
                and key not in self.chain.payouts
                and (payout.block_number or 0) <= self.chain.last_block
            ):
                self._add(
                    Kind.REWARD_MISMATCH,
                    None,
                    f"payout {payout.id} ({key}) recorded as paid {payout.total} in "
                    f"{payout.tx_hash}; the registry has no RewardsPaid for it",
                )

    def _payout_problems(
        self, payout: PayoutAuditRow, log: PayoutLog, payments: list[PaymentAuditRow]
    ) -> list[str]:
        problems: list[str] = []
        if payout.status == "paid" and (_low(payout.tx_hash), payout.block_number) != (
            log.tx_hash,
            log.block_number,
        ):
            problems.append(
                f"recorded in {payout.tx_hash} (block {payout.block_number}); paid in "
                f"{log.tx_hash} (block {log.block_number})"
            )
        totals: defaultdict[str, int] = defaultdict(int)
        for payment in payments:
            totals[_low(payment.patient)] += int(payment.amount)
            if payout.status == "paid" and payment.status != "paid":
                problems.append(f"payment {payment.id} of review {payment.review_id} is "
                                f"{payment.status}")  # fmt: skip
        if (payout.recipients, int(payout.total)) != (log.recipients, log.total):
            problems.append(
                f"recorded {payout.recipients} patients, {payout.total} in all; the chain paid "
                f"{log.recipients} patients {log.total}"
            )
        if (len(totals), sum(totals.values())) != (log.recipients, log.total):
            problems.append(
                f"its {len(payments)} payments owe {sum(totals.values())} to {len(totals)} "
                f"patients; the chain paid {log.total} to {log.recipients}"
            )
        for patient, amount in totals.items():
            if not self._take_mint(log.tx_hash, patient, amount):
                problems.append(f"no mint of {amount} to {patient} in {log.tx_hash}")
        return problems
