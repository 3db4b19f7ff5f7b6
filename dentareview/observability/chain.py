"""What the chain side records as it happens: receipts' gas and fees, latencies from
acceptance, by writer kind (`WRITER_KINDS`)."""

from __future__ import annotations

from typing import Literal

from web3.types import TxReceipt

from dentareview.domain.policy import DENTIST_LIMIT
from dentareview.observability.metrics import (
    FEES_PAID,
    GAS_USED,
    REWARDS_MINTED,
    REWARDS_QUEUED,
    REWARDS_WITHHELD,
    TIME_TO_ANCHORED,
    TIME_TO_FINAL,
    TX_REVERTED,
    WITHHELD_LIMITS,
    WRITER_KINDS,
)


def writer_kind(noun: str) -> str:
    """A writer's kind label from its noun ("statements" writes statements)."""
    kind = noun.removesuffix("s")
    if kind not in WRITER_KINDS:
        raise ValueError(f"no metrics kind for the writer {noun!r}: add it to WRITER_KINDS")
    return kind


def observe_receipt(kind: str, receipt: TxReceipt) -> None:
    """Gas used and fees paid (gasUsed x effectiveGasPrice), and whether it reverted."""
    gas = int(receipt["gasUsed"])
    GAS_USED.labels(kind).inc(gas)
    FEES_PAID.labels(kind).inc(gas * int(receipt.get("effectiveGasPrice", 0) or 0))
    if receipt["status"] != 1:
        TX_REVERTED.labels(kind).inc()


def accepted_at(row: object) -> int | None:
    """When the service accepted the write a row holds (a review's submission, a batch's,
    payout's or statement's creation)."""
    value = getattr(row, "submitted_at", None) or getattr(row, "created_at", None)
    return value if isinstance(value, int) else None


def observe_anchored(kind: str, row: object, *, now: float) -> None:
    at = accepted_at(row)
    if at is not None:
        TIME_TO_ANCHORED.labels(kind).observe(max(0.0, now - at))


def observe_final(kind: str, row: object, *, now: float) -> None:
    at = accepted_at(row)
    if at is not None:
        TIME_TO_FINAL.labels(kind).observe(max(0.0, now - at))


def observe_reward(status: Literal["paid", "queued", "withheld"]) -> None:
    """A rewarded review anchored: its reward minted, queued by the registry's daily cap,
    or withheld by the registry's daily limit of rewarded reviews per dentist."""
    if status == "paid":
        REWARDS_MINTED.inc()
    elif status == "queued":
        REWARDS_QUEUED.inc()
    else:
        REWARDS_WITHHELD.labels(DENTIST_LIMIT).inc()


def observe_withheld(limit: str) -> None:
    """A review accepted without a reward: the policy's limit that withheld it."""
    REWARDS_WITHHELD.labels(limit if limit in WITHHELD_LIMITS else "OTHER").inc()
