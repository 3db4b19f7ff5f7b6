"""What every part of the reconciliation writes to: the counts and the findings.

Append-only: the parts add findings and count, none reads what another wrote.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dentareview.audit.findings import Finding, Kind
from dentareview.db.queries.audit_rows import PaymentAuditRow, ReviewAuditRow


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


@dataclass
class Tally:
    counts: AuditCounts = field(default_factory=AuditCounts)
    findings: list[Finding] = field(default_factory=list)

    def add(self, kind: Kind, review_id: int | None, detail: str) -> None:
        self.findings.append(Finding(kind, review_id, detail))


def low(value: str | None) -> str:
    return (value or "").lower()


def payments_by_review(payments: Iterable[PaymentAuditRow]) -> dict[int, list[PaymentAuditRow]]:
    grouped: defaultdict[int, list[PaymentAuditRow]] = defaultdict(list)
    for payment in payments:
        grouped[payment.review_id].append(payment)
    return dict(grouped)


def check_parties(
    tally: Tally, row: ReviewAuditRow, *, patient: str, dentist: str, source: str
) -> bool:
    """Report stored parties that differ from `source`'s; True if the stored visit's match."""
    for kind, expected, stored in (
        (Kind.DENTIST_CHANGED, dentist, {"review": row.dentist, "visit": row.visit_dentist}),
        (Kind.PATIENT_CHANGED, patient, {"review": row.patient, "visit": row.visit_patient}),
    ):
        wrong = [
            f"{where} says {value}"
            for where, value in stored.items()
            if low(value) != low(expected)
        ]
        if wrong:
            tally.add(kind, row.id, f"{'; '.join(wrong)}; {source} says {expected}")
    return low(row.visit_dentist) == low(dentist) and low(row.visit_patient) == low(patient)


def paid_twice(tally: Tally, row: ReviewAuditRow, payments: list[PaymentAuditRow]) -> bool:
    """Report a review with more than one recorded payment; True if it has."""
    if len(payments) <= 1:
        return False
    ids = ", ".join(str(p.id) for p in payments)
    tally.add(Kind.VISIT_REWARDED_TWICE, row.id, f"visit {row.visit_id} has payments {ids}")
    return True
