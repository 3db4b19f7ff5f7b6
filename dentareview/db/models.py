"""ORM models. Alembic migrations create the schema; these map onto it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, synonym

from dentareview.db.types import TokenAmount
from dentareview.domain.languages import PageLanguage
from dentareview.domain.moderation import DecisionAction, ModerationState
from dentareview.domain.ratings import RATING_MAX, RATING_MIN
from dentareview.domain.revisions import AuthorState, RevisionKind

ReviewStatus = Literal["pending", "anchored"]
PaymentStatus = Literal["pending", "paid", "queued"]

# Stable constraint names: migrations and DuplicateKey.constraint rely on them.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
VISIT_EXISTS: Final = "pk_visits"
REVIEW_OF_VISIT_EXISTS: Final = "uq_reviews_visit_id"
REVIEW_DIGEST_EXISTS: Final = "uq_reviews_digest"
PAYMENT_OF_REVIEW_EXISTS: Final = "uq_reward_payments_review_id"
BATCH_ROOT_EXISTS: Final = "uq_batches_root"
BATCH_LEAF_EXISTS: Final = "uq_reviews_batch_id_leaf_index"
PAYOUT_KEY_EXISTS: Final = "uq_payouts_payout_key"
BatchStatus = Literal["built", "anchored"]
PayoutStatus = Literal["built", "paid"]

ADDRESS = String(42)  # checksummed 0x address
BYTES32 = String(66)  # lowercase 0x hex
# 65 bytes r||s||v as 0x hex, or a smart-contract account's signature (ERC-1271; up to
# MAX_CONTRACT_SIGNATURE_BYTES, checked at intake). SQLite does not enforce VARCHAR
# lengths, so only PostgreSQL's column became TEXT (migration 0003).
SIGNATURE = String(132).with_variant(Text(), "postgresql")
UNIX_TIME = BigInteger  # seconds


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SentTransaction:
    """The columns of a chain write's transaction, defined once for every table the
    outbox writes ahead (`dentareview/anchoring/outbox.py`).

    `sent_tx_hash` and `sent_nonce`: the noted transaction, committed before it leaves,
    so a restarted worker looks for it instead of sending twice. `tx_hash`,
    `block_number` and `block_hash`: the transaction that included the write, to notice
    a reorg; `final` once its block is past the configured finality depth or tag.
    """

    sent_tx_hash: Mapped[str | None] = mapped_column(BYTES32)
    sent_nonce: Mapped[int | None] = mapped_column(BigInteger)
    tx_hash: Mapped[str | None] = mapped_column(BYTES32)
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(BYTES32)
    final: Mapped[bool] = mapped_column(default=False, server_default=false())
    if TYPE_CHECKING:  # each table maps it: when a stuck noted transaction is replaced
        replace_at: Mapped[int]


class RetriedWrite(SentTransaction):
    """A chain write with its own retry columns: when a stuck send is replaced, how many
    sends failed and the last error. (Reviews keep theirs under older names:
    `next_attempt_at`, `anchor_attempts`, `last_anchor_error`.)"""

    replace_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)


class DentistRow(Base):
    __tablename__ = "dentists"
    __table_args__ = (
        # Equality only, and a skeleton may be several times its name's length: a hash
        # index has no row size limit on PostgreSQL (SQLite's B-tree has none either).
        Index("ix_dentists_name_skeleton", "name_skeleton", postgresql_using="hash"),
    )

    address: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name's TR39 skeleton (domain/practice_names.py): look-alike names are found
    # through this index. Written with every name; NULL only for rows written around
    # the service (bench seeds).
    name_skeleton: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool]
    registered_at: Mapped[int] = mapped_column(UNIX_TIME)
    updated_at: Mapped[int] = mapped_column(UNIX_TIME)


NameChannel = Literal["operator", "cli"]


class NameDecisionRow(Base):
    """A practice's name changed: who decided, when, from what to what, and why."""

    __tablename__ = "name_decisions"
    __table_args__ = (
        CheckConstraint("channel IN ('operator', 'cli')", name="channel_known"),
        Index("ix_name_decisions_decided_at_id", "decided_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), index=True)
    old_name: Mapped[str] = mapped_column(String(200))
    new_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    # The signed-in operator's wallet, or the account the CLI's admin key controls.
    decided_by: Mapped[str] = mapped_column(ADDRESS)
    channel: Mapped[NameChannel] = mapped_column(String(16))
    decided_at: Mapped[int] = mapped_column(UNIX_TIME)


class VisitRow(Base):
    __tablename__ = "visits"
    __table_args__ = (
        # A practice's patients in time order (verified retention on the dashboard).
        Index("ix_visits_dentist_patient_visited_at", "dentist", "patient", "visited_at"),
    )

    visit_id: Mapped[str] = mapped_column(BYTES32, primary_key=True)
    patient: Mapped[str] = mapped_column(ADDRESS, index=True)
    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), index=True)
    visited_at: Mapped[int] = mapped_column(UNIX_TIME)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    # The visit-signing key that signed it (visit_signers), NULL if the dentist's wallet did.
    signed_by: Mapped[str | None] = mapped_column(ADDRESS)


RATING_COLUMNS: Final = ("rating", "treatment", "bedside", "wait_time")


class ReviewRow(SentTransaction, Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("visit_id"),  # one review per visit, even under concurrent inserts
        UniqueConstraint("digest"),
        *(
            CheckConstraint(f"{c} BETWEEN {RATING_MIN} AND {RATING_MAX}", name=f"{c}_range")
            for c in RATING_COLUMNS
        ),
        CheckConstraint("status IN ('pending', 'anchored')", name="status_known"),
        CheckConstraint(
            "status <> 'anchored' OR "
            "(tx_hash IS NOT NULL AND block_number IS NOT NULL AND anchored_at IS NOT NULL)",
            name="anchored_has_receipt",
        ),
        # The leading columns of these also serve lookups by dentist or by patient alone.
        Index("ix_reviews_dentist_status_anchored_at", "dentist", "status", "anchored_at"),
        Index(
            "ix_reviews_patient_rewardable_submitted_at", "patient", "rewardable", "submitted_at"
        ),
        Index(
            "ix_reviews_dentist_patient_rewardable_submitted_at",
            "dentist",
            "patient",
            "rewardable",
            "submitted_at",
        ),
        Index("ix_reviews_status_id", "status", "id"),
        Index("ix_reviews_status_next_attempt_at", "status", "next_attempt_at"),
        # Batch mode: a leaf position holds one review, and a review sits in at most one
        # batch (a single column, which a trigger of migration 0002 makes write-once).
        UniqueConstraint("batch_id", "leaf_index"),
        CheckConstraint("(batch_id IS NULL) = (leaf_index IS NULL)", name="batch_leaf_together"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(BYTES32, ForeignKey("visits.visit_id"))
    digest: Mapped[str] = mapped_column(BYTES32)
    # Copied from the visit so reputation and rate-limit queries need no join.
    patient: Mapped[str] = mapped_column(ADDRESS)
    dentist: Mapped[str] = mapped_column(ADDRESS)
    rating: Mapped[int] = mapped_column(SmallInteger)
    treatment: Mapped[int] = mapped_column(SmallInteger)
    bedside: Mapped[int] = mapped_column(SmallInteger)
    wait_time: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[int] = mapped_column(UNIX_TIME)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    submitted_at: Mapped[int] = mapped_column(UNIX_TIME)
    status: Mapped[ReviewStatus] = mapped_column(
        String(16), default="pending", server_default="pending"
    )
    rewardable: Mapped[bool]
    reward_withheld_code: Mapped[str | None] = mapped_column(String(32))
    reward_withheld_reason: Mapped[str | None] = mapped_column(Text)
    log_index: Mapped[int | None] = mapped_column(Integer)
    anchored_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp
    anchor_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_anchor_error: Mapped[str | None] = mapped_column(Text)
    # Claimed by this time: a review that cannot be anchored now waits with backoff
    # without holding back the others.
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")
    # While a transaction is in flight, `next_attempt_at` says when it is replaced.
    replace_at: Mapped[int] = synonym("next_attempt_at")
    # Set when the review can never be anchored (a stable reason code); it stays published.
    failure_code: Mapped[str | None] = mapped_column(String(48))
    # Batch mode: the batch whose Merkle root anchors this review, and its leaf there.
    batch_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("batches.id"))
    leaf_index: Mapped[int | None] = mapped_column(Integer)
    # The author's later word (review_revisions): None, "edited" or "erased". The signed
    # fields above stay as first signed, except `text`, emptied by an erasure; `text_hash`
    # (keccak256 of the signed text) is kept then, so the digest can still be recomputed.
    author_state: Mapped[AuthorState | None] = mapped_column(String(16))
    text_hash: Mapped[str | None] = mapped_column(BYTES32)
    # The latest edit's ratings (None until edited): what the reputation counts.
    edited_rating: Mapped[int | None] = mapped_column(SmallInteger)
    edited_treatment: Mapped[int | None] = mapped_column(SmallInteger)
    edited_bedside: Mapped[int | None] = mapped_column(SmallInteger)
    edited_wait_time: Mapped[int | None] = mapped_column(SmallInteger)
    # Moderation: None, "under_review" (stays online) or "removed" (a recorded decision,
    # moderation_decisions, says who and why); the stored review itself is never changed.
    moderation_state: Mapped[ModerationState | None] = mapped_column(String(16))
    moderation_reason: Mapped[str | None] = mapped_column(String(32))
    # The page's language when the patient wrote (domain/languages): not signed, shown
    # only; None for a review sent without one. Edits keep it.
    language: Mapped[PageLanguage | None] = mapped_column(String(8))


class ReviewRevisionRow(Base):
    """One signed edit or erasure of a review by its patient, kept for good as its proof.

    An edit holds its version's ratings, text and deadline; an erasure its deadline only.
    After an erasure every version's text is emptied (`text` NULL) and its `text_hash`
    kept, so each signed message can still be hashed and its signature checked.
    """

    __tablename__ = "review_revisions"
    __table_args__ = (
        UniqueConstraint("review_id", "seq"),
        UniqueConstraint("digest"),
        CheckConstraint("kind IN ('edit', 'erasure')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("reviews.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the order they were accepted
    kind: Mapped[RevisionKind] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(BYTES32)  # EIP-712 digest of the signed message
    previous_digest: Mapped[str] = mapped_column(BYTES32)  # edit: superseded; erasure: review's
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    treatment: Mapped[int | None] = mapped_column(SmallInteger)
    bedside: Mapped[int | None] = mapped_column(SmallInteger)
    wait_time: Mapped[int | None] = mapped_column(SmallInteger)
    text: Mapped[str | None] = mapped_column(Text)
    text_hash: Mapped[str | None] = mapped_column(BYTES32)
    deadline: Mapped[int] = mapped_column(UNIX_TIME)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


StatementKind = Literal["edit", "erasure", "reply"]
StatementStatus = Literal["pending", "anchored"]


class StatementAnchorRow(RetriedWrite, Base):
    """The on-chain anchor of one signed statement about a review: a patient's edit or
    erasure, or a dentist's reply (`anchorStatements`). Its write-ahead record (the noted
    transaction and nonce) is committed before the transaction leaves, as for reviews."""

    __tablename__ = "statement_anchors"
    __table_args__ = (
        UniqueConstraint("digest"),
        CheckConstraint("kind IN ('edit', 'erasure', 'reply')", name="kind_known"),
        CheckConstraint("status IN ('pending', 'anchored')", name="status_known"),
        CheckConstraint(
            "status <> 'anchored' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND block_hash IS NOT NULL AND anchored_at IS NOT NULL)",
            name="anchored_has_receipt",
        ),
        Index("ix_statement_anchors_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(BYTES32)  # the statement's EIP-712 digest
    kind: Mapped[StatementKind] = mapped_column(String(16))
    status: Mapped[StatementStatus] = mapped_column(String(16), default="pending")
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")
    anchored_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp


class ReviewReplyRow(Base):
    """One signed version of the practice's public reply to a review (`ReviewReply`).

    Version 1 is the reply, each later one an edit naming the one before
    (`previous_digest`; zero for version 1). Every version is kept with its signature.
    When the review's patient erases the review, every version's `text` is emptied (NULL)
    and its `text_hash` kept, so each signed message can still be hashed and checked.
    """

    __tablename__ = "review_replies"
    __table_args__ = (
        UniqueConstraint("review_id", "seq"),  # one chain of versions per review
        UniqueConstraint("digest"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        # A practice's first replies by time (reply rate and time to reply).
        Index("ix_review_replies_dentist_seq_created_at", "dentist", "seq", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("reviews.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1 for the reply, then 2, ... per edit
    dentist: Mapped[str] = mapped_column(ADDRESS)  # the signer: the visit's dentist
    digest: Mapped[str] = mapped_column(BYTES32)  # EIP-712 digest of the signed ReviewReply
    review_digest: Mapped[str] = mapped_column(BYTES32)
    previous_digest: Mapped[str] = mapped_column(BYTES32)
    text: Mapped[str | None] = mapped_column(Text)  # NULL once the review is erased
    text_hash: Mapped[str] = mapped_column(BYTES32)  # keccak256 of the signed text
    deadline: Mapped[int] = mapped_column(UNIX_TIME)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


# Flags and decisions concern a named review or an anonymous one, never both.
ONE_REVIEW = "(review_id IS NULL) <> (anonymous_review_id IS NULL)"


class ReviewFlagRow(Base):
    """A report of a review by anyone (the dentist too), with a reason from a fixed list."""

    __tablename__ = "review_flags"
    __table_args__ = (
        Index("ix_review_flags_resolved_at_review_id", "resolved_at", "review_id"),
        CheckConstraint(ONE_REVIEW, name="one_review"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # A named review's id, or an anonymous review's: exactly one of the two.
    review_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("reviews.id"), index=True)
    anonymous_review_id: Mapped[str | None] = mapped_column(
        String(34), ForeignKey("anonymous_reviews.id"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    reporter: Mapped[str | None] = mapped_column(ADDRESS)  # the signed-in wallet, if any
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    resolved_at: Mapped[int | None] = mapped_column(UNIX_TIME)
    decision_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("moderation_decisions.id"))


class ModerationDecisionRow(Base):
    """An operator's decision on a review: keep, remove, or mark under review; public."""

    __tablename__ = "moderation_decisions"
    __table_args__ = (
        CheckConstraint("action IN ('keep', 'remove', 'under_review')", name="action_known"),
        CheckConstraint(ONE_REVIEW, name="one_review"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # A named review's id, or an anonymous review's: exactly one of the two.
    review_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("reviews.id"), index=True)
    anonymous_review_id: Mapped[str | None] = mapped_column(
        String(34), ForeignKey("anonymous_reviews.id"), index=True
    )
    action: Mapped[DecisionAction] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[str] = mapped_column(ADDRESS)  # the operator's wallet
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class BatchRow(RetriedWrite, Base):
    """A batch of reviews anchored as one Merkle root (batch mode).

    Written with its members and its signed transaction before the transaction is
    sent ("built"); "anchored" once the root's BatchAnchored event is confirmed.
    """

    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("root"),
        CheckConstraint("status IN ('built', 'anchored')", name="status_known"),
        CheckConstraint("size >= 1 AND rewarded >= 0 AND rewarded <= size", name="counts_valid"),
        CheckConstraint(
            "status <> 'anchored' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND log_index IS NOT NULL AND anchored_at IS NOT NULL)",
            name="anchored_has_receipt",
        ),
        Index("ix_batches_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    root: Mapped[str] = mapped_column(BYTES32)
    size: Mapped[int] = mapped_column(Integer)
    rewarded: Mapped[int] = mapped_column(Integer)
    status: Mapped[BatchStatus] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    log_index: Mapped[int | None] = mapped_column(Integer)
    anchored_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp


class PayoutRow(RetriedWrite, Base):
    """One aggregate reward payout of batch mode (`payRewards`), written before it is sent."""

    __tablename__ = "payouts"
    __table_args__ = (
        UniqueConstraint("payout_key"),
        CheckConstraint("status IN ('built', 'paid')", name="status_known"),
        CheckConstraint(
            "status <> 'paid' OR (tx_hash IS NOT NULL AND block_number IS NOT NULL "
            "AND paid_at IS NOT NULL)",
            name="paid_has_receipt",
        ),
        Index("ix_payouts_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    payout_key: Mapped[str] = mapped_column(BYTES32)  # the on-chain payoutId
    recipients: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(TokenAmount())
    status: Mapped[PayoutStatus] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    paid_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp


class RewardPaymentRow(Base):
    __tablename__ = "reward_payments"
    __table_args__ = (
        UniqueConstraint("review_id"),
        CheckConstraint("status IN ('pending', 'paid', 'queued')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("reviews.id"))
    patient: Mapped[str] = mapped_column(ADDRESS, index=True)
    amount: Mapped[int] = mapped_column(TokenAmount())
    status: Mapped[PaymentStatus] = mapped_column(String(16))
    tx_hash: Mapped[str | None] = mapped_column(BYTES32)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    paid_at: Mapped[int | None] = mapped_column(UNIX_TIME)
    # Batch mode: the aggregate payout that pays (or will pay) this reward.
    payout_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("payouts.id"), index=True)


class RelayStatusRow(Base):
    """The anchoring worker's last word, for /health in any process: a problem or none."""

    __tablename__ = "relay_status"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checked_at: Mapped[int] = mapped_column(UNIX_TIME)
    problem: Mapped[str | None] = mapped_column(Text)


class RelayFeeRow(Base):
    """What one mined relay transaction paid: its receipt's gasUsed × effectiveGasPrice."""

    __tablename__ = "relay_fees"

    tx_hash: Mapped[str] = mapped_column(BYTES32, primary_key=True)
    block_hash: Mapped[str] = mapped_column(BYTES32)
    block_number: Mapped[int] = mapped_column(BigInteger)
    gas_used: Mapped[int] = mapped_column(BigInteger)
    effective_gas_price: Mapped[int] = mapped_column(TokenAmount())
    fee: Mapped[int] = mapped_column(TokenAmount())


class AuthNonceRow(Base):
    """A Sign-In with Ethereum nonce: issued once, consumed by the sign-in that uses it."""

    __tablename__ = "auth_nonces"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    expires_at: Mapped[int] = mapped_column(UNIX_TIME, index=True)


class AuthSessionRow(Base):
    """A signed-in wallet. The cookie holds a random id; only its SHA-256 is stored."""

    __tablename__ = "auth_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    wallet: Mapped[str] = mapped_column(ADDRESS, index=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    expires_at: Mapped[int] = mapped_column(UNIX_TIME, index=True)


class DentistAggregateRow(Base):
    """Running totals of a dentist's anchored reviews, kept as reviews are anchored and
    unanchored (db/queries/aggregates.py); `dentareview reputation rebuild` recomputes."""

    __tablename__ = "dentist_aggregates"

    dentist: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    treatment_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    bedside_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    wait_time_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    stars_1: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_2: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_3: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_4: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stars_5: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DentistMonthRow(Base):
    """Per dentist and UTC month of anchoring ("YYYY-MM"): count and rating sum."""

    __tablename__ = "dentist_month_aggregates"

    dentist: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


NewsEventKind = Literal["review.published", "review.flagged", "review.removed", "reply.overdue"]
NewsChannel = Literal["webhook", "email"]
DeliveryStatus = Literal["pending", "delivered", "failed", "dropped"]


class PracticeNewsSettingsRow(Base):
    """Where a practice's news goes: a webhook (with its Standard Webhooks secret, kept to
    sign each delivery) and an email address; either may be unset."""

    __tablename__ = "practice_news_settings"

    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), primary_key=True)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    updated_at: Mapped[int] = mapped_column(UNIX_TIME)


class PracticeEventRow(Base):
    """One thing that happened to a practice's review, recorded with it (same transaction).
    `ref` names the fact (e.g. "reply.overdue:17"), so each is raised once."""

    __tablename__ = "practice_events"
    __table_args__ = (
        UniqueConstraint("ref"),
        Index("ix_practice_events_review_id_kind", "review_id", "kind"),
        CheckConstraint(
            "kind IN ('review.published', 'review.flagged', 'review.removed', 'reply.overdue')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dentist: Mapped[str] = mapped_column(ADDRESS, index=True)
    kind: Mapped[NewsEventKind] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64))
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("reviews.id"))
    data: Mapped[str] = mapped_column(Text)  # JSON of public facts (domain/news.py)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class PracticeDeliveryRow(Base):
    """One event to one channel: retried with backoff until delivered or given up. The
    webhook-id (`message_id`) stays the same on every attempt, so receivers dedupe."""

    __tablename__ = "practice_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id"),
        CheckConstraint("channel IN ('webhook', 'email')", name="channel_known"),
        CheckConstraint(
            "status IN ('pending', 'delivered', 'failed', 'dropped')", name="status_known"
        ),
        Index("ix_practice_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_practice_deliveries_dentist_id", "dentist", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("practice_events.id"))
    dentist: Mapped[str] = mapped_column(ADDRESS)
    channel: Mapped[NewsChannel] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[DeliveryStatus] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Due by this time; while an attempt runs, the claim's end (no second sender).
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")
    last_status: Mapped[str | None] = mapped_column(String(64))  # "HTTP 500", "timeout", ...
    delivered_at: Mapped[int | None] = mapped_column(UNIX_TIME)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


VisitSignerStatus = Literal["pending", "set", "refused"]


class VisitSignerRow(RetriedWrite, Base):
    """One `VisitSigner` a dentist signed: a visit-signing key's authorisation, or its
    revocation (valid_until = when it was signed, or 0). `status`: its `setVisitSigner`
    is pending, set on-chain, or refused by the registry. `revoked_at`: when the service
    stopped taking the key's visits (at once, before the chain confirms)."""

    __tablename__ = "visit_signers"
    __table_args__ = (
        UniqueConstraint("dentist", "nonce"),  # one authorisation per nonce
        CheckConstraint("status IN ('pending', 'set', 'refused')", name="status_known"),
        Index("ix_visit_signers_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    signer: Mapped[str] = mapped_column(ADDRESS, index=True)
    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"))
    valid_until: Mapped[int] = mapped_column(UNIX_TIME)
    nonce: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    status: Mapped[VisitSignerStatus] = mapped_column(
        String(16), default="pending", server_default="pending"
    )
    authorised_at: Mapped[int] = mapped_column(UNIX_TIME)
    revoked_at: Mapped[int | None] = mapped_column(UNIX_TIME)
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")


class PasskeyCredentialRow(Base):
    """A passkey a patient's device created at check-in: its P-256 public key and the
    smart account it controls. No personal data: the key is all the service knows."""

    __tablename__ = "passkey_credentials"

    credential_id: Mapped[str] = mapped_column(String(400), primary_key=True)  # base64url
    account: Mapped[str] = mapped_column(ADDRESS, unique=True)
    qx: Mapped[str] = mapped_column(BYTES32)
    qy: Mapped[str] = mapped_column(BYTES32)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class PracticeCheckinCodeRow(Base):
    """The short code in a practice's check-in link (/checkin/<code>)."""

    __tablename__ = "practice_checkin_codes"

    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class PasskeyCheckinRow(Base):
    """A patient's account checked in at a practice; reception matches it by `code`."""

    __tablename__ = "passkey_checkins"
    __table_args__ = (Index("ix_passkey_checkins_dentist_created_at", "dentist", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"))
    account: Mapped[str] = mapped_column(ADDRESS, index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class RecommendationRow(Base):
    """A patient's signed answer to "would you recommend this practice?" (0-10), one per
    visit and final, asked with the review. Off-chain only (docs/VERIFYING.md says why);
    read only as monthly totals (dentareview/domain/nps.py)."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("visit_id"),  # one per visit, even under concurrent inserts
        UniqueConstraint("digest"),
        CheckConstraint("score BETWEEN 0 AND 10", name="score_range"),
        # The practice's months: one index range per dentist.
        Index("ix_recommendations_dentist_created_at", "dentist", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(BYTES32, ForeignKey("visits.visit_id"))
    review_id: Mapped[int] = mapped_column(Integer, ForeignKey("reviews.id"))
    dentist: Mapped[str] = mapped_column(ADDRESS)  # copied from the visit: no join to count
    score: Mapped[int] = mapped_column(SmallInteger)
    deadline: Mapped[int] = mapped_column(UNIX_TIME)
    digest: Mapped[str] = mapped_column(BYTES32)  # EIP-712 digest of the Recommendation
    signature: Mapped[str] = mapped_column(SIGNATURE)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class InvitationRow(Base):
    """A visit's invitation: its short link code, and while an email is still to be sent,
    the patient's address (emptied once the invitation and its one reminder are done)."""

    __tablename__ = "invitations"
    __table_args__ = (
        # The sender's pass: rows still holding an address, oldest due first.
        Index("ix_invitations_next_attempt_at", "next_attempt_at"),
        Index("ix_invitations_dentist_created_at", "dentist", "created_at"),
    )

    visit_id: Mapped[str] = mapped_column(BYTES32, ForeignKey("visits.visit_id"), primary_key=True)
    dentist: Mapped[str] = mapped_column(ADDRESS)  # copied from the visit: no join to list
    code: Mapped[str] = mapped_column(String(16), unique=True)  # /i/<code>
    unsubscribe_token: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    invited_at: Mapped[int | None] = mapped_column(UNIX_TIME, nullable=True)
    reminded_at: Mapped[int | None] = mapped_column(UNIX_TIME, nullable=True)
    unsubscribed_at: Mapped[int | None] = mapped_column(UNIX_TIME, nullable=True)
    # Delivery: failed attempts so far, when to try next (NULL: nothing to send), and a
    # claim so that two processes never send the same email.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int | None] = mapped_column(UNIX_TIME, nullable=True)
    claimed_until: Mapped[int | None] = mapped_column(UNIX_TIME, nullable=True)
    # The patient's language (domain/languages): of the email and of the page its link
    # opens; None: English.
    language: Mapped[PageLanguage | None] = mapped_column(String(8), nullable=True)


class InvitationEmailRow(Base):
    """What was sent and when: one row per email delivered (never the address)."""

    __tablename__ = "invitation_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(BYTES32, ForeignKey("invitations.visit_id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "invitation" | "reminder"
    message_id: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[int] = mapped_column(UNIX_TIME)


class MailSuppressionRow(Base):
    """An address that unsubscribed from a practice's emails, as a SHA-256 of the practice
    and the address: enough to recognise it again, not to read or write to it."""

    __tablename__ = "mail_suppressions"

    dentist: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


TransferStatus = Literal["pending", "done", "refused"]


class RewardTransferRow(RetriedWrite, Base):
    """A passkey patient's signed transfer of their reward (`createAndTransfer`, which
    deploys the account first if needed), written before it is sent. The key is kept to
    name the account in the factory's call; it is public (the account's own identity)."""

    __tablename__ = "reward_transfers"
    __table_args__ = (
        UniqueConstraint("account", "transfer_nonce"),
        CheckConstraint("status IN ('pending', 'done', 'refused')", name="status_known"),
        Index("ix_reward_transfers_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_reward_transfers_practice_created_at", "practice", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(ADDRESS)
    # The practice the account checked in with: deployments are bounded per practice a day.
    practice: Mapped[str] = mapped_column(ADDRESS)
    qx: Mapped[str] = mapped_column(BYTES32)
    qy: Mapped[str] = mapped_column(BYTES32)
    token: Mapped[str] = mapped_column(ADDRESS)
    recipient: Mapped[str] = mapped_column(ADDRESS)
    amount: Mapped[int] = mapped_column(TokenAmount())
    transfer_nonce: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[int] = mapped_column(UNIX_TIME)
    signature: Mapped[str] = mapped_column(Text)  # 0x hex WebAuthn assertion
    deploys: Mapped[bool]
    status: Mapped[TransferStatus] = mapped_column(String(16), default="pending")
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    done_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")


class PracticeDetailsRow(Base):
    """What a practice says of itself for the directory (domain/practice_details.py): one
    row per practice, every field optional. `city_key` and `postal_key` are the city and
    postal code as a search compares them; the coordinates are decimal text."""

    __tablename__ = "practice_details"
    __table_args__ = (
        # A postal code is searched by its start: text_pattern_ops lets PostgreSQL's
        # B-tree serve `LIKE 'SW1A%'` whatever the database's collation.
        Index(
            "ix_practice_details_postal_key",
            "postal_key",
            postgresql_ops={"postal_key": "text_pattern_ops"},
        ),
    )

    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), primary_key=True)
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    city_key: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(16))
    postal_key: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[str | None] = mapped_column(String(300))
    accepting_new_patients: Mapped[bool | None]
    latitude: Mapped[str | None] = mapped_column(String(16))
    longitude: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[int] = mapped_column(UNIX_TIME)


class PracticeLanguageRow(Base):
    """A language a practice speaks (a BCP-47 primary tag), one row each: the directory's
    language filter finds the practices through the index on `language`."""

    __tablename__ = "practice_languages"
    __table_args__ = (Index("ix_practice_languages_language", "language"),)

    dentist: Mapped[str] = mapped_column(ADDRESS, ForeignKey("dentists.address"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)


# ---------------------------------------------------------------- anonymous reviews
# docs/ANONYMOUS.md. Nothing here links a membership (a visit, so a patient) to an
# anonymous review: the tables share no key, and a review row holds only what its proof
# and its chain record make public anyway.

GroupRootStatus = Literal["pending", "committed", "failed"]
AnonymousStatus = Literal["queued", "submitted", "anchored", "failed"]
FIELD_DECIMAL = String(78)  # a BN254 field element (or any uint256) as a decimal string


class MembershipRow(Base):
    """A visit's identity commitment in its practice's group, signed by the visit's patient
    (`GroupMembership`). A commitment is one leaf per practice: a second visit of the same
    patient with the same commitment is recorded with `leaf_index` NULL (no new leaf)."""

    __tablename__ = "anonymous_memberships"
    __table_args__ = (
        UniqueConstraint("visit_id"),
        UniqueConstraint("dentist", "leaf_index"),  # NULLs (no own leaf) do not collide
        Index("ix_anonymous_memberships_dentist_commitment", "dentist", "commitment"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(BYTES32, ForeignKey("visits.visit_id"))
    dentist: Mapped[str] = mapped_column(ADDRESS)
    commitment: Mapped[str] = mapped_column(FIELD_DECIMAL)
    leaf_index: Mapped[int | None] = mapped_column(Integer)
    signature: Mapped[str] = mapped_column(SIGNATURE)
    created_at: Mapped[int] = mapped_column(UNIX_TIME)


class GroupRootRow(RetriedWrite, Base):
    """A practice's group root over its first `size` leaves, to be committed on-chain
    (`commitGroupRoots`, one transaction for every practice whose group grew)."""

    __tablename__ = "anonymous_group_roots"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'committed', 'failed')", name="status_known"),
        Index("ix_anonymous_group_roots_dentist_size", "dentist", "size"),
        Index("ix_anonymous_group_roots_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dentist: Mapped[str] = mapped_column(ADDRESS)
    root: Mapped[str] = mapped_column(FIELD_DECIMAL)
    depth: Mapped[int] = mapped_column(SmallInteger)
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[GroupRootStatus] = mapped_column(String(16), default="pending")
    created_at: Mapped[int] = mapped_column(UNIX_TIME)
    committed_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")


class AnonymousReviewRow(RetriedWrite, Base):
    """An anonymous review and its Semaphore proof, queued for delayed, batched, shuffled
    publication (`submitAnonymousReview`). Its id is random: a sequence would give away
    the order of arrival that the shuffle hides."""

    __tablename__ = "anonymous_reviews"
    __table_args__ = (
        UniqueConstraint("digest"),
        UniqueConstraint("nullifier"),
        CheckConstraint(
            "status IN ('queued', 'submitted', 'anchored', 'failed')", name="status_known"
        ),
        Index("ix_anonymous_reviews_status_publish_after", "status", "publish_after"),
        Index("ix_anonymous_reviews_dentist_anchored_at", "dentist", "anchored_at"),
    )

    id: Mapped[str] = mapped_column(String(34), primary_key=True)  # 0x + 16 random bytes
    dentist: Mapped[str] = mapped_column(ADDRESS)
    period: Mapped[int] = mapped_column(BigInteger)
    rating: Mapped[int] = mapped_column(SmallInteger)
    treatment: Mapped[int] = mapped_column(SmallInteger)
    bedside: Mapped[int] = mapped_column(SmallInteger)
    wait_time: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[PageLanguage | None] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(BYTES32)
    reward_to: Mapped[str] = mapped_column(ADDRESS)
    root: Mapped[str] = mapped_column(FIELD_DECIMAL)
    depth: Mapped[int] = mapped_column(SmallInteger)
    nullifier: Mapped[str] = mapped_column(FIELD_DECIMAL)
    points: Mapped[str] = mapped_column(Text)  # JSON list of 8 decimal strings
    status: Mapped[AnonymousStatus] = mapped_column(String(16), default="queued")
    # Not before this (arrival + the minimum delay); the arrival time itself is not kept.
    publish_after: Mapped[int] = mapped_column(UNIX_TIME)
    # Published by this time at the latest (arrival + the maximum delay).
    publish_by: Mapped[int] = mapped_column(UNIX_TIME)
    anchored_at: Mapped[int | None] = mapped_column(UNIX_TIME)  # block timestamp
    next_attempt_at: Mapped[int] = mapped_column(UNIX_TIME, default=0, server_default="0")
    # As a named review's (flags and decisions keyed by anonymous_review_id).
    moderation_state: Mapped[ModerationState | None] = mapped_column(String(16))
    moderation_reason: Mapped[str | None] = mapped_column(String(32))
