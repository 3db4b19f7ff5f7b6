"""Single mode: each review against its own `ReviewAnchored`, and the anchors nobody stored.

Reading the anchoring calldata to say which field changed is injected (`signed_fields`),
and only called for reviews that no longer match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass

from eth_utils.hexadecimal import encode_hex

from dentareview.audit.calldata import SignedFields
from dentareview.audit.chain_records import AnchorLog, ChainRecords
from dentareview.audit.findings import Kind
from dentareview.audit.recompute import Recomputed
from dentareview.audit.reconcile.tally import Tally, check_parties, low, paid_twice
from dentareview.audit.revision_checks import text_erased
from dentareview.db.queries.audit_rows import PaymentAuditRow, ReviewAuditRow
from dentareview.domain.typed_data import text_hash


@dataclass(frozen=True)
class SingleReviews:
    tally: Tally
    chain: ChainRecords
    payments_of: Mapping[int, list[PaymentAuditRow]]
    signed_fields: Callable[[str], SignedFields | None]

    # ------------------------------------------------------------------ not anchored

    def unanchored(self, row: ReviewAuditRow, result: Recomputed) -> None:
        add = self.tally.add
        if row.failure_code is not None:
            # A terminal state, not tampering. ERC-1271 signatures are revocable, which is
            # the usual cause: say so rather than call the review fabricated.
            revoked = (
                ""
                if result.review_signed and result.visit_signed
                else ("; its signatures no longer verify (a smart-contract account can revoke one)")
            )
            add(
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
            add(Kind.FABRICATED_REVIEW, row.id, f"visit {row.visit_id}: {' and '.join(problems)}")
            return
        check_parties(
            self.tally,
            row,
            patient=row.visit_patient or "",
            dentist=row.visit_dentist or "",
            source="the signed visit",
        )
        if result.digest != low(row.digest):
            add(Kind.DIGEST_CHANGED, row.id, f"stored {row.digest}, fields hash to {result.digest}")
        if row.status == "anchored":
            add(
                Kind.NOT_ANCHORED,
                row.id,
                f"recorded as anchored in transaction {row.tx_hash} (block {row.block_number}); "
                f"the registry has no anchor for visit {row.visit_id}",
            )
        for payment in self.payments_of.get(row.id, []):
            if payment.status != "pending":
                add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} recorded as {payment.status}; review not anchored",
                )

    # ------------------------------------------------------------------ anchored

    def anchored(self, row: ReviewAuditRow, result: Recomputed, anchor: AnchorLog) -> None:
        add = self.tally.add
        if result.digest != anchor.digest:
            self._diagnose(row, result, anchor)
        else:
            if low(row.digest) != anchor.digest:
                add(Kind.DIGEST_CHANGED, row.id, f"stored {row.digest}, anchored {anchor.digest}")
            if not result.review_signed:
                add(
                    Kind.SIGNATURE_CHANGED,
                    row.id,
                    "the stored signature does not recover to the patient",
                )
        visit_matches = check_parties(
            self.tally,
            row,
            patient=anchor.patient,
            dentist=anchor.dentist,
            source="the anchor event",
        )
        if visit_matches and not result.visit_signed:
            add(
                Kind.VISIT_CHANGED,
                row.id,
                f"visit {row.visit_id} as stored is not signed by {row.visit_dentist}",
            )
        if row.status != "anchored":
            if row.sent_tx_hash is not None:
                self.tally.counts.in_flight += 1
            else:
                add(
                    Kind.ANCHORED_BUT_PENDING,
                    row.id,
                    f"anchored in transaction {anchor.tx_hash} (block {anchor.block_number})",
                )
            return
        stored = (low(row.tx_hash), row.block_number, row.log_index)
        if stored != (anchor.tx_hash, anchor.block_number, anchor.log_index):
            add(
                Kind.ANCHOR_RECORD_CHANGED,
                row.id,
                f"stored tx {row.tx_hash} block {row.block_number} log {row.log_index}; "
                f"chain tx {anchor.tx_hash} block {anchor.block_number} log {anchor.log_index}",
            )
        self._reward(row, anchor)

    def _diagnose(self, row: ReviewAuditRow, result: Recomputed, anchor: AnchorLog) -> None:
        """Name the stored fields that differ from what the patient signed."""
        add = self.tally.add
        signed = self.signed_fields(anchor.tx_hash)
        if signed is None or signed.visit_id != anchor.visit_id:
            add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"the stored fields hash to {result.digest}; the chain anchored {anchor.digest}",
            )
            return
        changed = False
        stored_hash = low(row.text_hash) if text_erased(row) else encode_hex(text_hash(row.text))
        if stored_hash != signed.text_hash:
            changed = True
            add(
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
            add(Kind.RATING_CHANGED, row.id, "; ".join(ratings))
        if row.deadline != signed.deadline or not changed:
            add(
                Kind.REVIEW_CHANGED,
                row.id,
                f"deadline stored {row.deadline}, signed {signed.deadline}"
                if row.deadline != signed.deadline
                else f"stored fields hash to {result.digest}; anchored {anchor.digest}",
            )

    def _reward(self, row: ReviewAuditRow, anchor: AnchorLog) -> None:
        add = self.tally.add
        payments = self.payments_of.get(row.id, [])
        if paid_twice(self.tally, row, payments):
            return
        payment = payments[0] if payments else None
        queued = [
            q for q in self.chain.queued.get(anchor.tx_hash, []) if q.account == anchor.patient
        ]
        if anchor.reward == 0 and not queued:
            if payment is not None:
                add(
                    Kind.REWARD_MISMATCH,
                    row.id,
                    f"payment {payment.id} of {payment.amount} recorded as {payment.status}; "
                    "the chain neither paid nor queued a reward for this review",
                )
            return
        owed, how = (anchor.reward, "paid") if anchor.reward else (queued[0].amount, "queued")
        if payment is None:
            add(
                Kind.REWARD_NOT_RECORDED,
                row.id,
                f"the chain {how} {owed} to {anchor.patient} in {anchor.tx_hash}; none recorded",
            )
            return
        if how == "paid":
            ok = payment.status == "paid" and low(payment.tx_hash) == anchor.tx_hash
        else:  # queued on-chain; paid later by a payQueuedReward transaction
            ok = payment.status == "queued" or (
                payment.status == "paid" and low(payment.tx_hash) in self.chain.queue_paid
            )
        if not ok or payment.amount != owed or low(payment.patient) != anchor.patient:
            add(
                Kind.REWARD_MISMATCH,
                row.id,
                f"recorded {payment.status} {payment.amount} to {payment.patient} in "
                f"{payment.tx_hash}; the chain {how} {owed} to {anchor.patient} "
                f"in {anchor.tx_hash}",
            )

    # ------------------------------------------------------------------ once all are seen

    def leftovers(self, seen_visits: Set[str]) -> None:
        """Anchors of visits no stored review has, and visits the chain rewarded twice."""
        for visit_id, anchors in self.chain.anchors.items():
            if visit_id not in seen_visits:
                for anchor in anchors:
                    self.tally.add(
                        Kind.MISSING_REVIEW,
                        None,
                        f"visit {visit_id}: digest {anchor.digest} anchored in {anchor.tx_hash} "
                        f"(block {anchor.block_number}, log {anchor.log_index})",
                    )
            if sum(1 for anchor in anchors if anchor.reward) > 1:
                self.tally.add(
                    Kind.VISIT_REWARDED_TWICE, None, f"visit {visit_id} rewarded on-chain twice"
                )

    def stray_payments(self, seen_reviews: Set[int]) -> None:
        """Payments recorded for reviews the database does not hold."""
        for review_id, payments in self.payments_of.items():
            if review_id not in seen_reviews:
                for payment in payments:
                    self.tally.add(
                        Kind.REWARD_MISMATCH,
                        review_id,
                        f"payment {payment.id} ({payment.status} {payment.amount}) of a review "
                        "that is not in the database",
                    )
