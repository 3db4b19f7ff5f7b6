"""The invitation email in every page language: each language has every message of the
English one with the same placeholders, and the email says its language (the
Content-Language header, `lang` on the HTML) and leaves no placeholder unfilled."""

from __future__ import annotations

import string
from email.message import EmailMessage

import pytest

from dentareview.domain.languages import PAGE_LANGUAGES, PageLanguage
from dentareview.mail.invitation_message import InvitationMail, MailKind, build_message
from dentareview.mail.invitation_texts import ENGLISH, INVITATION_TEXTS, InvitationTexts

LINK = "https://reviews.example/i/0123456789abc"
UNSUBSCRIBE = "https://reviews.example/u/token"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_language_has_every_message_with_the_same_placeholders() -> None:
    assert tuple(INVITATION_TEXTS) == PAGE_LANGUAGES
    keys = set(InvitationTexts.__annotations__)
    assert set(ENGLISH) == keys
    problems = []
    for language, texts in INVITATION_TEXTS.items():
        if set(texts) != keys:
            problems.append(f"{language}: messages {sorted(set(texts) ^ keys)} differ")
        for key, text in texts.items():
            if not text.strip():
                problems.append(f"{language}.{key}: empty")
            if placeholders(text) != placeholders(dict(ENGLISH).get(key, "")):
                problems.append(f"{language}.{key}: placeholders {sorted(placeholders(text))}")
    assert problems == []


def test_english_says_what_it_always_said() -> None:
    mail = InvitationMail("invitation", "p@example.org", "Dr Smile", LINK, UNSUBSCRIBE)
    message = build_message(mail, mail_from="reviews@dentareview.test")
    assert message["Subject"] == "How was your visit to Dr Smile?"
    assert message["From"].addresses[0].display_name == "Dr Smile via DentaReview"
    assert message["Content-Language"] == "en"
    assert text_of(message).split("\n\n") == [
        "Dr Smile invites you to review your recent visit.",
        "Open this link to write your review, or scan the QR code with your phone:",
        LINK,
        "Every patient of Dr Smile gets this same invitation. Your review is published as "
        "you write it, good or bad, and anyone can check that it is genuine. The reward for "
        "a review is the same whatever rating you give.",
        "You get at most one reminder. To get no more emails about this visit or from "
        "Dr Smile through DentaReview, unsubscribe here:",
        UNSUBSCRIBE + "\n",
    ]
    reminder = build_message(
        InvitationMail("reminder", "p@example.org", "Dr Smile", LINK, UNSUBSCRIBE),
        mail_from="reviews@dentareview.test",
    )
    assert reminder["Subject"] == "A reminder: how was your visit to Dr Smile?"
    assert text_of(reminder).startswith(
        "A reminder: Dr Smile invited you to review your recent visit.\n\n"
    )


def text_of(message: EmailMessage, kind: str = "plain") -> str:
    body = message.get_body(preferencelist=(kind,))
    assert body is not None
    return str(body.get_content())


@pytest.mark.parametrize("kind", ["invitation", "reminder"])
@pytest.mark.parametrize("language", PAGE_LANGUAGES)
def test_each_language_is_said_and_filled_in(language: PageLanguage, kind: MailKind) -> None:
    texts = INVITATION_TEXTS[language]
    mail = InvitationMail(kind, "p@example.org", "Zahnarzt {Kühn}", LINK, UNSUBSCRIBE, language)
    message = build_message(mail, mail_from="reviews@dentareview.test")
    assert message["Content-Language"] == language
    html = text_of(message, "html")
    assert html.startswith(f'<!doctype html><html lang="{language}">')
    subject = texts["reminder_subject"] if kind == "reminder" else texts["subject"]
    assert message["Subject"] == subject.format(practice="Zahnarzt {Kühn}")
    assert message["From"].addresses[0].display_name == texts["sender"].format(
        practice="Zahnarzt {Kühn}"
    )
    plain = text_of(message)
    assert texts["open_link"] in plain and LINK in plain and UNSUBSCRIBE in plain
    # Every placeholder filled: the practice's braces are all that is left.
    for part in (plain, html, str(message["Subject"])):
        assert part.replace("{Kühn}", "").count("{") == 0, part


def test_a_practice_without_a_name_is_named_in_the_language() -> None:
    for language, texts in INVITATION_TEXTS.items():
        mail = InvitationMail("invitation", "p@example.org", "", LINK, UNSUBSCRIBE, language)
        message = build_message(mail, mail_from="reviews@dentareview.test")
        unnamed = texts["unnamed_practice"]
        assert message["Subject"] == texts["subject"].format(practice=unnamed)
        assert texts["opening"].format(practice=unnamed) in text_of(message)
