"""The invitation email and its reminder: the same words for every visit of a practice,
in the patient's language (mail/invitation_texts; English when none is known).

Nothing here takes a rating, a sentiment or anything about the patient beyond the
address it goes to: the practice cannot shape who is asked or how (no review gating).
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal

import segno

from dentareview.domain.languages import DEFAULT_LANGUAGE, PageLanguage
from dentareview.mail.invitation_texts import INVITATION_TEXTS, InvitationTexts

MailKind = Literal["invitation", "reminder"]
QR_CID_NAME = "invitation-qr"


@dataclass(frozen=True)
class InvitationMail:
    """What differs from one invitation to another: who, which practice, which links."""

    kind: MailKind
    to: str
    practice_name: str  # "": a practice without a name (the language's words for it)
    link: str  # the short link, /i/<code>, with ?lang= when the language is known
    unsubscribe_url: str  # a page, and the RFC 8058 one-click POST target
    language: PageLanguage = DEFAULT_LANGUAGE

    @property
    def texts(self) -> InvitationTexts:
        return INVITATION_TEXTS[self.language]

    @property
    def practice(self) -> str:
        return self.practice_name or self.texts["unnamed_practice"]


def qr_png(link: str) -> bytes:
    """The link as a QR code image a phone camera reads from a screen or paper."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _subject(mail: InvitationMail) -> str:
    texts = mail.texts
    subject = texts["reminder_subject"] if mail.kind == "reminder" else texts["subject"]
    return subject.format(practice=mail.practice)


def _paragraphs(mail: InvitationMail) -> list[str]:
    texts, name = mail.texts, mail.practice
    opening = texts["reminder_opening"] if mail.kind == "reminder" else texts["opening"]
    return [
        opening.format(practice=name),
        texts["open_link"],
        mail.link,
        texts["same_for_everyone"].format(practice=name),
        texts["unsubscribe"].format(practice=name),
        mail.unsubscribe_url,
    ]


def _html(mail: InvitationMail, qr_cid: str) -> str:
    parts = []
    for text in _paragraphs(mail):
        safe = html.escape(text)
        if text in (mail.link, mail.unsubscribe_url):
            safe = f'<a href="{safe}">{safe}</a>'
        parts.append(f"<p>{safe}</p>")
    qr = (
        f'<p><img src="cid:{qr_cid[1:-1]}" width="240" height="240" '
        f'alt="{html.escape(mail.texts["qr_alt"].format(link=mail.link))}"></p>'
    )
    parts.insert(3, qr)
    return (
        f'<!doctype html><html lang="{mail.language}"><body style="font-family:sans-serif">'
        + "".join(parts)
        + "</body></html>"
    )


def build_message(mail: InvitationMail, *, mail_from: str) -> EmailMessage:
    """The email: plain text and HTML (with the QR code inline), in the practice's name and
    the patient's language (Content-Language, and `lang` on the HTML), with RFC 8058
    one-click unsubscribe headers. Its Message-ID is in message["Message-ID"]."""
    domain = mail_from.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = Address(
        display_name=mail.texts["sender"].format(practice=mail.practice), addr_spec=mail_from
    )
    message["To"] = mail.to
    message["Subject"] = _subject(mail)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=domain)
    message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n\n".join(_paragraphs(mail)) + "\n")
    qr_cid = make_msgid(idstring=QR_CID_NAME, domain=domain)
    message.add_alternative(_html(mail, qr_cid), subtype="html")
    parts = message.get_payload()
    assert isinstance(parts, list)
    html_part = parts[1]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(
        qr_png(mail.link),
        "image",
        "png",
        cid=qr_cid,
        filename="invitation-qr.png",
        disposition="inline",
    )
    # Last: setting the content moves or clears the Content-* headers set before it.
    message["Content-Language"] = mail.language
    return message
