"""Query functions, keyword-only, grouped by what they serve; import them from here."""

from dentareview.db.queries.anchoring import (
    claim_pending_reviews,
    iter_anchored_reviews,
    mark_anchored,
    note_anchor_failure,
    note_sent,
)
from dentareview.db.queries.dentists import get_dentist, set_dentist_active, upsert_dentist
from dentareview.db.queries.locks import (
    lock_patient,
    relayer_lock,
    release_relayer_lock,
    try_relayer_lock,
)
from dentareview.db.queries.reputation import monthly_aggregates, pending_count, rating_aggregate
from dentareview.db.queries.reviews import (
    count_dentist_reviews,
    get_review,
    get_review_by_visit,
    insert_review,
    list_dentist_reviews,
    rewarded_times,
)
from dentareview.db.queries.rewards import (
    RewardSummary,
    get_reward_payment,
    insert_reward_payment,
    patient_reward_summary,
    patient_rewards,
)
from dentareview.db.queries.visits import get_visit, insert_visit

__all__ = [
    "RewardSummary",
    "claim_pending_reviews",
    "count_dentist_reviews",
    "get_dentist",
    "get_review",
    "get_review_by_visit",
    "get_reward_payment",
    "get_visit",
    "insert_review",
    "insert_reward_payment",
    "insert_visit",
    "iter_anchored_reviews",
    "list_dentist_reviews",
    "lock_patient",
    "mark_anchored",
    "monthly_aggregates",
    "note_anchor_failure",
    "note_sent",
    "patient_reward_summary",
    "patient_rewards",
    "pending_count",
    "rating_aggregate",
    "relayer_lock",
    "release_relayer_lock",
    "try_relayer_lock",
    "rewarded_times",
    "set_dentist_active",
    "upsert_dentist",
]
