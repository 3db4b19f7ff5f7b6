"""Short invitation links (/i/<code>), unsubscribing from invitation emails (/u/<token>),
and the practice's list of what was sent."""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from dentareview.api.auth import SignedInWallet
from dentareview.api.deps import DbSession, State
from dentareview.api.openapi import error_responses
from dentareview.api.webapp import PAGE_HEADERS
from dentareview.domain.languages import PAGE_LANGUAGES
from dentareview.services.invitation_mail import (
    practice_invitation_list,
    unsubscribe,
    visit_of_code,
)

router = APIRouter(tags=["invitations"])

Code = Path(min_length=1, max_length=32, pattern=r"^[0-9A-Za-z]+$")
Token = Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")


@router.get(
    "/i/{short_code}",
    status_code=302,
    response_class=RedirectResponse,
    responses=error_responses("VALIDATION_ERROR", "INVITATION_NOT_FOUND"),
)
def open_short_link(
    session: DbSession,
    short_code: str = Code,
    lang: Annotated[
        str | None,
        Query(
            max_length=35,
            description=f"the page's language ({', '.join(PAGE_LANGUAGES)}), kept through "
            "the redirect; any other value is left out",
        ),
    ] = None,
) -> RedirectResponse:
    """A short invitation link: 302 to the visit's invitation page (/invite/0x...), with
    its `?lang=` when it is one of the page languages."""
    visit_id = visit_of_code(session, code=short_code)
    query = f"?{urlencode({'lang': lang})}" if lang in PAGE_LANGUAGES else ""
    return RedirectResponse(f"/invite/{visit_id}{query}", status_code=302)


def _page(title: str, *body: str) -> HTMLResponse:
    paragraphs = "".join(f"<p>{part}</p>" for part in body)
    return HTMLResponse(
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;max-width:36em;margin:2em auto;'
        f'padding:0 1em"><h1>{html.escape(title)}</h1>{paragraphs}</body></html>',
        headers={**PAGE_HEADERS, "Cache-Control": "no-store"},
    )


@router.get(
    "/u/{unsubscribe_token}",
    response_class=HTMLResponse,
    responses=error_responses("VALIDATION_ERROR", page=True),
)
def unsubscribe_page(unsubscribe_token: str = Token) -> HTMLResponse:
    """The unsubscribe link of an invitation email: a page with one button (a link
    checker opening the link unsubscribes nobody)."""
    return _page(
        "Stop invitation emails",
        "Press the button to get no more emails about this visit, nor from this practice "
        "through DentaReview.",
        f'<form method="post" action="/u/{html.escape(unsubscribe_token)}">'
        '<button type="submit">Unsubscribe</button></form>',
    )


@router.post(
    "/u/{unsubscribe_token}",
    response_class=HTMLResponse,
    responses=error_responses("VALIDATION_ERROR", "INVITATION_NOT_FOUND", page=True),
)
def unsubscribe_now(
    state: State, session: DbSession, unsubscribe_token: str = Token
) -> HTMLResponse:
    """Unsubscribe at once: the page's button, or a mail client's RFC 8058 one-click POST
    (body `List-Unsubscribe=One-Click`, not needed). Its address is erased."""
    unsubscribe(session, token=unsubscribe_token, now=state.clock())
    session.commit()
    return _page(
        "Unsubscribed",
        "You will get no more emails about this visit, nor from this practice through "
        "DentaReview. Your email address has been deleted.",
    )


class PracticeInvitationOut(BaseModel):
    visitId: str
    visitedAt: int
    invitationPath: str | None = Field(description="the short link's path, /i/<code>")
    emailQueued: bool = Field(description="an invitation email waits to be sent")
    invitedAt: int | None = Field(description="when the invitation email was sent")
    remindedAt: int | None = Field(description="when its one reminder was sent")
    unsubscribedAt: int | None
    reviewed: bool


@router.get(
    "/v1/practice/invitations",
    response_model=list[PracticeInvitationOut],
    responses=error_responses("NOT_SIGNED_IN", "NOT_A_DENTIST", "DENTIST_INACTIVE"),
)
def get_practice_invitations(
    wallet: SignedInWallet, session: DbSession, response: Response
) -> list[PracticeInvitationOut]:
    """The signed-in practice's latest 200 visits: short link, invited at, reminded at,
    unsubscribed, reviewed. Never the patient's email address."""
    response.headers["Cache-Control"] = "no-store"
    return [
        PracticeInvitationOut(
            visitId=found.visit_id,
            visitedAt=found.visited_at,
            invitationPath=found.path,
            emailQueued=found.email_queued,
            invitedAt=found.invited_at,
            remindedAt=found.reminded_at,
            unsubscribedAt=found.unsubscribed_at,
            reviewed=found.reviewed,
        )
        for found in practice_invitation_list(session, wallet=wallet.wallet)
    ]
