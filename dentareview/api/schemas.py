"""Request and response bodies. Wire names are camelCase, as the typed data."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dentareview.domain.languages import PAGE_LANGUAGES, PageLanguage

Hex32 = Annotated[str, Field(examples=["0x" + "ab" * 32], description="bytes32 as 0x-hex")]
Address = Annotated[
    str, Field(examples=["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"], description="0x-hex")
]
Signature = Annotated[
    str, Field(description="65-byte r||s||v signature as 0x-hex (eth_signTypedData_v4 output)")
]
Uint8 = Annotated[int, Field(ge=0, le=255)]
Uint64 = Annotated[int, Field(ge=0, le=2**64 - 1)]
_LANGUAGES = ", ".join(PAGE_LANGUAGES)
# Not signed: the language of a patient's invitation email, as a practice system has it.
PatientLanguage = Annotated[
    str | None,
    Field(
        max_length=35,
        pattern=r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$",
        examples=["de", "pl-PL", "zh-CN"],
        description="the patient's language for the invitation email and its link, a BCP 47 "
        f"tag: de, de-DE, zh-CN... are taken as the nearest of {_LANGUAGES}; any other "
        "(or none) is English. Traditional Chinese (zh-Hant, zh-TW) is none of them",
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class VisitMessage(Strict):
    visitId: Hex32
    patient: Address
    dentist: Address
    visitedAt: Uint64


class ReviewMessage(Strict):
    visitId: Hex32
    rating: Uint8
    treatment: Uint8
    bedside: Uint8
    waitTime: Uint8
    text: str
    deadline: Uint64


class SignedVisit(Strict):
    message: VisitMessage
    signature: Signature
    # Not signed and never on-chain: where the invitation email goes (docs/PRIVACY.md).
    email: str | None = Field(
        default=None,
        max_length=320,
        description="the patient's email address for the invitation and one reminder; "
        "erased once they are done; 422 INVALID_EMAIL when malformed",
    )
    language: PatientLanguage = None


class SignedReview(Strict):
    message: ReviewMessage
    signature: Signature
    # Not signed and never on-chain: the EIP-712 Review stays as it is.
    language: PageLanguage | None = Field(
        default=None,
        description=f"the language the page was in when the patient wrote ({_LANGUAGES}); "
        "not part of the signed Review: unsigned, for display only",
    )


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class VisitOut(BaseModel):
    visitId: str
    patient: str
    dentist: str
    visitedAt: int
    digest: str
    invitationPath: str = Field(description="the short invitation link's path, /i/<code>")
    emailQueued: bool = Field(description="an invitation email is queued for the patient")


class RewardOut(BaseModel):
    rewarded: bool
    amount: str = Field(description="token base units (18 decimals), as a decimal string")
    status: Literal["pending", "paid", "queued", "none"]
    reasonCode: str | None = None
    reason: str | None = None


class SubmittedReviewOut(BaseModel):
    id: int
    digest: str
    status: Literal["pending", "anchored"]
    rewarded: bool
    reward: RewardOut
    txHash: str | None = None


class ModerationDecisionOut(BaseModel):
    action: Literal["keep", "remove", "under_review"]
    reason: str
    reasonLabel: str
    note: str | None
    operator: str = Field(description="the deciding operator's wallet")
    decidedAt: int


class StatementAnchorOut(BaseModel):
    """The on-chain anchor of a signed statement's digest (`anchorStatements`)."""

    status: Literal["pending", "anchored"] = Field(
        description="pending: queued for the next anchoring transaction; anchored: recorded "
        "by the registry (`statementAnchoredAt`, the `StatementAnchored` log)"
    )
    final: bool = Field(description="the anchoring block is final; until then a reorg may undo it")
    txHash: str | None
    blockNumber: int | None
    anchoredAt: int | None = Field(description="the anchoring block's timestamp")


class ReplySummaryOut(BaseModel):
    """The practice's reply as a review shows it: its latest signed version."""

    text: str
    signedAt: int = Field(description="when the latest version was accepted (unix seconds)")
    firstSignedAt: int = Field(description="when the first version was accepted")
    edited: bool = Field(description="more than one signed version exists")
    versions: int
    digest: str = Field(description="EIP-712 digest of the latest signed ReviewReply")
    dentist: str = Field(description="the signer: the visit's dentist")
    anchor: StatementAnchorOut | None = Field(
        None, description="the latest version's digest on-chain"
    )


class ReviewOut(BaseModel):
    id: int
    visitId: str
    dentist: str
    rating: int | None = Field(description="the latest version's; null once erased")
    treatment: int | None
    bedside: int | None
    waitTime: int | None
    text: str = Field(description="the latest version's; empty once erased by its author")
    digest: str = Field(description="the digest of the Review first signed: the one anchored")
    state: Literal["published", "edited", "erased", "under_review", "removed"] = Field(
        "published",
        description="the public named state: published as signed; edited by its author "
        "(the latest signed version is shown); erased by its author (text deleted; the "
        "digest and the signed erasure request remain as proof); under review (flagged or "
        "signalled, still shown and counted); removed by moderation (`decisions` says who "
        "and why; text and ratings not shown, not counted)",
    )
    stateLabel: str | None = Field(None, description='e.g. "edited by its author"')
    versions: int = Field(1, description="signed versions: the review and each edit")
    latestDigest: str | None = Field(None, description="the latest signed version's digest")
    edited: bool = Field(False, description="a newer version signed by its author exists")
    decisions: list[ModerationDecisionOut] = Field(
        default_factory=list, description="the operators' recorded decisions, oldest first"
    )
    status: Literal["pending", "anchored", "failed"] = Field(
        description="pending: waiting for the chain; anchored: included in a block; "
        "failed: can never be anchored (failureCode says why; the review stays published)"
    )
    final: bool = Field(
        description="the anchoring block is final (the configured depth or the node's "
        "safe/finalized block); until then a reorg may send the review again"
    )
    failureCode: str | None = None
    failureReason: str | None = None
    submittedAt: int
    anchoredAt: int | None
    txHash: str | None
    blockNumber: int | None
    logIndex: int | None
    rewarded: bool
    language: str | None = Field(
        description=f"the language the page was in when the patient wrote ({_LANGUAGES}); "
        "unsigned, for display only; null when the review was sent without one"
    )
    reply: ReplySummaryOut | None = Field(
        None,
        description="the practice's public reply (latest version), or null; none is shown "
        "for a review erased by its author or removed by moderation",
    )


class ReviewEditMessage(Strict):
    visitId: Hex32
    previousDigest: Hex32
    rating: Uint8
    treatment: Uint8
    bedside: Uint8
    waitTime: Uint8
    text: str
    deadline: Uint64


class ReviewErasureMessage(Strict):
    visitId: Hex32
    digest: Hex32
    deadline: Uint64


class SignedReviewEdit(Strict):
    message: ReviewEditMessage
    signature: Signature


class SignedReviewErasure(Strict):
    message: ReviewErasureMessage
    signature: Signature


class ReviewReplyMessage(Strict):
    visitId: Hex32
    reviewDigest: Hex32
    previousDigest: Hex32 = Field(description="0x00…00 for the first reply, else the latest's")
    text: str
    deadline: Uint64


class SignedReviewReply(Strict):
    message: ReviewReplyMessage
    signature: Signature


class ReplyOut(BaseModel):
    reviewId: int
    seq: int = Field(description="1 for the reply, then 2, ... for each edit")
    digest: str = Field(description="EIP-712 digest of the signed ReviewReply")
    previousDigest: str
    edited: bool
    signedAt: int
    anchor: StatementAnchorOut = Field(description="queued: the worker anchors the digest")


class ReplyVersionOut(BaseModel):
    seq: int
    digest: str
    reviewDigest: str
    previousDigest: str
    text: str | None = Field(description="null once the review's patient erased the review")
    textHash: str = Field(description="keccak256 of the signed text (kept after an erasure)")
    deadline: int
    signature: str
    signedAt: int
    anchor: StatementAnchorOut | None


class ReplyHistoryOut(BaseModel):
    reviewId: int
    visitId: str
    dentist: str = Field(description="the signer of every version: the visit's dentist")
    erased: bool = Field(description="the review was erased by its patient: texts deleted")
    versions: list[ReplyVersionOut] = Field(description="every signed version, oldest first")


class ReplyCheckIn(Strict):
    text: str = Field(description="at most 20,000 characters (code points)")


class PhiWarningOut(BaseModel):
    code: str = Field(description="PERSON_NAME, VISIT_DATE, VISIT_TIME, TREATMENT, ...")
    start: int = Field(description="index of the match's first character (code points)")
    end: int
    match: str
    message: str = Field(description="what the match seems to disclose, in plain words")


class ReplyCheckOut(BaseModel):
    warnings: list[PhiWarningOut]


class RevisionOut(BaseModel):
    reviewId: int
    seq: int = Field(description="1 for the first revision, then 2, ...")
    kind: Literal["edit", "erasure"]
    digest: str = Field(description="EIP-712 digest of the signed ReviewEdit / ReviewErasure")
    state: Literal["edited", "erased"]
    anchored: bool = Field(
        False, description="revisions are signed and kept, not anchored on-chain (yet)"
    )


class ReviewPage(BaseModel):
    dentist: str
    total: int
    limit: int
    offset: int
    includePending: bool
    items: list[ReviewOut]


class MonthOut(BaseModel):
    month: str
    count: int
    mean: float | None


class ReputationOut(BaseModel):
    dentist: str
    name: str
    count: int
    mean: float | None
    bayesianScore: float | None
    prior: dict[str, float]
    treatment: float | None
    bedside: float | None
    waitTime: float | None
    histogram: dict[str, int]
    trend: list[MonthOut]
    pendingCount: int


class RewardItemOut(BaseModel):
    reviewId: int
    amount: str
    status: Literal["pending", "paid", "queued"]
    txHash: str | None


class PatientRewardsOut(BaseModel):
    patient: str
    earned: str
    paid: str
    pending: str
    queued: str
    onChainBalance: str | None
    items: list[RewardItemOut]


class DirectoryEntryOut(BaseModel):
    address: str
    name: str
    active: bool
    count: int = Field(description="anchored reviews, each of an attested visit")
    mean: float | None
    bayesianScore: float | None
    verified: bool = Field(description="true when the dentist has at least one anchored review")
    city: str | None = Field(description="from the practice's details; null until set")
    country: str | None = Field(description="ISO 3166-1 alpha-2")
    acceptingNewPatients: bool | None = Field(description="null: the practice has not said")
    languages: list[str] = Field(description="languages spoken (BCP-47 primary tags)")


class DirectoryPageOut(BaseModel):
    q: str
    minRating: float | None
    language: str | None
    acceptingNewPatients: bool | None
    sort: str = Field(description="score, reviews or name")
    total: int
    limit: int
    offset: int
    items: list[DirectoryEntryOut]
    languageChoices: list[str] = Field(description="the values `language` may take")


class InvitationReviewOut(BaseModel):
    id: int
    status: str


class PublicInvitationOut(BaseModel):
    """What an invitation link shows anyone: nothing of the patient, nor the visit's time."""

    visitId: str
    dentist: str
    dentistName: str
    dentistActive: bool
    review: InvitationReviewOut | None = Field(description="the visit's review, once written")


class InvitationOut(PublicInvitationOut):
    """The visit itself, for its signed-in patient or dentist."""

    patient: str
    visitedAt: int
    reviewClosesAt: int = Field(description="unix seconds after which the visit cannot be reviewed")


# ---------------------------------------------------------------- anonymous reviews
# docs/ANONYMOUS.md. Field elements (commitments, roots, nullifiers, points) and the period
# travel as decimal strings: they exceed JSON-safe integers.

FieldDecimal = Annotated[
    str,
    Field(
        max_length=78,
        examples=["1234567890123456789"],
        description="an element of the BN254 scalar field, as a decimal string",
    ),
]


class GroupMembershipMessage(Strict):
    visitId: Hex32
    commitment: FieldDecimal = Field(description="the Semaphore identity commitment")


class SignedGroupMembership(Strict):
    message: GroupMembershipMessage
    signature: Signature


class MembershipOut(BaseModel):
    dentist: str
    commitment: str
    index: int = Field(description="the commitment's leaf index in the practice's group")
    committed: bool = Field(description="a committed group root already covers it")


class GroupOut(BaseModel):
    dentist: str
    members: list[str] = Field(
        description="the commitments the committed root covers, in the group's order"
    )
    committedRoot: str | None
    committedSize: int
    minGroupSize: int
    open: bool = Field(description="committedSize >= minGroupSize: anonymous reviews accepted")
    period: str = Field(description="the current period (decimal string)")
    periodLength: int = Field(description="seconds")


class AnonymousReviewMessage(Strict):
    dentist: Address
    period: FieldDecimal = Field(description="the review period (current or previous)")
    rating: Uint8
    treatment: Uint8
    bedside: Uint8
    waitTime: Uint8
    text: str
    rewardTo: Address


class AnonymousProof(Strict):
    merkleTreeRoot: FieldDecimal
    merkleTreeDepth: int = Field(ge=1, le=32)
    nullifier: FieldDecimal
    points: list[FieldDecimal] = Field(min_length=8, max_length=8)


class AnonymousReviewIn(Strict):
    message: AnonymousReviewMessage
    proof: AnonymousProof
    language: PageLanguage | None = Field(
        default=None, description="the page's language when it was written; display only"
    )


class QueuedAnonymousOut(BaseModel):
    id: str
    digest: str = Field(description="EIP-712 digest of the AnonymousReviewText")
    status: Literal["queued"]
    publishAfter: int = Field(description="unix seconds; published in a batch, not before")


class AnonymousProofOut(BaseModel):
    merkleTreeRoot: str
    merkleTreeDepth: int
    nullifier: str
    points: list[str]


class AnonymousReviewOut(BaseModel):
    id: str
    dentist: str
    period: str
    rating: int | None = Field(description="null once removed by moderation")
    treatment: int | None
    bedside: int | None
    waitTime: int | None
    text: str = Field(description="empty once removed by moderation")
    state: Literal["published", "under_review", "removed"] = Field(
        "published",
        description="as a named review's: under review (reported, still shown and counted); "
        "removed by moderation (`decisions` says who and why; text and ratings not shown, "
        "not counted)",
    )
    stateLabel: str | None = Field(None, description='e.g. "removed by moderation: advertising"')
    decisions: list[ModerationDecisionOut] = Field(
        default_factory=list, description="the operators' recorded decisions, oldest first"
    )
    language: PageLanguage | None
    digest: str
    rewardTo: str
    proof: AnonymousProofOut
    status: Literal["queued", "anchored", "failed"] = Field(
        description="queued until published in a batch (also while its transaction is on its way)"
    )
    anchoredAt: int | None
    blockNumber: int | None
    txHash: str | None
    contract: str | None = Field(description="the AnonymousReviews address")
    chainId: int


class AnonymousReviewPage(BaseModel):
    dentist: str
    limit: int
    offset: int
    items: list[AnonymousReviewOut]
