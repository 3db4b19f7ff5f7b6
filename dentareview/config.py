"""Settings from the environment (prefix DENTAREVIEW_), overridable by CLI flags."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from dentareview.domain.policy import PolicySettings

# Anvil's first well-known development key (public knowledge, from the mnemonic
# "test test ... junk"). Fine for a local chain, never for a real one.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
DEFAULT_RPC_URL = "http://127.0.0.1:8545"
TOKEN_UNIT = 10**18
# The policy's rules and their defaults are stated in domain/policy.py; the settings of
# the same names below take their defaults from there.
POLICY_DEFAULTS: Final = PolicySettings()


class Settings(BaseSettings):
    """Everything the service, the CLI and the worker need to know."""

    model_config = SettingsConfigDict(env_prefix="DENTAREVIEW_", extra="ignore")

    rpc_url: str = DEFAULT_RPC_URL
    operator_key: SecretStr = SecretStr(ANVIL_DEV_KEY)
    data_dir: Path = Path(".dentareview")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data dir"
    )
    chain_id: int | None = Field(
        default=None, description="Used to find the deployment when the chain is unreachable"
    )
    rpc_timeout_seconds: float = 5.0
    # The RPC URL the web pages offer visitors for in-browser verification. Unset, the
    # service offers `rpc_url` only when it is a loopback URL with no credentials or query
    # (a hosted node's URL often carries an API key, which must never be published).
    public_rpc_url: str | None = None

    # Keys and roles (docs/SECURITY.md). `operator_key` signs as the relayer. The admin of
    # the token and the registry (registers dentists, sets the reward, pauses) is the
    # account of `admin_key` or of the encrypted `admin_keystore`, or `admin_address` (a
    # Safe: the deployer hands it the admin roles and keeps none); by default the
    # operator itself, which only a local development chain (31337, 1337) accepts.
    admin_key: SecretStr | None = None
    admin_keystore: Path | None = None
    admin_keystore_password: SecretStr | None = None
    admin_address: str | None = None
    relayer_address: str | None = None
    # Overrides for throwaway networks only; each logs a loud warning when it is used.
    allow_dev_keys: bool = False
    allow_shared_admin: bool = False

    reward_amount: int = 10 * TOKEN_UNIT
    daily_reward_cap: int = 100_000 * TOKEN_UNIT

    # When an anchor is final: a number of confirmations, or the node's "safe" /
    # "finalized" block (see the README's table for L1 and L2 values).
    finality: str = "1"
    # EIP-1559 fees come from the node; nothing is sent above this maximum fee per gas.
    max_fee_per_gas_gwei: float = Field(default=500.0, gt=0)
    # A transaction still unmined after this long is replaced at the same nonce with
    # fees raised by `fee_bump_percent` (at least 11%: geth wants 10% more).
    replace_after_seconds: float = Field(default=60.0, gt=0)
    fee_bump_percent: int = Field(default=20, ge=11, le=200)
    receipt_timeout_seconds: float = Field(default=30.0, gt=0)

    anchor_worker: bool = True
    anchor_interval_seconds: float = 1.0
    anchor_batch_limit: int = 100
    # "single": one registry transaction per review (signatures verified on-chain).
    # "batch": one Merkle root per batch, published when `batch_size` reviews wait or the
    # oldest has waited `batch_seconds`; rewards paid in aggregate every
    # `batch_payout_seconds` (see docs/BATCHING.md).
    anchor_mode: Literal["single", "batch"] = "single"
    batch_size: int = Field(default=256, ge=1, le=65_536)
    batch_seconds: float = Field(default=60.0, ge=0)
    batch_payout_seconds: float = Field(default=3600.0, ge=0)

    # Sign-In with Ethereum: the URL browsers use to reach this service. A sign-in message
    # must name its host as `domain` and a URI on it; the session cookie is `Secure` when
    # it is https; a signed-in change (POST, ...) must come from its origin (api/origin.py).
    # On 127.0.0.1 / localhost either name is accepted. Unset, `dentareview serve` uses
    # the address it serves.
    public_url: str = "http://127.0.0.1:8000"
    siwe_nonce_ttl_seconds: int = Field(default=600, ge=10, le=86_400)
    session_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=30 * 86_400)

    max_body_bytes: int = 64 * 1024
    # How long browsers and caches may keep a public read (reputation, reviews, the
    # directory, proofs) before revalidating it with its ETag.
    public_cache_seconds: int = Field(default=10, ge=0, le=86_400)
    # Write endpoints (POST /v1/visits, /v1/reviews): moving windows per client IP and per
    # known wallet, shared by every process through Redis when `redis_url` is set (else
    # in each process's memory); a rate of 0 disables that limit. Generous defaults stop
    # floods without throttling a practice's bulk uploads.
    redis_url: SecretStr | None = None
    rate_limit_key_prefix: str = Field(default="dentareview", min_length=1, max_length=100)
    rate_limit_ip_per_minute: int = 6000
    rate_limit_ip_burst: int = 2000
    rate_limit_wallet_per_minute: int = 600
    rate_limit_wallet_burst: int = 600
    # Prometheus metrics: `GET /metrics` on a listener of its own, apart from the public
    # API, summed over the worker processes of this host; off unless a port is set, and
    # on loopback unless told otherwise (docs/OPERATIONS.md, "Metrics").
    metrics_port: int | None = Field(default=None, ge=1, le=65_535)
    metrics_host: str = "127.0.0.1"
    # Log lines: "json" (one object a line) or "text"; unset, text at a terminal and JSON
    # everywhere else (observability/logging.py).
    log_format: Literal["json", "text"] | None = None

    # The policy (domain/policy.py): each rule's default is PolicySettings'. The rating
    # scale is not a setting: the registry fixes it (domain/ratings.py).
    review_window_days: int = POLICY_DEFAULTS.review_window_days
    text_min_chars: int = POLICY_DEFAULTS.text_min_chars
    text_max_chars: int = POLICY_DEFAULTS.text_max_chars
    text_min_words: int = POLICY_DEFAULTS.text_min_words
    max_deadline_ahead_seconds: int = POLICY_DEFAULTS.max_deadline_ahead_seconds
    reward_cooldown_same_dentist_days: int = POLICY_DEFAULTS.reward_cooldown_same_dentist_days
    reward_window_days: int = POLICY_DEFAULTS.reward_window_days
    reward_max_in_window: int = POLICY_DEFAULTS.reward_max_in_window
    # Rewarded reviews per dentist per rolling 24 h (also the registry's day limit, set at
    # deployment, at most 255), and visits a dentist may attest per rolling 24 h.
    dentist_daily_reward_limit: int = Field(
        default=POLICY_DEFAULTS.dentist_daily_reward_limit, ge=0, le=255
    )
    dentist_daily_visit_limit: int = Field(default=POLICY_DEFAULTS.dentist_daily_visit_limit, ge=0)
    # Moderation: operators' wallets (comma-separated; they sign in with SIWE), and flags
    # per client IP (a token bucket: this many at once, refilled at one a minute).
    operator_addresses: str = ""
    flag_burst: int = Field(default=10, ge=0)
    bayesian_prior_count: int = POLICY_DEFAULTS.bayesian_prior_count
    bayesian_prior_mean: float = POLICY_DEFAULTS.bayesian_prior_mean
    # A practice's public reply to a review: at most this many characters, and this many
    # signed versions (the first reply and its edits).
    reply_max_chars: int = Field(default=POLICY_DEFAULTS.reply_max_chars, ge=1, le=20_000)
    reply_max_versions: int = Field(default=POLICY_DEFAULTS.reply_max_versions, ge=1, le=1000)

    # Email (dentareview/mail): invitations and practices' notifications go out through
    # this SMTP server; no host, no email. `smtp_tls`: "starttls" upgrades a plain
    # connection (port 587), "tls" connects over TLS (port 465), "none" only for a relay
    # on the same host. `mail_from` is the sender address; the display name varies.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65_535)
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "reviews@localhost"
    # One reminder this many days after an invitation, unless the patient has reviewed.
    invitation_reminder_days: int = Field(default=3, ge=1, le=365)

    # Passkey accounts are deployed only when their patient first moves a reward out; the
    # service pays for it, at most this many a day for one practice's patients.
    account_deployments_per_practice_per_day: int = Field(default=20, ge=0, le=10_000)

    # News for practices (docs/OPERATIONS.md, "Webhooks"): a reply waiting longer than
    # `reply_overdue_days` raises `reply.overdue` once; each delivery is tried up to
    # `news_max_attempts` times, waiting `news_retry_base_seconds` doubled after each
    # failure (at most `news_retry_max_seconds`), each webhook attempt cut off after
    # `webhook_timeout_seconds`. Webhook URLs must be https and reach a public address
    # unless `webhook_allow_private` (tests, a receiver on the same host or network).
    reply_overdue_days: int = Field(default=3, ge=1, le=365)
    news_interval_seconds: float = Field(default=1.0, gt=0)
    news_max_attempts: int = Field(default=8, ge=1, le=50)
    news_retry_base_seconds: int = Field(default=600, ge=1)
    news_retry_max_seconds: int = Field(default=6 * 3600, ge=1)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_allow_private: bool = False

    # Anonymous reviews (docs/ANONYMOUS.md). Group roots are committed on-chain at most
    # every `group_root_interval` seconds, in one transaction for every practice whose
    # group grew. A queued anonymous review is published no sooner than
    # `anonymous_min_delay` seconds after it arrived, once `anonymous_batch_size` are
    # ready or the oldest has waited `anonymous_max_delay`; each batch is shuffled.
    group_root_interval: float = Field(
        default=600.0, ge=0, description="seconds between commitments of group roots"
    )
    anonymous_batch_size: int = Field(
        default=3, ge=1, le=1000, description="anonymous reviews published together"
    )
    anonymous_min_delay: int = Field(
        default=3600, ge=0, description="seconds an anonymous review waits at least"
    )
    anonymous_max_delay: int = Field(
        default=86_400, ge=0, description="seconds an anonymous review waits at most"
    )
    node_timeout_seconds: float = Field(
        default=60.0, gt=0, description="time allowed to the Node script computing a group root"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'dentareview.db').as_posix()}"

    @property
    def deployments_dir(self) -> Path:
        return self.data_dir / "deployments"

    @property
    def uses_dev_key(self) -> bool:
        return self.operator_key.get_secret_value().lower() == ANVIL_DEV_KEY

    @property
    def max_fee_per_gas(self) -> int:
        return int(self.max_fee_per_gas_gwei * 10**9)

    def operators(self) -> frozenset[str]:
        """The operators' wallets, lowercase."""
        return frozenset(
            part.strip().lower() for part in self.operator_addresses.split(",") if part.strip()
        )

    def policy(self) -> PolicySettings:
        """The policy in force: every PolicySettings field that is a setting, from here."""
        return PolicySettings(**{name: getattr(self, name) for name in POLICY_SETTINGS})


# The names of the policy's fields the operator sets (all but the rating scale).
POLICY_SETTINGS: Final = tuple(
    f.name for f in fields(PolicySettings) if f.name in Settings.model_fields
)
