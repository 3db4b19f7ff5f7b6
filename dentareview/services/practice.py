"""The signed-in dentist's practice: who may see it, and its dashboard."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dentareview.db.models import DentistRow
from dentareview.db.queries.dentists import get_dentist
from dentareview.db.queries.practice import (
    funnel_counts,
    median_seconds_to_review,
    monthly_sums,
    retention_counts,
    sums_before,
)
from dentareview.db.queries.replies import median_seconds_to_reply, reply_counts
from dentareview.db.queries.reputation import pending_count, rating_aggregate
from dentareview.domain.policy import DAY, PolicySettings
from dentareview.domain.practice import (
    DASHBOARD_MONTHS,
    RETENTION_WINDOW_DAYS,
    Funnel,
    MonthInput,
    MonthPoint,
    Replies,
    Retention,
    funnel,
    month_points,
    replies,
    retention,
)
from dentareview.domain.reputation import (
    Reputation,
    compute_reputation,
    month_start,
    trend_months,
)
from dentareview.domain.spreadsheet import Cell, write_csv
from dentareview.errors import DentistInactive, NotADentist


@dataclass(frozen=True)
class Practice:
    address: str
    name: str
    active: bool


@dataclass(frozen=True)
class Dashboard:
    practice: Practice
    generated_at: int
    reputation: Reputation
    months: list[MonthPoint]
    funnel: Funnel
    retention: Retention
    replies: Replies


def practice_of(session: Session, *, wallet: str) -> Practice:
    """The practice a signed-in wallet runs: NOT_A_DENTIST for any other wallet, and
    DENTIST_INACTIVE while the dentist is deactivated."""
    row: DentistRow | None = get_dentist(session, address=wallet)
    if row is None:
        raise NotADentist(f"{wallet} is not a registered dentist")
    if not row.active:
        raise DentistInactive(f"the dentist {wallet} is deactivated")
    return Practice(row.address, row.name, row.active)


def practice_dashboard(
    session: Session, *, wallet: str, now: int, policy: PolicySettings
) -> Dashboard:
    practice = practice_of(session, wallet=wallet)
    dentist = practice.address
    months = trend_months(now, DASHBOARD_MONTHS)
    since = month_start(months[0])
    sums = [
        MonthInput(s.month, s.count, s.rating_sum, s.treatment_sum, s.bedside_sum, s.wait_time_sum)
        for s in monthly_sums(session, dentist=dentist, since=since)
    ]
    count_before, rating_sum_before = sums_before(session, dentist=dentist, before=since)
    reputation = compute_reputation(
        rating_aggregate(session, dentist=dentist),
        [],
        now=now,
        prior_count=policy.bayesian_prior_count,
        prior_mean=policy.bayesian_prior_mean,
        pending_count=pending_count(session, dentist=dentist),
    )
    counts = funnel_counts(session, dentist=dentist)
    answered = reply_counts(session, dentist=dentist)
    patients, repeat = retention_counts(
        session, dentist=dentist, window_seconds=RETENTION_WINDOW_DAYS * DAY
    )
    return Dashboard(
        practice=practice,
        generated_at=now,
        reputation=reputation,
        months=month_points(
            months,
            sums,
            count_before=count_before,
            rating_sum_before=rating_sum_before,
            prior_count=policy.bayesian_prior_count,
            prior_mean=policy.bayesian_prior_mean,
        ),
        funnel=funnel(
            visits=counts.visits,
            reviews=counts.reviews,
            anchored=counts.anchored,
            rewarded=counts.rewarded,
            median_seconds=median_seconds_to_review(session, dentist=dentist),
        ),
        retention=retention(patients=patients, repeat_patients=repeat),
        replies=replies(
            reviews=answered.reviews,
            replied=answered.replied,
            median_seconds=median_seconds_to_reply(session, dentist=dentist),
        ),
    )


CSV_HEADER = (
    "month",
    "reviews",
    "mean_rating",
    "treatment",
    "bedside",
    "wait_time",
    "cumulative_reviews",
    "bayesian_score",
)


def dashboard_csv(dashboard: Dashboard) -> str:
    """The monthly figures as CSV (one row per month, oldest first), then the funnel,
    retention and replies as `metric,value` rows after an empty line."""
    rows: list[Sequence[Cell]] = [CSV_HEADER]
    for m in dashboard.months:
        rows.append(
            [
                m.month,
                m.count,
                m.mean,
                m.treatment,
                m.bedside,
                m.wait_time,
                m.cumulative_count,
                m.bayesian_score,
            ]
        )
    f, r, a = dashboard.funnel, dashboard.retention, dashboard.replies

    def hours(seconds: int | None) -> float | None:
        return None if seconds is None else round(seconds / 3600, 1)

    rows += [
        [],
        ["metric", "value"],
        ["visits_attested", f.visits],
        ["reviews_written", f.reviews],
        ["reviews_anchored", f.anchored],
        ["reviews_rewarded", f.rewarded],
        ["review_rate", f.review_rate],
        ["median_hours_to_review", hours(f.median_seconds_to_review)],
        ["patients", r.patients],
        [f"patients_with_repeat_visit_within_{r.window_days}_days", r.repeat_patients],
        ["verified_retention", r.share],
        ["reviews_replyable", a.reviews],
        ["reviews_replied", a.replied],
        ["reply_rate", a.rate],
        ["median_hours_to_reply", hours(a.median_seconds_to_reply)],
    ]
    out = io.StringIO()
    write_csv(out, rows)  # escapes any formula-like text (CSV injection)
    return out.getvalue()
