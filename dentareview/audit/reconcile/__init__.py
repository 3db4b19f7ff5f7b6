"""Compare the database with the chain, review by review, then the chain's leftovers.

Pure: the chain's records, the stored rows and their recomputed digests come in;
findings come out. The parts, one concern each:

- `states`: each review's author edits and erasures, and moderation;
- `single`: single mode, each review against its own anchor;
- `batches`: batch mode, each member review, then each batch against its root;
- `payouts`: batch mode's reward payouts, and the mints they account for;
- `mints`: every mint explained once, every reward minted.

`Reconciler` is the coordinator: `review` sends each row to its part, `finish` runs the
checks that need every row, in the one order that works (see there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from dentareview.audit.calldata import SignedFields
from dentareview.audit.chain_records import ChainRecords
from dentareview.audit.findings import Finding
from dentareview.audit.recompute import Recomputed
from dentareview.audit.reconcile.batches import Batches, BatchMembers, Member
from dentareview.audit.reconcile.mints import check_mints
from dentareview.audit.reconcile.payouts import check_payouts
from dentareview.audit.reconcile.single import SingleReviews
from dentareview.audit.reconcile.states import ReviewStates
from dentareview.audit.reconcile.tally import AuditCounts, Tally, low, payments_by_review
from dentareview.audit.revision_checks import SignedBy
from dentareview.db.models import ReviewReplyRow
from dentareview.db.queries.audit_rows import (
    BatchAuditRow,
    PaymentAuditRow,
    PayoutAuditRow,
    ReviewAuditRow,
    RevisionAuditRow,
)

__all__ = ["AuditCounts", "Reconciler"]


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
    tally: Tally = field(default_factory=Tally)
    # What `review` saw, for `finish`.
    _visits: set[str] = field(default_factory=set)
    _reviews: set[int] = field(default_factory=set)
    _members: defaultdict[int, list[Member]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        counts = self.tally.counts
        counts.payments = len(self.payments)
        counts.anchors = self.chain.anchor_count
        counts.mints = self.chain.mint_count
        counts.batches = sum(len(logs) for logs in self.chain.batches.values())
        counts.payouts = sum(len(logs) for logs in self.chain.payouts.values())
        payments_of = payments_by_review(self.payments)
        self._states = ReviewStates(
            self.tally,
            self.revisions,
            self.revision_signed,
            self.moderation,
            self.chain_id,
            self.registry,
            self.replies,
        )
        self._single = SingleReviews(self.tally, self.chain, payments_of, self.signed_fields)
        self._members_check = BatchMembers.of(self.tally, payments_of, self.payouts)
        self._batches_check = Batches(self.tally, self.chain, payments_of)

    @property
    def counts(self) -> AuditCounts:
        return self.tally.counts

    @property
    def findings(self) -> list[Finding]:
        return self.tally.findings

    def review(self, row: ReviewAuditRow, result: Recomputed) -> None:
        counts = self.tally.counts
        counts.reviews += 1
        self._reviews.add(row.id)
        self._states.check(row)
        visit_id = low(row.visit_id)
        self._visits.add(visit_id)
        if row.status == "anchored" and (row.block_number or 0) > self.chain.last_block:
            counts.after_head += 1  # the next audit checks it
            return
        if row.status == "anchored":
            counts.anchored += 1
        else:
            counts.pending += 1
        anchors = self.chain.anchors.get(visit_id)
        if row.batch_id is not None and row.leaf_index is not None and not anchors:
            self._members[row.batch_id].append(self._members_check.member(row, result))
        elif not anchors:
            self._single.unanchored(row, result)
        else:
            self._single.anchored(row, result, anchors[0])

    def finish(self) -> None:
        """What only shows once every row was seen: missing records and stray mints.

        The order matters once: the payouts take the mints they account for before the
        mints' check reports what nothing accounts for. It is passed on as a value.
        """
        self._batches_check.check(self.batches, self._members)
        taken_by_payouts = check_payouts(self.tally, self.chain, self.payouts, self.payments)
        self._single.leftovers(self._visits)
        check_mints(self.tally, self.chain, taken_by_payouts=taken_by_payouts)
        self._single.stray_payments(self._reviews)
