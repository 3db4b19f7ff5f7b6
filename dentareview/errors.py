"""One error tree with a stable code and HTTP status per cause.

Clients branch on `code`, never on `message`: codes are part of the wire
protocol and never change meaning. `ERROR_CATALOG` lists every error so the
README and the OpenAPI description are generated from this module alone.
"""

from __future__ import annotations

from typing import ClassVar


class DentaReviewError(Exception):
    """Base of every error the service reports to a client."""

    code: ClassVar[str]
    status: ClassVar[int]
    description: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        # A subclass that forgot its code would silently inherit a wrong one.
        missing = [name for name in ("code", "status", "description") if name not in cls.__dict__]
        if missing:
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


class ValidationError(DentaReviewError):
    code = "VALIDATION_ERROR"
    status = 422
    description = "A field is missing, malformed or out of range; `field` names it."


class InvalidSignature(DentaReviewError):
    code = "INVALID_SIGNATURE"
    status = 400
    description = "The signature is malformed, not 65 bytes, high-s, or does not recover."


class UnknownDentist(DentaReviewError):
    code = "UNKNOWN_DENTIST"
    status = 403
    description = "The visit was signed by a wallet that is not a registered dentist."


class DentistInactive(DentaReviewError):
    code = "DENTIST_INACTIVE"
    status = 403
    description = "The dentist is registered but currently deactivated."


class VisitNotFound(DentaReviewError):
    code = "VISIT_NOT_FOUND"
    status = 404
    description = "No attested visit has this visitId."


class NotVisitPatient(DentaReviewError):
    code = "NOT_VISIT_PATIENT"
    status = 403
    description = "The review was not signed by the patient of the visit."


class SelfReview(DentaReviewError):
    code = "SELF_REVIEW"
    status = 422
    description = "The patient and the dentist of a visit are the same wallet."


class VisitInFuture(DentaReviewError):
    code = "VISIT_IN_FUTURE"
    status = 422
    description = "visitedAt lies in the future."


class DuplicateVisit(DentaReviewError):
    code = "DUPLICATE_VISIT"
    status = 409
    description = "A visit with this visitId is already recorded."


class DentistVisitLimit(DentaReviewError):
    code = "DENTIST_VISIT_LIMIT"
    status = 429
    description = (
        "The dentist has attested the most visits allowed in 24 hours (default 200); "
        "retry later or ask the operator to raise the limit."
    )


class DuplicateReview(DentaReviewError):
    code = "DUPLICATE_REVIEW"
    status = 409
    description = "This visit has already been reviewed."


class ReviewWindowClosed(DentaReviewError):
    code = "REVIEW_WINDOW_CLOSED"
    status = 422
    description = "The review comes before the visit or too long after it (default 90 days)."


class SignatureExpired(DentaReviewError):
    code = "SIGNATURE_EXPIRED"
    status = 422
    description = "The signed deadline has passed; sign the review again."


class DeadlineTooFar(DentaReviewError):
    code = "DEADLINE_TOO_FAR"
    status = 422
    description = "The signed deadline is too far ahead (default at most 1 day)."


class TextTooShort(DentaReviewError):
    code = "TEXT_TOO_SHORT"
    status = 422
    description = (
        "The review text has too few visible characters (default minimum 50; "
        "invisible and format characters do not count)."
    )


class TextTooLong(DentaReviewError):
    code = "TEXT_TOO_LONG"
    status = 422
    description = "The review text has too many characters (default maximum 5000)."


class TooFewWords(DentaReviewError):
    code = "TOO_FEW_WORDS"
    status = 422
    description = "The review text has too few words of visible characters (default minimum 10)."


class InvalidRating(DentaReviewError):
    code = "INVALID_RATING"
    status = 422
    description = "A rating is outside 1..5; `field` names it."


class ReviewNotFound(DentaReviewError):
    code = "REVIEW_NOT_FOUND"
    status = 404
    description = "No review matches this identifier."


class ReviewNotAnchored(DentaReviewError):
    code = "REVIEW_NOT_ANCHORED"
    status = 409
    description = "The review is not anchored on-chain yet; its proof exists once it is."


class DentistNotFound(DentaReviewError):
    code = "DENTIST_NOT_FOUND"
    status = 404
    description = "No dentist is registered at this address."


class SiweInvalid(DentaReviewError):
    code = "SIWE_INVALID"
    status = 422
    description = "The sign-in message is not a well-formed EIP-4361 message."


class SiweDomainMismatch(DentaReviewError):
    code = "SIWE_DOMAIN_MISMATCH"
    status = 401
    description = "The sign-in message names another domain, URI or chain than this service's."


class SiweNonceUnknown(DentaReviewError):
    code = "SIWE_NONCE_UNKNOWN"
    status = 401
    description = "The sign-in nonce was not issued here, was already used, or has expired."


class SiweExpired(DentaReviewError):
    code = "SIWE_EXPIRED"
    status = 401
    description = "The sign-in message has expired, is not valid yet, or was issued too long ago."


class SiweSignatureMismatch(DentaReviewError):
    code = "SIWE_SIGNATURE_MISMATCH"
    status = 401
    description = "The sign-in signature does not recover to the message's address."


class NotSignedIn(DentaReviewError):
    code = "NOT_SIGNED_IN"
    status = 401
    description = "No valid session: sign in with the wallet first (POST /v1/auth/siwe)."


class Forbidden(DentaReviewError):
    code = "FORBIDDEN"
    status = 403
    description = "The signed-in wallet may not see this: it belongs to another patient."


class NotADentist(DentaReviewError):
    code = "NOT_A_DENTIST"
    status = 403
    description = (
        "The signed-in wallet is not a registered dentist; sign in with the practice's "
        "registered wallet."
    )


class NotAnOperator(DentaReviewError):
    code = "NOT_AN_OPERATOR"
    status = 403
    description = (
        "The signed-in wallet is not one of the service's operators "
        "(DENTAREVIEW_OPERATOR_ADDRESSES); sign in with an operator's wallet."
    )


class CrossSiteRequest(DentaReviewError):
    code = "CROSS_SITE_REQUEST"
    status = 403
    description = (
        "A signed-in change must come from this service's own pages: the request's Origin "
        "(or Sec-Fetch-Site) names another site."
    )


class DentistNotOnChain(DentaReviewError):
    code = "DENTIST_NOT_ON_CHAIN"
    status = 409
    description = (
        "The registry does not show this dentist registered and active; send "
        "registerDentist with the admin wallet first, then record it."
    )


class DentistStillActiveOnChain(DentaReviewError):
    code = "DENTIST_STILL_ACTIVE_ON_CHAIN"
    status = 409
    description = (
        "The registry still shows this dentist active; send deactivateDentist with the "
        "admin wallet first, then record it."
    )


# Practice names (dentareview/domain/practice_names.py) and their recorded changes.


class NameBidiControl(DentaReviewError):
    code = "NAME_BIDI_CONTROL"
    status = 422
    description = (
        "The name holds a bidirectional control (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, "
        "PDI, LRM, RLM or ALM), which reorders what readers see."
    )


class NameControlCharacters(DentaReviewError):
    code = "NAME_CONTROL_CHARACTERS"
    status = 422
    description = "The name holds a control character or a line or paragraph break."


class NameUnusableCharacters(DentaReviewError):
    code = "NAME_UNUSABLE_CHARACTERS"
    status = 422
    description = "The name holds an unassigned, private-use or surrogate code point."


class NameInvisibleCharacters(DentaReviewError):
    code = "NAME_INVISIBLE_CHARACTERS"
    status = 422
    description = (
        "The name holds an invisible character: a format character (zero-width space or "
        "joiner, soft hyphen, tag) or another default-ignorable code point."
    )


class NameMarkup(DentaReviewError):
    code = "NAME_MARKUP"
    status = 422
    description = "The name holds '<' or '>'; markup has no place in a name."


class NameBlank(DentaReviewError):
    code = "NAME_BLANK"
    status = 422
    description = "The name has no visible characters once spaces are removed."


class NameTooLong(DentaReviewError):
    code = "NAME_TOO_LONG"
    status = 422
    description = "The name is longer than 200 characters."


class NameMixedScript(DentaReviewError):
    code = "NAME_MIXED_SCRIPT"
    status = 422
    description = (
        "A word of the name mixes scripts with look-alike letters (a Cyrillic 'а' in a "
        "Latin word); write each word in one script."
    )


class NameConfusable(DentaReviewError):
    code = "NAME_CONFUSABLE"
    status = 409
    description = (
        "The name looks like another practice's (their Unicode TR39 skeletons are equal, "
        "case aside); choose a name readers can tell apart."
    )


class RenameRequiresReason(DentaReviewError):
    code = "RENAME_REQUIRES_REASON"
    status = 409
    description = (
        "The dentist is already recorded under another name; change it with "
        "POST /v1/operator/dentists/{address}/name (or `dentareview dentist rename`), "
        "giving a reason."
    )


class RenameReasonInvalid(DentaReviewError):
    code = "RENAME_REASON_INVALID"
    status = 422
    description = (
        "The reason for a name change is missing, longer than 500 characters, or holds "
        "control, bidirectional or invisible characters."
    )


class NameUnchanged(DentaReviewError):
    code = "NAME_UNCHANGED"
    status = 409
    description = "The practice already has this name; there is no change to record."


class PayloadTooLarge(DentaReviewError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    description = "The request body exceeds the size limit."


class RateLimited(DentaReviewError):
    code = "RATE_LIMITED"
    status = 429
    description = "Too many requests; retry later."

    def __init__(self, message: str | None = None, *, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        # Sent as the Retry-After header by the API's error handler.
        self.headers = {"Retry-After": str(max(1, retry_after_seconds))}


class ChainUnavailable(DentaReviewError):
    code = "CHAIN_UNAVAILABLE"
    status = 503
    description = "The blockchain node cannot be reached; retry later."


class NotDeployed(DentaReviewError):
    code = "NOT_DEPLOYED"
    status = 503
    description = "No DentaReview contracts are deployed on the configured chain."


class UnsafeKeys(DentaReviewError):
    code = "UNSAFE_KEYS"
    status = 503
    description = (
        "The service is configured with a public development key or a shared admin on a "
        "non-local chain; the operator must configure keys of its own."
    )


class NotReviewAuthor(DentaReviewError):
    code = "NOT_REVIEW_AUTHOR"
    status = 403
    description = "The edit or erasure was not signed by the review's own patient."


class RevisionConflict(DentaReviewError):
    code = "REVISION_CONFLICT"
    status = 409
    description = (
        "The signed digest is not the review's latest version (edit) or not the review's "
        "digest (erasure); fetch the review and sign again."
    )


class ReviewErased(DentaReviewError):
    code = "REVIEW_ERASED"
    status = 409
    description = (
        "The review was erased by its author; it can no longer be edited, erased or "
        "replied to."
    )


class NotVisitDentist(DentaReviewError):
    code = "NOT_VISIT_DENTIST"
    status = 403
    description = "The reply was not signed by the dentist of the reviewed visit."


class ReplyConflict(DentaReviewError):
    code = "REPLY_CONFLICT"
    status = 409
    description = (
        "The signed reply names another review digest, or its previousDigest is not the "
        "latest reply version's (zero for the first reply); fetch the reply and sign again."
    )


class ReplyTextInvalid(DentaReviewError):
    code = "REPLY_TEXT_INVALID"
    status = 422
    description = (
        "The reply text is empty, too long (default at most 2000 characters) or holds "
        "control characters."
    )


class ReplyVersionLimit(DentaReviewError):
    code = "REPLY_VERSION_LIMIT"
    status = 409
    description = "The reply has been edited the most times allowed (default 20 versions)."


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
    NotReviewAuthor,
    RevisionConflict,
    ReviewErased,
    NotVisitDentist,
    ReplyConflict,
    ReplyTextInvalid,
    ReplyVersionLimit,
    InternalError,
)
