"""One error tree with a stable code and HTTP status per cause.

Clients branch on `code`, never on `message`: codes are part of the wire
protocol and never change meaning. `ERROR_CATALOG` lists every error so the
API page (docs/API.md) and the OpenAPI description are generated from this module alone.
Callers may catch a whole group; only the leaves carry a code.

    DentaReviewError
    ├── InputRejected          422 (413 for a body too large): the request's content
    │   ├── ValidationError, SelfReview, VisitInFuture, ReviewWindowClosed,
    │   │   SignatureExpired, DeadlineTooFar, TextTooShort, TextTooLong, TooFewWords,
    │   │   InvalidRating, ReplyTextInvalid, PayloadTooLarge, RenameReasonInvalid,
    │   │   InvalidEmail, WebhookUrlRefused, InvalidScore, InvalidPhone,
│   │   InvalidWebsite, InvalidCountry, InvalidLocation
    │   └── NameRejected       a practice name that could mislead (NAME_*)
    ├── NotFound               404: VisitNotFound, ReviewNotFound, DentistNotFound,
    │                          InvitationNotFound
    ├── Conflict               409: the stored state forbids it (duplicates, stale
    │                          digests, erased reviews, the registry disagreeing)
    ├── SignatureRejected      400/403: the signer may not sign this
    ├── SignInRejected         401/403: sign-in, session, role and origin
    ├── ChainProblem           503: ChainUnavailable, NotDeployed, UnsafeKeys,
    │                          MailUnavailable (a service the request needs is down)
    ├── LimitReached           429: DentistVisitLimit, RateLimited
    └── InternalError          500
"""

from __future__ import annotations

from typing import ClassVar

# The groups of the tree: they carry no code of their own, only their leaves do.
_GROUPS = frozenset(
    {
        "InputRejected",
        "NameRejected",
        "NotFound",
        "Conflict",
        "SignatureRejected",
        "SignInRejected",
        "ChainProblem",
        "LimitReached",
    }
)


class DentaReviewError(Exception):
    """Base of every error the service reports to a client."""

    code: ClassVar[str]
    status: ClassVar[int]
    description: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        # A subclass that forgot its code would silently inherit a wrong one.
        missing = [name for name in ("code", "status", "description") if name not in cls.__dict__]
        if missing and cls.__name__ not in _GROUPS:
            raise TypeError(f"{cls.__name__} must define {', '.join(missing)}")

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        self.message: str = message if message is not None else self.description
        self.field: str | None = field
        super().__init__(self.message)

    def to_dict(self) -> dict[str, str]:
        """The body of `{"error": ...}`; `field` only when one input is to blame."""
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, field={self.field!r})"


class InputRejected(DentaReviewError):
    """The request's content breaks a rule: fix the named field and send it again."""


class NameRejected(InputRejected):
    """A practice name that is invisible, deceptive or a look-alike of another's."""


class NotFound(DentaReviewError):
    """Nothing is stored under the identifier given."""


class Conflict(DentaReviewError):
    """What is stored (or on-chain) forbids the change; read it again and retry."""


class SignatureRejected(DentaReviewError):
    """The signature is malformed, or its signer may not sign this message."""


class SignInRejected(DentaReviewError):
    """No session, a refused sign-in, a missing role, or a change from another site."""


class ChainProblem(DentaReviewError):
    """The chain or the service's keys for it are not usable now."""


class LimitReached(DentaReviewError):
    """A rate or count limit is spent; retry later."""


class ValidationError(InputRejected):
    code = "VALIDATION_ERROR"
    status = 422
    description = "A field is missing, malformed or out of range; `field` names it."


class InvalidSignature(SignatureRejected):
    code = "INVALID_SIGNATURE"
    status = 400
    description = "The signature is malformed, not 65 bytes, high-s, or does not recover."


class UnknownDentist(SignatureRejected):
    code = "UNKNOWN_DENTIST"
    status = 403
    description = "The visit was signed by a wallet that is not a registered dentist."


class DentistInactive(SignatureRejected):
    code = "DENTIST_INACTIVE"
    status = 403
    description = "The dentist is registered but currently deactivated."


class VisitNotFound(NotFound):
    code = "VISIT_NOT_FOUND"
    status = 404
    description = "No attested visit has this visitId."


class NotVisitPatient(SignatureRejected):
    code = "NOT_VISIT_PATIENT"
    status = 403
    description = "The review or recommendation was not signed by the patient of the visit."


class SelfReview(InputRejected):
    code = "SELF_REVIEW"
    status = 422
    description = "The patient and the dentist of a visit are the same wallet."


class VisitInFuture(InputRejected):
    code = "VISIT_IN_FUTURE"
    status = 422
    description = "visitedAt lies in the future."


class DuplicateVisit(Conflict):
    code = "DUPLICATE_VISIT"
    status = 409
    description = "A visit with this visitId is already recorded."


class DentistVisitLimit(LimitReached):
    code = "DENTIST_VISIT_LIMIT"
    status = 429
    description = (
        "The dentist has attested the most visits allowed in 24 hours (default 200); "
        "retry later or ask the operator to raise the limit."
    )


class VisitSignerRevoked(SignatureRejected):
    code = "VISIT_SIGNER_REVOKED"
    status = 403
    description = (
        "The visit was signed by a visit-signing key that the dentist revoked, or that may "
        "not attest a visit at this time (visitedAt after its validUntil)."
    )


class VisitSignerNotActive(SignatureRejected):
    code = "VISIT_SIGNER_NOT_ACTIVE"
    status = 403
    description = (
        "The visit was signed by a visit-signing key whose authorisation is not on-chain "
        "yet; retry once the practice's page shows the key active."
    )


class VisitSignerNotAvailable(Conflict):
    code = "VISIT_SIGNER_NOT_AVAILABLE"
    status = 409
    description = (
        "The key cannot be authorised: it is the dentist's own wallet or it already "
        "attests visits for another dentist."
    )


class VisitSignerNonce(Conflict):
    code = "VISIT_SIGNER_NONCE"
    status = 409
    description = (
        "The VisitSigner's nonce is not the dentist's next one; fetch the visit signers "
        "(nextNonce) and sign again."
    )


class DuplicateReview(Conflict):
    code = "DUPLICATE_REVIEW"
    status = 409
    description = "This visit has already been reviewed."


class ReviewWindowClosed(InputRejected):
    code = "REVIEW_WINDOW_CLOSED"
    status = 422
    description = "The review comes before the visit or too long after it (default 90 days)."


class SignatureExpired(InputRejected):
    code = "SIGNATURE_EXPIRED"
    status = 422
    description = "The signed deadline has passed; sign the review again."


class DeadlineTooFar(InputRejected):
    code = "DEADLINE_TOO_FAR"
    status = 422
    description = "The signed deadline is too far ahead (default at most 1 day)."


class TextTooShort(InputRejected):
    code = "TEXT_TOO_SHORT"
    status = 422
    description = (
        "The review text has too few visible characters (default minimum 50; "
        "invisible and format characters do not count)."
    )


class TextTooLong(InputRejected):
    code = "TEXT_TOO_LONG"
    status = 422
    description = "The review text has too many characters (default maximum 5000)."


class TooFewWords(InputRejected):
    code = "TOO_FEW_WORDS"
    status = 422
    description = "The review text has too few words of visible characters (default minimum 10)."


class InvalidRating(InputRejected):
    code = "INVALID_RATING"
    status = 422
    description = "A rating is outside 1..5; `field` names it."


class ReviewNotFound(NotFound):
    code = "REVIEW_NOT_FOUND"
    status = 404
    description = "No review matches this identifier."


class ReviewNotAnchored(Conflict):
    code = "REVIEW_NOT_ANCHORED"
    status = 409
    description = "The review is not anchored on-chain yet; its proof exists once it is."


class DentistNotFound(NotFound):
    code = "DENTIST_NOT_FOUND"
    status = 404
    description = "No dentist is registered at this address."


class SiweInvalid(SignInRejected):
    code = "SIWE_INVALID"
    status = 422
    description = "The sign-in message is not a well-formed EIP-4361 message."


class SiweDomainMismatch(SignInRejected):
    code = "SIWE_DOMAIN_MISMATCH"
    status = 401
    description = "The sign-in message names another domain, URI or chain than this service's."


class SiweNonceUnknown(SignInRejected):
    code = "SIWE_NONCE_UNKNOWN"
    status = 401
    description = "The sign-in nonce was not issued here, was already used, or has expired."


class SiweExpired(SignInRejected):
    code = "SIWE_EXPIRED"
    status = 401
    description = "The sign-in message has expired, is not valid yet, or was issued too long ago."


class SiweSignatureMismatch(SignInRejected):
    code = "SIWE_SIGNATURE_MISMATCH"
    status = 401
    description = "The sign-in signature does not recover to the message's address."


class NotSignedIn(SignInRejected):
    code = "NOT_SIGNED_IN"
    status = 401
    description = "No valid session: sign in with the wallet first (POST /v1/auth/siwe)."


class Forbidden(SignInRejected):
    code = "FORBIDDEN"
    status = 403
    description = "The signed-in wallet may not see this: it belongs to another patient."


class NotADentist(SignInRejected):
    code = "NOT_A_DENTIST"
    status = 403
    description = (
        "The signed-in wallet is not a registered dentist; sign in with the practice's "
        "registered wallet."
    )


class NotAnOperator(SignInRejected):
    code = "NOT_AN_OPERATOR"
    status = 403
    description = (
        "The signed-in wallet is not one of the service's operators "
        "(DENTAREVIEW_OPERATOR_ADDRESSES); sign in with an operator's wallet."
    )


class CrossSiteRequest(SignInRejected):
    code = "CROSS_SITE_REQUEST"
    status = 403
    description = (
        "A signed-in change must come from this service's own pages: the request's Origin "
        "(or Sec-Fetch-Site) names another site."
    )


class DentistNotOnChain(Conflict):
    code = "DENTIST_NOT_ON_CHAIN"
    status = 409
    description = (
        "The registry does not show this dentist registered and active; send "
        "registerDentist with the admin wallet first, then record it."
    )


class DentistStillActiveOnChain(Conflict):
    code = "DENTIST_STILL_ACTIVE_ON_CHAIN"
    status = 409
    description = (
        "The registry still shows this dentist active; send deactivateDentist with the "
        "admin wallet first, then record it."
    )


# Practice names (dentareview/domain/practice_names.py) and their recorded changes.


class NameBidiControl(NameRejected):
    code = "NAME_BIDI_CONTROL"
    status = 422
    description = (
        "The name holds a bidirectional control (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, "
        "PDI, LRM, RLM or ALM), which reorders what readers see."
    )


class NameControlCharacters(NameRejected):
    code = "NAME_CONTROL_CHARACTERS"
    status = 422
    description = "The name holds a control character or a line or paragraph break."


class NameUnusableCharacters(NameRejected):
    code = "NAME_UNUSABLE_CHARACTERS"
    status = 422
    description = "The name holds an unassigned, private-use or surrogate code point."


class NameInvisibleCharacters(NameRejected):
    code = "NAME_INVISIBLE_CHARACTERS"
    status = 422
    description = (
        "The name holds an invisible character: a format character (zero-width space or "
        "joiner, soft hyphen, tag) or another default-ignorable code point."
    )


class NameMarkup(NameRejected):
    code = "NAME_MARKUP"
    status = 422
    description = "The name holds '<' or '>'; markup has no place in a name."


class NameBlank(NameRejected):
    code = "NAME_BLANK"
    status = 422
    description = "The name has no visible characters once spaces are removed."


class NameTooLong(NameRejected):
    code = "NAME_TOO_LONG"
    status = 422
    description = "The name is longer than 200 characters."


class NameMixedScript(NameRejected):
    code = "NAME_MIXED_SCRIPT"
    status = 422
    description = (
        "A word of the name mixes scripts with look-alike letters (a Cyrillic 'а' in a "
        "Latin word); write each word in one script."
    )


class NameConfusable(NameRejected):
    code = "NAME_CONFUSABLE"
    status = 409
    description = (
        "The name looks like another practice's (their Unicode TR39 skeletons are equal, "
        "case aside); choose a name readers can tell apart."
    )


class RenameRequiresReason(Conflict):
    code = "RENAME_REQUIRES_REASON"
    status = 409
    description = (
        "The dentist is already recorded under another name; change it with "
        "POST /v1/operator/dentists/{address}/name (or `dentareview dentist rename`), "
        "giving a reason."
    )


class RenameReasonInvalid(InputRejected):
    code = "RENAME_REASON_INVALID"
    status = 422
    description = (
        "The reason for a name change is missing, longer than 500 characters, or holds "
        "control, bidirectional or invisible characters."
    )


class NameUnchanged(Conflict):
    code = "NAME_UNCHANGED"
    status = 409
    description = "The practice already has this name; there is no change to record."


class PayloadTooLarge(InputRejected):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    description = "The request body exceeds the size limit."


class RateLimited(LimitReached):
    code = "RATE_LIMITED"
    status = 429
    description = "Too many requests; retry later."

    def __init__(self, message: str | None = None, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        # Sent as the Retry-After header by the API's error handler.
        self.headers = {"Retry-After": str(max(1, retry_after_seconds))}


class ChainUnavailable(ChainProblem):
    code = "CHAIN_UNAVAILABLE"
    status = 503
    description = "The blockchain node cannot be reached; retry later."


class NotDeployed(ChainProblem):
    code = "NOT_DEPLOYED"
    status = 503
    description = "No DentaReview contracts are deployed on the configured chain."


class UnsafeKeys(ChainProblem):
    code = "UNSAFE_KEYS"
    status = 503
    description = (
        "The service is configured with a public development key or a shared admin on a "
        "non-local chain; the operator must configure keys of its own."
    )


class InvalidEmail(InputRejected):
    code = "INVALID_EMAIL"
    status = 422
    description = "The email address is not a valid address (name@domain); `field` names it."


class InvitationNotFound(NotFound):
    code = "INVITATION_NOT_FOUND"
    status = 404
    description = "No invitation has this short link code or unsubscribe token."


class MailUnavailable(ChainProblem):
    code = "MAIL_UNAVAILABLE"
    status = 503
    description = "The mail server cannot be reached or refused the message; retry later."


class NotReviewAuthor(SignatureRejected):
    code = "NOT_REVIEW_AUTHOR"
    status = 403
    description = "The edit or erasure was not signed by the review's own patient."


class RevisionConflict(Conflict):
    code = "REVISION_CONFLICT"
    status = 409
    description = (
        "The signed digest is not the review's latest version (edit) or not the review's "
        "digest (erasure); fetch the review and sign again."
    )


class ReviewErased(Conflict):
    code = "REVIEW_ERASED"
    status = 409
    description = (
        "The review was erased by its author; it can no longer be edited, erased or replied to."
    )


class NotVisitDentist(SignatureRejected):
    code = "NOT_VISIT_DENTIST"
    status = 403
    description = "The reply was not signed by the dentist of the reviewed visit."


class ReplyConflict(Conflict):
    code = "REPLY_CONFLICT"
    status = 409
    description = (
        "The signed reply names another review digest, or its previousDigest is not the "
        "latest reply version's (zero for the first reply); fetch the reply and sign again."
    )


class ReplyTextInvalid(InputRejected):
    code = "REPLY_TEXT_INVALID"
    status = 422
    description = (
        "The reply text is empty, too long (default at most 2000 characters) or holds "
        "control characters."
    )


class ReplyVersionLimit(Conflict):
    code = "REPLY_VERSION_LIMIT"
    status = 409
    description = "The reply has been edited the most times allowed (default 20 versions)."


# Would you recommend us? (dentareview/domain/nps.py)


class InvalidScore(InputRejected):
    code = "INVALID_SCORE"
    status = 422
    description = "The recommendation score is outside 0..10."


class RecommendationNeedsReview(Conflict):
    code = "RECOMMENDATION_NEEDS_REVIEW"
    status = 409
    description = (
        "The visit has no review by its patient yet; the recommendation is asked with the "
        "review, so post the review first."
    )


class DuplicateRecommendation(Conflict):
    code = "DUPLICATE_RECOMMENDATION"
    status = 409
    description = "This visit already has a recommendation; it is one per visit and final."


class WebhookUrlRefused(InputRejected):
    code = "WEBHOOK_URL_REFUSED"
    status = 422
    description = (
        "The webhook URL is not an https URL with a host, its host does not resolve, or it "
        "resolves to a loopback, private, link-local or otherwise non-public address."
    )


class PasskeyRegistrationInvalid(InputRejected):
    code = "PASSKEY_REGISTRATION_INVALID"
    status = 422
    description = (
        "The passkey registration does not verify: its attestation or client data is "
        "malformed, it was made without user verification, or its key is not ES256 (P-256)."
    )


class PasskeyOriginMismatch(InputRejected):
    code = "PASSKEY_ORIGIN_MISMATCH"
    status = 422
    description = "The passkey was made for another site than this service's (origin or RP ID)."


class PasskeyChallengeUnknown(SignInRejected):
    code = "PASSKEY_CHALLENGE_UNKNOWN"
    status = 401
    description = (
        "The passkey challenge was not issued here, was already used, or has expired; "
        "ask for a new one."
    )


class PasskeyAlreadyRegistered(Conflict):
    code = "PASSKEY_ALREADY_REGISTERED"
    status = 409
    description = "This passkey is already registered."


class CheckinNotFound(NotFound):
    code = "CHECKIN_NOT_FOUND"
    status = 404
    description = "No practice has this check-in code; scan the practice's code again."


class PasskeyNotFound(NotFound):
    code = "PASSKEY_NOT_FOUND"
    status = 404
    description = "No passkey account is registered at this address."


class TransferRejected(InputRejected):
    code = "TRANSFER_REJECTED"
    status = 422
    description = (
        "The transfer cannot be made: the passkey did not sign it, or its nonce, deadline, "
        "recipient or amount is not one the account can send now."
    )


class TransferPending(Conflict):
    code = "TRANSFER_PENDING"
    status = 409
    description = "A transfer of this account is still on its way; wait until it is done."


class AccountDeploymentLimit(LimitReached):
    code = "ACCOUNT_DEPLOYMENT_LIMIT"
    status = 429
    description = (
        "The service has set up the most new passkey accounts it pays for today for this "
        "practice's patients (default 20); try again tomorrow."
    )


class VisitConflict(Conflict):
    code = "VISIT_CONFLICT"
    status = 409
    description = (
        "A visit with this visitId is recorded with another patient, dentist or time; "
        "an import never changes a recorded visit."
    )


class VisitImportRejected(InputRejected):
    code = "VISIT_IMPORT_REJECTED"
    status = 422
    description = (
        "Some visits of the import were refused, so none was imported; `results` gives "
        "each visit's outcome and error."
    )


class InvalidPhone(InputRejected):
    code = "INVALID_PHONE"
    status = 422
    description = (
        "The phone number is not a valid number: give it in international form (+44 20...) "
        "or set the practice's country for a national number."
    )


class InvalidWebsite(InputRejected):
    code = "INVALID_WEBSITE"
    status = 422
    description = (
        "The website is not an https:// address with a host (and no user name or password)."
    )


class InvalidCountry(InputRejected):
    code = "INVALID_COUNTRY"
    status = 422
    description = "The country is not an ISO 3166-1 alpha-2 code (such as DE, GB or US)."


class InvalidLocation(InputRejected):
    code = "INVALID_LOCATION"
    status = 422
    description = (
        "latitude and longitude go together (both or neither), latitude within -90..90 and "
        "longitude within -180..180."
    )


# Anonymous reviews (dentareview/domain/anonymous.py, docs/ANONYMOUS.md)


class MembershipExists(Conflict):
    code = "MEMBERSHIP_EXISTS"
    status = 409
    description = (
        "This visit already put another identity commitment in the practice's group; a "
        "visit adds one commitment, once."
    )


class AnonymousGroupTooSmall(Conflict):
    code = "ANONYMOUS_GROUP_TOO_SMALL"
    status = 409
    description = (
        "The practice's group of patients is still smaller than the minimum that keeps an "
        "anonymous review anonymous; a named review is possible now."
    )


class UnknownGroupRoot(Conflict):
    code = "UNKNOWN_GROUP_ROOT"
    status = 409
    description = (
        "The proof was made against a group root that is not, or no longer, a committed root "
        "of this practice's group; load the group again and prove again."
    )


class PeriodNotOpen(Conflict):
    code = "PERIOD_NOT_OPEN"
    status = 409
    description = "The review names a period that is neither the current nor the previous one."


class NullifierUsed(Conflict):
    code = "NULLIFIER_USED"
    status = 409
    description = (
        "An anonymous review of this practice by the same identity already exists for this "
        "period; one per practice and period."
    )


class InvalidProof(InputRejected):
    code = "INVALID_PROOF"
    status = 422
    description = (
        "The zero-knowledge proof does not verify for this review, practice, period and "
        "group root (the text or reward address changed after proving, or the proof is "
        "malformed)."
    )


class AnonymousReviewNotFound(NotFound):
    code = "ANONYMOUS_REVIEW_NOT_FOUND"
    status = 404
    description = "There is no anonymous review with this id."


class InternalError(DentaReviewError):
    code = "INTERNAL_ERROR"
    status = 500
    description = "An unexpected error occurred; it has been logged."


ERROR_CATALOG: tuple[type[DentaReviewError], ...] = (
    ValidationError,
    InvalidSignature,
    UnknownDentist,
    DentistInactive,
    VisitNotFound,
    NotVisitPatient,
    SelfReview,
    VisitInFuture,
    DuplicateVisit,
    DentistVisitLimit,
    VisitSignerRevoked,
    VisitSignerNotActive,
    VisitSignerNotAvailable,
    VisitSignerNonce,
    DuplicateReview,
    ReviewWindowClosed,
    SignatureExpired,
    DeadlineTooFar,
    TextTooShort,
    TextTooLong,
    TooFewWords,
    InvalidRating,
    ReviewNotFound,
    ReviewNotAnchored,
    DentistNotFound,
    SiweInvalid,
    SiweDomainMismatch,
    SiweNonceUnknown,
    SiweExpired,
    SiweSignatureMismatch,
    NotSignedIn,
    Forbidden,
    NotADentist,
    NotAnOperator,
    CrossSiteRequest,
    DentistNotOnChain,
    DentistStillActiveOnChain,
    NameBidiControl,
    NameControlCharacters,
    NameUnusableCharacters,
    NameInvisibleCharacters,
    NameMarkup,
    NameBlank,
    NameTooLong,
    NameMixedScript,
    NameConfusable,
    RenameRequiresReason,
    RenameReasonInvalid,
    NameUnchanged,
    PayloadTooLarge,
    RateLimited,
    ChainUnavailable,
    NotDeployed,
    UnsafeKeys,
    InvalidEmail,
    InvitationNotFound,
    MailUnavailable,
    NotReviewAuthor,
    RevisionConflict,
    ReviewErased,
    NotVisitDentist,
    ReplyConflict,
    ReplyTextInvalid,
    ReplyVersionLimit,
    InvalidScore,
    RecommendationNeedsReview,
    DuplicateRecommendation,
    WebhookUrlRefused,
    PasskeyRegistrationInvalid,
    PasskeyOriginMismatch,
    PasskeyChallengeUnknown,
    PasskeyAlreadyRegistered,
    CheckinNotFound,
    PasskeyNotFound,
    TransferRejected,
    TransferPending,
    AccountDeploymentLimit,
    VisitConflict,
    VisitImportRejected,
    InvalidPhone,
    InvalidWebsite,
    InvalidCountry,
    InvalidLocation,
    MembershipExists,
    AnonymousGroupTooSmall,
    UnknownGroupRoot,
    PeriodNotOpen,
    NullifierUsed,
    InvalidProof,
    AnonymousReviewNotFound,
    InternalError,
)
