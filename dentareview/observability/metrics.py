"""Every metric the service exports, declared once: names, types, label names, help.

The names are part of the operators' interface (alert rules and dashboards use them):
they never change meaning. Conventions: the `dentareview_` prefix, `_total` on
counters, base units in the name (`_seconds`, `_wei`). Every label takes values from a
bounded set (`LABEL_VALUES` and the error catalogue): never a wallet, a visit id, an
email, a raw path or a URL.

With several worker processes (`dentareview serve --workers N`) the values live in
files under `PROMETHEUS_MULTIPROC_DIR`, summed at scrape time; each gauge says how.
The queue gauges (`dentareview_outbox_*` but the histograms) and `dentareview_redis_up`
are computed at scrape time by `observability.collectors`, so they are not declared
here as objects, only named in `SCRAPE_TIME`.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram

# The bounded label values (with the error codes of `dentareview.errors.ERROR_CATALOG`,
# the route templates of the app, and HTTP status codes).
WRITER_KINDS: Final = (
    "review",
    "batch",
    "payout",
    "statement",
    "visit_signer",
    "reward_transfer",
    "group_root",
    "anonymous_review",
)
INTAKE_KINDS: Final = ("visit", "review", "edit", "erasure", "reply")
WITHHELD_LIMITS: Final = ("DENTIST_COOLDOWN", "PATIENT_LIMIT", "DENTIST_LIMIT")
UNMATCHED_ROUTE: Final = "<unmatched>"  # a path no route matches (404s): never the path
OTHER_RPC_METHOD: Final = "other"

# Latencies of a request path (milliseconds to seconds).
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Acceptance to anchored or final: seconds (a fast local chain) to hours (an outage).
_CHAIN_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0, 3600.0, 21600.0)

# ------------------------------------------------------------------ HTTP
HTTP_REQUESTS = Counter(
    "dentareview_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "dentareview_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=_HTTP_BUCKETS,
)

# ------------------------------------------------------------------ intake
INTAKE_ACCEPTED = Counter(
    "dentareview_intake_accepted_total",
    "Signed writes accepted: visits, reviews, edits, erasures and replies.",
    ["kind"],
)
INTAKE_REFUSED = Counter(
    "dentareview_intake_refused_total",
    "Signed writes refused, by kind and catalogued error code.",
    ["kind", "code"],
)

# ------------------------------------------------------------------ the chain side (outbox)
TIME_TO_ANCHORED = Histogram(
    "dentareview_outbox_time_to_anchored_seconds",
    "Time from a write's acceptance to its transaction's inclusion, by writer kind.",
    ["kind"],
    buckets=_CHAIN_BUCKETS,
)
TIME_TO_FINAL = Histogram(
    "dentareview_outbox_time_to_final_seconds",
    "Time from a write's acceptance to its inclusion being final, by writer kind.",
    ["kind"],
    buckets=_CHAIN_BUCKETS,
)
TX_SENT = Counter(
    "dentareview_chain_transactions_sent_total",
    "Transactions broadcast (first versions, replacements and resends), by writer kind.",
    ["kind"],
)
TX_REPLACED = Counter(
    "dentareview_chain_transactions_replaced_total",
    "Stuck transactions replaced at the same nonce with higher fees, by writer kind.",
    ["kind"],
)
TX_REORGED = Counter(
    "dentareview_chain_transactions_reorged_total",
    "Included transactions whose block a reorg dropped, by writer kind.",
    ["kind"],
)
TX_REVERTED = Counter(
    "dentareview_chain_transactions_reverted_total",
    "Transactions mined with a failed status, by writer kind.",
    ["kind"],
)
GAS_USED = Counter(
    "dentareview_chain_gas_used_total",
    "Gas used by mined transactions (receipts' gasUsed), by writer kind.",
    ["kind"],
)
FEES_PAID = Counter(
    "dentareview_chain_fees_paid_wei_total",
    "Fees paid in wei (receipts' gasUsed x effectiveGasPrice), by writer kind.",
    ["kind"],
)
BASE_FEE = Gauge(
    "dentareview_chain_base_fee_wei",
    "The latest block's base fee seen when pricing a transaction, in wei.",
    multiprocess_mode="mostrecent",
)
SENDING_PAUSED = Gauge(
    "dentareview_chain_sending_paused",
    "1 while sending is held back because fees are over the configured cap, else 0.",
    multiprocess_mode="mostrecent",
)

# ------------------------------------------------------------------ rewards
REWARDS_MINTED = Counter(
    "dentareview_rewards_minted_total",
    "Rewards minted on-chain with their anchored review or payout.",
)
REWARDS_QUEUED = Counter(
    "dentareview_rewards_queued_total",
    "Rewards the registry queued for a later payout instead of minting them at once.",
)
REWARDS_WITHHELD = Counter(
    "dentareview_rewards_withheld_total",
    "Reviews published without a reward, by the limit that withheld it.",
    ["limit"],
)

# ------------------------------------------------------------------ the anchoring worker
WORKER_LEASE_HELD = Gauge(
    "dentareview_worker_lease_held",
    "1 on the process holding the anchoring worker lease, 0 on standbys (by host).",
    ["host"],
    multiprocess_mode="liveall",
)
WORKER_TAKEOVERS = Counter(
    "dentareview_worker_lease_takeovers_total",
    "Times a process took the anchoring worker lease.",
)

# ------------------------------------------------------------------ dependencies
DB_POOL_IN_USE = Gauge(
    "dentareview_db_pool_in_use",
    "Database connections checked out of the pool, summed over live processes.",
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "dentareview_db_pool_waiting",
    "Threads waiting to check out a database connection, summed over live processes.",
    multiprocess_mode="livesum",
)
RPC_DURATION = Histogram(
    "dentareview_rpc_request_duration_seconds",
    "Time of a JSON-RPC request to the chain node, by method.",
    ["method"],
    buckets=_HTTP_BUCKETS,
)
RPC_ERRORS = Counter(
    "dentareview_rpc_errors_total",
    "JSON-RPC requests to the chain node that failed (transport or error answer), by method.",
    ["method"],
)

# The gauges computed at scrape time (observability.collectors), with their labels.
SCRAPE_TIME: Final = {
    "dentareview_outbox_waiting": ("Writes waiting to be sent, by writer kind.", ("kind",)),
    "dentareview_outbox_in_flight": (
        "Writes sent whose transaction has no receipt yet, by writer kind.",
        ("kind",),
    ),
    "dentareview_outbox_unfinal": (
        "Writes included but not yet final, by writer kind.",
        ("kind",),
    ),
    "dentareview_outbox_oldest_waiting_age_seconds": (
        "Age of the oldest write waiting to be sent (0 when none), by writer kind.",
        ("kind",),
    ),
    "dentareview_redis_up": ("1 if Redis answers a PING, 0 if not (absent when unused).", ()),
    "dentareview_reviews_failed": (
        "Reviews that can never be anchored (shown as failed, counted by /health).",
        (),
    ),
}

# Written by `dentareview audit --metrics-file` for a textfile collector (the audit is a
# job, not a server): what it found, by discrepancy kind, and when it last completed.
AUDIT_JOB: Final = {
    "dentareview_audit_findings": (
        "Discrepancies the last audit found between the database and the chain, by kind.",
        ("kind",),
    ),
    "dentareview_audit_last_run_timestamp_seconds": (
        "When the last audit completed (unix seconds).",
        (),
    ),
}

# ------------------------------------------------------------------ practices' news
NEWS_CHANNELS: Final = ("webhook", "email")
NEWS_OUTCOMES: Final = ("delivered", "retry", "failed", "dropped")
NEWS_DELIVERIES = Counter(
    "dentareview_news_deliveries_total",
    "Attempts to deliver practices' news, by channel and outcome (delivered; retry: failed "
    "and tried again later; failed: given up; dropped: the channel was removed).",
    ["channel", "outcome"],
)
