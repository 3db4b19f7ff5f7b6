"""The invitation email and its reminder: the same words for every visit of a practice.

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

MailKind = Literal["invitation", "reminder"]
QR_CID_NAME = "invitation-qr"


@dataclass(frozen=True)
class InvitationMail:
    """What differs from one invitation to another: who, which practice, which links."""

    kind: MailKind
    to: str
    practice_name: str
    link: str  # the short link, /i/<code>
    unsubscribe_url: str  # a page, and the RFC 8058 one-click POST target


def qr_png(link: str) -> bytes:
    """The link as a QR code image a phone camera reads from a screen or paper."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def _subject(mail: InvitationMail) -> str:
    if mail.kind == "reminder":
        return f"A reminder: how was your visit to {mail.practice_name}?"
    return f"How was your visit to {mail.practice_name}?"


def _paragraphs(mail: InvitationMail) -> list[str]:
    name = mail.practice_name
    opening = (
        f"A reminder: {name} invited you to review your recent visit."
        if mail.kind == "reminder"
        else f"{name} invites you to review your recent visit."
    )
    return [
        opening,
        "Open this link to write your review, or scan the QR code with your phone:",
        mail.link,
        f"Every patient of {name} gets this same invitation. Your review is published as "
        "you write it, good or bad, and anyone can check that it is genuine. The reward for "
        "a review is the same whatever rating you give.",
        "You get at most one reminder. To get no more emails about this visit or from "
        f"{name} through DentaReview, unsubscribe here:",
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
        f'alt="QR code of the link {html.escape(mail.link)}"></p>'
    )
    parts.insert(3, qr)
    return (
        '<!doctype html><html><body style="font-family:sans-serif">'
        + "".join(parts)
        + ("</body></html>")
    )


def build_message(mail: InvitationMail, *, mail_from: str) -> EmailMessage:
    """The email: plain text and HTML (with the QR code inline), in the practice's name,
    with RFC 8058 one-click unsubscribe headers. Its Message-ID is in message["Message-ID"]."""
    domain = mail_from.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["From"] = Address(
        display_name=f"{mail.practice_name} via DentaReview", addr_spec=mail_from
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
    return message
