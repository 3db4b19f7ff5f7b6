"""Each review's later states: its author's signed edits and erasures, moderation, and the
practice's signed replies.

Neither changes a signed field (those are checked as for any review): an edit or an
erasure must be signed by the patient, a removal backed by a recorded decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dentareview.audit.findings import Kind
from dentareview.audit.reconcile.tally import Tally
from dentareview.audit.reply_checks import check_replies
from dentareview.audit.revision_checks import SignedBy, check_author_word, text_erased
from dentareview.db.models import ReviewReplyRow
from dentareview.db.queries.audit_rows import ReviewAuditRow, RevisionAuditRow


def _never_signed(_account: str, _digest: str, _signature: str) -> bool:
    return False


@dataclass(frozen=True)
class ReviewStates:
    tally: Tally
    # The patients' signed edits and erasures, keyed by review id, and how to check them.
    revisions: Mapping[int, list[RevisionAuditRow]]
    revision_signed: SignedBy | None
    # Each review's latest recorded moderation decision (its action), keyed by review id.
    moderation: Mapping[int, str]
    chain_id: int
    registry: str
    # The practices' signed reply versions, keyed by review id.
    replies: Mapping[int, list[ReviewReplyRow]] = field(default_factory=dict)

    def check(self, row: ReviewAuditRow) -> None:
        self._author_word(row)
        self._replies(row)
        self._moderation(row)

    def _replies(self, row: ReviewAuditRow) -> None:
        versions = self.replies.get(row.id, [])
        if not versions:
            return
        self.tally.counts.reply_versions += len(versions)
        problems = check_replies(
            row,
            versions,
            chain_id=self.chain_id,
            registry=self.registry,
            signed=self.revision_signed or _never_signed,
        )
        for kind, detail in problems:
            self.tally.add(kind, row.id, detail)

    def _moderation(self, row: ReviewAuditRow) -> None:
        if row.moderation_state == "under_review":
            self.tally.counts.under_review += 1
        elif row.moderation_state == "removed":
            if self.moderation.get(row.id) == "remove":
                self.tally.counts.removed_by_moderation += 1
            else:
                self.tally.add(
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
            signed=self.revision_signed or _never_signed,
        )
        for kind, detail in word.problems:
            self.tally.add(kind, row.id, detail)
        if word.state == "erased":
            self.tally.counts.erased += 1
        elif word.state == "edited":
            self.tally.counts.edited += 1
