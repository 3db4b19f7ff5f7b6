"""The session cookie of Sign-In with Ethereum, and the dependency that requires it."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie

from dentareview.api.deps import DbSession, State
from dentareview.api.origin import require_same_origin
from dentareview.config import Settings
from dentareview.services.auth import WalletSession, current_session

SESSION_COOKIE = "dentareview_session"

# Declared for OpenAPI (a cookie security scheme); a missing cookie is NOT_SIGNED_IN.
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="Set by POST /v1/auth/siwe (Sign-In with Ethereum); HttpOnly, SameSite=Strict",
)


async def presented_session(
    request: Request,
    state: State,
    session_id: Annotated[str | None, Depends(session_cookie)],
) -> str | None:
    """The session cookie, if any; a change it would authorise must come from our own
    pages (403 CROSS_SITE_REQUEST otherwise, see api/origin.py). Every route that reads
    the cookie reads it through here."""
    if session_id is not None:
        require_same_origin(request, state.settings.public_url)
    return session_id


SessionId = Annotated[str | None, Depends(presented_session)]

# `openapi_extra` of a route that reads the cookie but answers without one too (logout,
# a flag): FastAPI adds this empty requirement beside the cookie's, which makes the
# session optional in the document.
OPTIONAL_SESSION: Final[dict[str, Any]] = {"security": [{}]}


def signed_in(state: State, session: DbSession, session_id: SessionId) -> WalletSession:
    """The signed-in wallet; 401 NOT_SIGNED_IN without a live session."""
    return current_session(session, session_id=session_id, now=state.clock())


SignedInWallet = Annotated[WalletSession, Depends(signed_in)]


def set_session_cookie(
    response: Response, settings: Settings, *, session_id: str, max_age: int
) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=max(max_age, 0),
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.public_url.lower().startswith("https://"),
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.public_url.lower().startswith("https://"),
    )
