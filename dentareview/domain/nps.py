"""Would you recommend us? The patient's signed 0-10 score and the practice's verified NPS.

The score is an EIP-712 message of its own type in the review's domain (`Recommendation`,
see typed_data.EIP712_TYPES), signed by the visit's patient; `Visit` and `Review` never
change. The Net Promoter Score of a month is the share of promoters (9-10) minus the share
of detractors (0-6), in percentage points; passives (7-8) count in the total only.

Only aggregates leave this module, and a month with fewer than `MIN_MONTH_COUNT` answers
shows nothing: with one or two answers a practice could tell who said what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from eth_utils.hexadecimal import encode_hex

from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import typed_digest
from dentareview.errors import InvalidScore

SCORE_MIN: Final = 0
SCORE_MAX: Final = 10
PROMOTER_MIN: Final = 9  # 9-10
PASSIVE_MIN: Final = 7  # 7-8; 0-6 are detractors
# Fixed, not a setting: lowering it would let a practice single out a patient's answer.
MIN_MONTH_COUNT: Final = 5
QUESTION: Final = "How likely are you to recommend this practice to a friend or family member?"


@dataclass(frozen=True)
class Recommendation:
    visit_id: bytes
    score: int
    deadline: int

    def message(self) -> dict[str, Any]:
        return {
            "visitId": encode_hex(self.visit_id),
            "score": self.score,
            "deadline": self.deadline,
        }

    def digest(self, domain: Eip712Domain) -> bytes:
        return typed_digest(domain, "Recommendation", self.message())


def check_score(score: int) -> None:
    if not SCORE_MIN <= score <= SCORE_MAX:
        raise InvalidScore(
            f"score must be from {SCORE_MIN} to {SCORE_MAX}, got {score}", field="message.score"
        )


@dataclass(frozen=True)
class NpsCounts:
    """One month's answers by group, as the database sums them."""

    month: str
    promoters: int
    passives: int
    detractors: int

    @property
    def count(self) -> int:
        return self.promoters + self.passives + self.detractors


@dataclass(frozen=True)
class NpsMonth:
    """A month as the dashboard shows it: every figure None when `hidden`."""

    month: str
    hidden: bool
    count: int | None
    promoters: int | None
    passives: int | None
    detractors: int | None
    nps: float | None  # percentage points, -100..100


@dataclass(frozen=True)
class NpsReport:
    months: list[NpsMonth]
    total: NpsMonth  # over the shown months only, so hidden months cannot be subtracted out
    min_count: int


def nps_value(promoters: int, detractors: int, count: int) -> float | None:
    if count <= 0:
        return None
    return round(100 * (promoters - detractors) / count, 1)


def _shown(month: str, c: NpsCounts) -> NpsMonth:
    return NpsMonth(
        month, False, c.count, c.promoters, c.passives, c.detractors,
        nps_value(c.promoters, c.detractors, c.count),
    )  # fmt: skip


def nps_report(months: Sequence[str], counts: Sequence[NpsCounts]) -> NpsReport:
    """Each of `months` (oldest first), hidden below MIN_MONTH_COUNT answers, and the total
    of the months shown."""
    by_month = {c.month: c for c in counts}
    points: list[NpsMonth] = []
    shown: list[NpsCounts] = []
    for month in months:
        c = by_month.get(month, NpsCounts(month, 0, 0, 0))
        if c.count < MIN_MONTH_COUNT:
            points.append(NpsMonth(month, True, None, None, None, None, None))
            continue
        shown.append(c)
        points.append(_shown(month, c))
    total = NpsCounts(
        "total",
        sum(c.promoters for c in shown),
        sum(c.passives for c in shown),
        sum(c.detractors for c in shown),
    )
    return NpsReport(points, _shown("total", total), MIN_MONTH_COUNT)
