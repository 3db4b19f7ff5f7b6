from __future__ import annotations

from pathlib import Path

import pytest

from dentareview import errors
from dentareview.errors import ERROR_CATALOG, DentaReviewError, InvalidRating, ValidationError

# The wire contract, written out by hand: a changed code or status must fail here.
EXPECTED = {
    "VALIDATION_ERROR": 422,
    "INVALID_SIGNATURE": 400,
    "UNKNOWN_DENTIST": 403,
    "DENTIST_INACTIVE": 403,
    "VISIT_NOT_FOUND": 404,
    "NOT_VISIT_PATIENT": 403,
    "SELF_REVIEW": 422,
    "VISIT_IN_FUTURE": 422,
    "DUPLICATE_VISIT": 409,
    "DENTIST_VISIT_LIMIT": 429,
    "VISIT_SIGNER_REVOKED": 403,
    "VISIT_SIGNER_NOT_ACTIVE": 403,
    "VISIT_SIGNER_NOT_AVAILABLE": 409,
    "VISIT_SIGNER_NONCE": 409,
    "DUPLICATE_REVIEW": 409,
    "REVIEW_WINDOW_CLOSED": 422,
    "SIGNATURE_EXPIRED": 422,
    "DEADLINE_TOO_FAR": 422,
    "TEXT_TOO_SHORT": 422,
    "TEXT_TOO_LONG": 422,
    "TOO_FEW_WORDS": 422,
    "INVALID_RATING": 422,
    "REVIEW_NOT_FOUND": 404,
    "REVIEW_NOT_ANCHORED": 409,
    "DENTIST_NOT_FOUND": 404,
    "SIWE_INVALID": 422,
    "SIWE_DOMAIN_MISMATCH": 401,
    "SIWE_NONCE_UNKNOWN": 401,
    "SIWE_EXPIRED": 401,
    "SIWE_SIGNATURE_MISMATCH": 401,
    "NOT_SIGNED_IN": 401,
    "FORBIDDEN": 403,
    "NOT_A_DENTIST": 403,
    "NOT_AN_OPERATOR": 403,
    "CROSS_SITE_REQUEST": 403,
    "DENTIST_NOT_ON_CHAIN": 409,
    "DENTIST_STILL_ACTIVE_ON_CHAIN": 409,
    "NAME_BIDI_CONTROL": 422,
    "NAME_CONTROL_CHARACTERS": 422,
    "NAME_UNUSABLE_CHARACTERS": 422,
    "NAME_INVISIBLE_CHARACTERS": 422,
    "NAME_MARKUP": 422,
    "NAME_BLANK": 422,
    "NAME_TOO_LONG": 422,
    "NAME_MIXED_SCRIPT": 422,
    "NAME_CONFUSABLE": 409,
    "RENAME_REQUIRES_REASON": 409,
    "RENAME_REASON_INVALID": 422,
    "NAME_UNCHANGED": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "RATE_LIMITED": 429,
    "CHAIN_UNAVAILABLE": 503,
    "NOT_DEPLOYED": 503,
    "UNSAFE_KEYS": 503,
    "PASSKEY_REGISTRATION_INVALID": 422,
    "PASSKEY_ORIGIN_MISMATCH": 422,
    "PASSKEY_CHALLENGE_UNKNOWN": 401,
    "PASSKEY_ALREADY_REGISTERED": 409,
    "CHECKIN_NOT_FOUND": 404,
    "PASSKEY_NOT_FOUND": 404,
    "TRANSFER_REJECTED": 422,
    "TRANSFER_PENDING": 409,
    "ACCOUNT_DEPLOYMENT_LIMIT": 429,
    "INVALID_EMAIL": 422,
    "INVITATION_NOT_FOUND": 404,
    "MAIL_UNAVAILABLE": 503,
    "NOT_REVIEW_AUTHOR": 403,
    "REVISION_CONFLICT": 409,
    "REVIEW_ERASED": 409,
    "NOT_VISIT_DENTIST": 403,
    "REPLY_CONFLICT": 409,
    "REPLY_TEXT_INVALID": 422,
    "REPLY_VERSION_LIMIT": 409,
    "WEBHOOK_URL_REFUSED": 422,
    "INVALID_SCORE": 422,
    "RECOMMENDATION_NEEDS_REVIEW": 409,
    "DUPLICATE_RECOMMENDATION": 409,
    "VISIT_CONFLICT": 409,
    "VISIT_IMPORT_REJECTED": 422,
    "INVALID_PHONE": 422,
    "INVALID_WEBSITE": 422,
    "INVALID_COUNTRY": 422,
    "INVALID_LOCATION": 422,
    "MEMBERSHIP_EXISTS": 409,
    "ANONYMOUS_GROUP_TOO_SMALL": 409,
    "UNKNOWN_GROUP_ROOT": 409,
    "PERIOD_NOT_OPEN": 409,
    "NULLIFIER_USED": 409,
    "INVALID_PROOF": 422,
    "ANONYMOUS_REVIEW_NOT_FOUND": 404,
    "INTERNAL_ERROR": 500,
}


def test_catalog_matches_the_wire_contract() -> None:
    assert {cls.code: cls.status for cls in ERROR_CATALOG} == EXPECTED
    assert len(ERROR_CATALOG) == len(EXPECTED)  # no code listed twice


def test_every_error_class_is_in_the_catalog() -> None:
    defined = {
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type)
        and issubclass(obj, DentaReviewError)
        and "code" in vars(obj)  # the leaves; the groups of the tree carry no code
    }
    assert defined == set(ERROR_CATALOG)


@pytest.mark.parametrize("cls", ERROR_CATALOG)
def test_descriptions_are_one_line(cls: type[DentaReviewError]) -> None:
    assert cls.description and "\n" not in cls.description


def test_message_field_and_payload() -> None:
    err = InvalidRating("rating must be from 1 to 5, got 6", field="rating")
    assert str(err) == err.message == "rating must be from 1 to 5, got 6"
    assert err.to_dict() == {
        "code": "INVALID_RATING",
        "message": "rating must be from 1 to 5, got 6",
        "field": "rating",
    }


def test_default_message_is_the_description_and_field_is_optional() -> None:
    err = ValidationError()
    assert err.message == ValidationError.description
    assert err.field is None
    assert "field" not in err.to_dict()


def test_subclass_without_code_is_refused() -> None:
    with pytest.raises(TypeError, match="code"):

        class Incomplete(DentaReviewError):
            status = 400
            description = "missing its code"


def test_the_api_page_lists_every_error_code() -> None:
    readme = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text(encoding="utf-8")
    for cls in ERROR_CATALOG:
        assert f"| `{cls.code}` | {cls.status} | {cls.description} |" in readme, cls.code


def test_every_error_sits_in_one_group_of_the_drawn_tree() -> None:
    from dentareview import errors

    groups = {
        errors.InputRejected,
        errors.NameRejected,
        errors.NotFound,
        errors.Conflict,
        errors.SignatureRejected,
        errors.SignInRejected,
        errors.ChainProblem,
        errors.LimitReached,
    }
    direct = {
        cls for cls in DentaReviewError.__subclasses__() if cls.__module__ == errors.__name__
    }
    assert direct == (groups - {errors.NameRejected}) | {errors.InternalError}
    for cls in ERROR_CATALOG:
        assert cls is errors.InternalError or cls.__mro__[1] in groups, cls.code
    assert errors.__doc__ is not None
    for group in groups:
        assert group.__name__ in errors.__doc__
        assert "code" not in vars(group)
