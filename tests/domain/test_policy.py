from __future__ import annotations

import inspect

import pytest

from dentareview.domain.models import DentistStatus
from dentareview.domain.policy import (
    DENTIST_COOLDOWN,
    DENTIST_LIMIT,
    PATIENT_LIMIT,
    PolicySettings,
    check_review,
    check_visit,
    decide_reward,
)
from dentareview.domain.ratings import RATING_MAX, RATING_MIN
from dentareview.errors import (
    DeadlineTooFar,
    DentaReviewError,
    DentistInactive,
    InvalidRating,
    ReviewWindowClosed,
    SelfReview,
    SignatureExpired,
    TextTooLong,
    TextTooShort,
    TooFewWords,
    UnknownDentist,
    ValidationError,
    VisitInFuture,
)
from tests.domain.helpers import DAY, DENTIST, VISITED_AT, make_review, make_visit, text_of

POLICY = PolicySettings()
NOW = VISITED_AT + 10 * DAY  # a review ten days after the visit
VALID_TEXT = text_of(60, 12)


def review_at(now: int = NOW, **changes: object) -> None:
    fields: dict[str, object] = {"text": VALID_TEXT, "deadline": now + 3600, **changes}
    check_review(make_review(**fields), make_visit(), now=now, policy=POLICY)


def refused(error: type[DentaReviewError], now: int = NOW, **changes: object) -> DentaReviewError:
    with pytest.raises(error) as info:
        review_at(now, **changes)
    return info.value


# --- visits ---------------------------------------------------------------


def test_visit_accepted_at_now() -> None:
    check_visit(make_visit(), dentist_status=DentistStatus.ACTIVE, now=VISITED_AT, policy=POLICY)


@pytest.mark.parametrize(
    ("status", "error"),
    [(DentistStatus.UNREGISTERED, UnknownDentist), (DentistStatus.INACTIVE, DentistInactive)],
)
def test_visit_dentist_must_be_active(status: DentistStatus, error: type[Exception]) -> None:
    # Also a self-review, but who signed comes first.
    visit = make_visit(patient=DENTIST.address)
    with pytest.raises(error):
        check_visit(visit, dentist_status=status, now=NOW, policy=POLICY)


def test_self_review_refused() -> None:
    with pytest.raises(SelfReview):
        check_visit(
            make_visit(patient=DENTIST.address.lower()),
            dentist_status=DentistStatus.ACTIVE,
            now=NOW,
            policy=POLICY,
        )


def test_visit_one_second_in_future_refused() -> None:
    with pytest.raises(VisitInFuture) as info:
        check_visit(
            make_visit(), dentist_status=DentistStatus.ACTIVE, now=VISITED_AT - 1, policy=POLICY
        )
    assert info.value.field == "visitedAt"


# --- review window ----------------------------------------------------------


def test_review_window_boundaries() -> None:
    review_at(VISITED_AT)
    review_at(VISITED_AT + 90 * DAY)
    refused(ReviewWindowClosed, VISITED_AT + 90 * DAY + 1)
    refused(ReviewWindowClosed, VISITED_AT - 1)


def test_review_window_is_a_setting() -> None:
    policy = PolicySettings(review_window_days=1)
    review = make_review(text=VALID_TEXT, deadline=VISITED_AT + 2 * DAY)
    check_review(review, make_visit(), now=VISITED_AT + DAY, policy=policy)
    with pytest.raises(ReviewWindowClosed):
        check_review(review, make_visit(), now=VISITED_AT + DAY + 1, policy=policy)


# --- ratings ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["rating", "treatment", "bedside", "wait_time"])
def test_ratings_boundaries(field: str) -> None:
    review_at(**{field: 1})
    review_at(**{field: 5})
    assert refused(InvalidRating, **{field: 0}).field == field.replace("wait_time", "waitTime")
    assert refused(InvalidRating, **{field: 6}).field == field.replace("wait_time", "waitTime")


# --- text -------------------------------------------------------------------


def test_text_length_boundaries() -> None:
    assert refused(TextTooShort, text=text_of(49, 10)).field == "text"
    review_at(text=text_of(50, 10))
    review_at(text=text_of(5000, 10))
    refused(TextTooLong, text=text_of(5001, 10))


def test_word_count_boundaries() -> None:
    refused(TooFewWords, text=text_of(60, 9))
    review_at(text=text_of(60, 10))


def test_length_counts_code_points_not_bytes() -> None:
    # 49 code points but 98 UTF-8 bytes: still too short.
    refused(TextTooShort, text=" ".join(["éé"] * 16) + "éé")
    # 50 code points, ten words, with emoji (4 UTF-8 bytes each).
    review_at(text=" ".join(["😀😀😀😀"] * 10) + "😀")


def test_multiline_text_is_accepted() -> None:
    review_at(text=text_of(60, 12).replace(" ", "\n", 3).replace(" ", "\r\n", 2).replace(" ", "\t"))


@pytest.mark.parametrize(
    ("char", "name"), [("\x00", "NUL"), ("\x07", "U+0007"), ("\x7f", "U+007F"), ("\x85", "U+0085")]
)
def test_control_characters_refused(char: str, name: str) -> None:
    error = refused(ValidationError, text=VALID_TEXT + char)
    assert error.field == "text"
    assert name in error.message


INVISIBLE_ONLY = {
    "zero-width spaces": "\u200b" * 60,
    "byte-order marks": "\ufeff" * 60,
    "no-break spaces": "\u00a0" * 60,
    "ideographic spaces": "\u3000" * 60,
    "line and paragraph separators": "\u2028\u2029" * 30,
    "bidi marks and joiners": "\u200e\u200f\u200d\u2060\u2066\u2069" * 10,
    "spaces tabs and newlines": " \t\r\n" * 15,
    "hangul fillers": "\u3164\u115f\u1160\uffa0" * 15,
    "braille blanks": "\u2800" * 60,
    "invisible words": "\u200b \u2063 \u00ad " * 20,
}


@pytest.mark.parametrize("text", INVISIBLE_ONLY.values(), ids=INVISIBLE_ONLY.keys())
def test_text_of_invisible_characters_only_is_refused(text: str) -> None:
    assert len(text) >= 50
    error = refused(TextTooShort, text=text)
    assert error.field == "text"
    assert "no visible characters" in error.message


def test_text_of_invisible_characters_is_refused_whatever_the_minima() -> None:
    lenient = PolicySettings(text_min_chars=0, text_min_words=0)
    with pytest.raises(TextTooShort):
        check_review(
            make_review(text="\u200b\u2028 \u00a0", deadline=NOW + 3600),
            make_visit(),
            now=NOW,
            policy=lenient,
        )


@pytest.mark.parametrize(
    "padding",
    ["\u200b" * 20, " " * 20, "\u00a0" * 20, "\u2028" * 20, "\u200d\ufeff" * 10, "\t" * 20],
    ids=["zero-width", "spaces", "no-break", "line separators", "joiners", "tabs"],
)
def test_invisible_padding_does_not_count_toward_the_length(padding: str) -> None:
    text = text_of(40, 10)
    assert len(text + padding) >= POLICY.text_min_chars
    assert "visible" in refused(TextTooShort, text=text + padding).message
    assert "visible" in refused(TextTooShort, text=padding + text).message


def test_spacing_between_words_counts_once() -> None:
    # Ten words and 49 visible characters: spacing widened with invisible characters.
    words = ["aaaa"] * 9 + ["aaaa"]
    refused(TextTooShort, text=" \u200b ".join(words))  # 4*10 + 9 = 49
    review_at(text=" \u200b ".join([*words[:-1], "aaaaa"]))  # 50


def test_words_of_invisible_characters_do_not_count() -> None:
    text = "aaaaaaaaaa " * 6 + "\u200b \u2060 \u00ad \u200e"
    assert len(text.split()) == 10
    error = refused(TooFewWords, text=text)
    assert "6 words" in error.message


def test_format_characters_inside_a_word_keep_it_one_word() -> None:
    # A zero-width joiner inside an emoji sequence or a soft hyphen is not a word break.
    text = " ".join(["fami\u00adly", "👨\u200d👩\u200d👧"] * 5) + " " + "a" * 20
    review_at(text=text)


# --- deadline ---------------------------------------------------------------


def test_deadline_boundaries() -> None:
    review_at(deadline=NOW)
    refused(SignatureExpired, deadline=NOW - 1)
    review_at(deadline=NOW + 86_400)
    assert refused(DeadlineTooFar, deadline=NOW + 86_401).field == "deadline"


# --- order --------------------------------------------------------------------


def test_check_order_most_useful_first() -> None:
    closed = VISITED_AT + 91 * DAY
    refused(ReviewWindowClosed, closed, rating=0, text="short", deadline=0)
    refused(InvalidRating, rating=0, text="short", deadline=0)
    refused(ValidationError, text="short\x00", deadline=0)
    refused(TextTooShort, text="short", deadline=0)
    refused(TooFewWords, text=text_of(60, 2), deadline=0)


# --- rewards ------------------------------------------------------------------


def test_first_review_is_rewarded() -> None:
    decision = decide_reward(
        now=NOW, same_dentist_rewarded_at=[], patient_rewarded_at=[], policy=POLICY
    )
    assert decision.rewarded and decision.reason is None and decision.reason_code is None


def test_same_dentist_cooldown_boundary() -> None:
    earlier = NOW - 93 * DAY + 1
    decision = decide_reward(
        now=NOW, same_dentist_rewarded_at=[earlier], patient_rewarded_at=[earlier], policy=POLICY
    )
    assert not decision.rewarded
    assert decision.reason_code == DENTIST_COOLDOWN
    assert decision.eligible_again_at == NOW + 1
    assert decision.reason is not None and "93 days" in decision.reason
    assert "2025-01-11 00:00:01 UTC" in decision.reason  # NOW + 1 s, the next chance
    exactly = NOW - 93 * DAY
    assert decide_reward(
        now=NOW, same_dentist_rewarded_at=[exactly], patient_rewarded_at=[exactly], policy=POLICY
    ).rewarded


def test_patient_limit_boundary() -> None:
    others = [NOW - 10 * DAY, NOW - DAY]
    blocked = decide_reward(
        now=NOW,
        same_dentist_rewarded_at=[],
        patient_rewarded_at=[NOW - 30 * DAY + 1, *others],
        policy=POLICY,
    )
    assert not blocked.rewarded
    assert blocked.reason_code == PATIENT_LIMIT
    assert blocked.eligible_again_at == NOW + 1
    assert blocked.reason is not None and "3 rewards in the last 30 days" in blocked.reason
    assert decide_reward(
        now=NOW,
        same_dentist_rewarded_at=[],
        patient_rewarded_at=[NOW - 30 * DAY, *others],
        policy=POLICY,
    ).rewarded


def test_patient_limit_frees_when_enough_rewards_leave_the_window() -> None:
    # Four in the window: two must leave, so the second oldest decides.
    rewarded_at = [NOW - 29 * DAY, NOW - 20 * DAY, NOW - 10 * DAY, NOW - DAY]
    decision = decide_reward(
        now=NOW, same_dentist_rewarded_at=[], patient_rewarded_at=rewarded_at, policy=POLICY
    )
    assert decision.eligible_again_at == NOW + 10 * DAY


def test_both_limits_report_the_longer_one() -> None:
    dentist_at = NOW - 90 * DAY  # cooldown ends NOW + 3 days
    recent = [NOW - 29 * DAY, NOW - 2 * DAY, NOW - DAY]  # limit ends NOW + 1 day
    decision = decide_reward(
        now=NOW,
        same_dentist_rewarded_at=[dentist_at],
        patient_rewarded_at=[dentist_at, *recent],
        policy=POLICY,
    )
    assert (decision.reason_code, decision.eligible_again_at) == (DENTIST_COOLDOWN, NOW + 3 * DAY)
    recent = [NOW - 2 * DAY, NOW - DAY, NOW]  # limit ends NOW + 28 days
    decision = decide_reward(
        now=NOW,
        same_dentist_rewarded_at=[dentist_at],
        patient_rewarded_at=[dentist_at, *recent],
        policy=POLICY,
    )
    assert (decision.reason_code, decision.eligible_again_at) == (PATIENT_LIMIT, NOW + 28 * DAY)


def test_reward_cannot_depend_on_the_rating() -> None:
    params = set(inspect.signature(decide_reward).parameters)
    assert params == {
        "now",
        "same_dentist_rewarded_at",
        "patient_rewarded_at",
        "dentist_rewarded_at",
        "policy",
    }


def test_dentist_limit_withholds_rewards_past_n_a_rolling_day() -> None:
    """A dentist reviewing himself from 30 wallets of his own gets at most N rewards a day."""
    policy = PolicySettings(dentist_daily_reward_limit=3)
    earlier = [NOW - DAY + 10, NOW - 3600, NOW - 60]
    decision = decide_reward(
        now=NOW,
        same_dentist_rewarded_at=[],
        patient_rewarded_at=[],
        dentist_rewarded_at=earlier,
        policy=policy,
    )
    assert (decision.rewarded, decision.reason_code) == (False, DENTIST_LIMIT)
    assert decision.eligible_again_at == NOW + 10
    # A day later the oldest one has left the window.
    later = decide_reward(
        now=NOW + 11,
        same_dentist_rewarded_at=[],
        patient_rewarded_at=[],
        dentist_rewarded_at=earlier,
        policy=policy,
    )
    assert later.rewarded


# --- settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"text_min_chars": 10, "text_max_chars": 5},
        {"rating_min": 3, "rating_max": 2},
        {"rating_max": 256},
        {"review_window_days": -1},
        {"reward_max_in_window": 0},
    ],
)
def test_inconsistent_settings_refused(changes: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        PolicySettings(**changes)


@pytest.mark.parametrize(
    "changes", [{"rating_min": RATING_MIN - 1}, {"rating_max": RATING_MAX + 1}], ids=str
)
def test_rating_bounds_cannot_widen_the_scale_the_registry_anchors(
    changes: dict[str, int],
) -> None:
    # A review rated outside RATING_MIN..RATING_MAX could never be anchored: the registry's
    # _isRating and the database's CHECK constraints refuse it.
    with pytest.raises(ValueError, match="registry"):
        PolicySettings(**changes)


def test_rating_bounds_may_narrow_the_scale() -> None:
    narrow = PolicySettings(rating_min=2)
    with pytest.raises(InvalidRating):
        check_review(
            make_review(rating=1, text=VALID_TEXT, deadline=NOW + 3600),
            make_visit(),
            now=NOW,
            policy=narrow,
        )
