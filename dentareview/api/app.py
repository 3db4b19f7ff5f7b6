"""The app factory: settings in, a FastAPI app (and its anchoring worker) out."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from web3 import Web3

from dentareview.anchoring.modes import build_anchorer
from dentareview.anchoring.worker import AnchorLoop, WorkerLease
from dentareview.api.caching import PublicCache
from dentareview.api.deps import AppState
from dentareview.api.error_responses import error_catalog_markdown, install_error_handlers
from dentareview.api.headers import NoSniff
from dentareview.api.limits import BodySizeLimit
from dentareview.api.ratelimit import WriteLimits, include_write_router
from dentareview.api.request_id import RequestId
from dentareview.api.routes import (
    anonymous,
    auth,
    dentists,
    invitations,
    me,
    meta,
    moderation,
    news,
    operator,
    passkeys,
    patients,
    practice,
    practice_details,
    proofs,
    recommendations,
    replies,
    reviews,
    revisions,
    reward_transfers,
    visit_imports,
    visit_signers,
    visits,
)
from dentareview.api.webapp import install_webapp
from dentareview.config import Settings
from dentareview.db.session import make_engine, make_session_factory
from dentareview.news.worker import NewsDeliverer, NewsLoop
from dentareview.observability.dependencies import instrument_pool
from dentareview.observability.http import HttpMetrics
from dentareview.services.chain_access import ChainGateway
from dentareview.services.invitation_loop import InvitationLoop

log = logging.getLogger(__name__)

DESCRIPTION = """\
Verified dental reviews. Dentists attest visits and patients sign reviews with their
wallets (EIP-712, see `GET /v1/eip712`); each review is anchored on-chain and earns a fixed
token reward. Writes take `{"message": {...}, "signature": "0x..."}`.

Errors are `{"error": {"code": "...", "message": "...", "field": "..."}}` with these codes:

"""


def _wall_clock() -> int:
    return int(time.time())


def create_app(
    settings: Settings,
    *,
    w3: Web3 | None = None,
    clock: Callable[[], int] = _wall_clock,
    run_anchor_worker: bool | None = None,
) -> FastAPI:
    engine = make_engine(settings.resolved_database_url)
    instrument_pool(engine)
    sessions = make_session_factory(engine)
    gateway = ChainGateway(settings, w3)
    state = AppState(settings, engine, sessions, gateway, clock)
    worker_wanted = settings.anchor_worker if run_anchor_worker is None else run_anchor_worker
    write_limits = WriteLimits.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Memory limits are a warning: with several workers each counts on its own.
        (log.info if write_limits.shared else log.warning)(write_limits.describe())
        # Invitation emails: sent where the worker runs, so `serve` alone sends them.
        invitation_loop = (
            InvitationLoop(
                sessions,
                settings,
                clock=lambda: state.clock(),
                interval_seconds=settings.anchor_interval_seconds,
            )
            if worker_wanted
            else None
        )
        if invitation_loop is not None:
            invitation_loop.start()
        if worker_wanted:
            anchorer = build_anchorer(settings, sessions, gateway)
            state.anchor_loop = AnchorLoop(
                anchorer,
                interval_seconds=settings.anchor_interval_seconds,
                lease=WorkerLease(engine),  # one active worker across processes and hosts
            )
            state.anchor_loop.start()
            # Practices' news: every process sends, each delivery claimed by one.
            state.news_loop = NewsLoop(
                NewsDeliverer(settings, sessions), interval_seconds=settings.news_interval_seconds
            )
            state.news_loop.start()
        yield
        if invitation_loop is not None:
            invitation_loop.stop()
        if state.anchor_loop is not None:
            state.anchor_loop.stop()
        if state.news_loop is not None:
            state.news_loop.stop()
        engine.dispose()

    app = FastAPI(
        title="DentaReview",
        version="1",
        description=DESCRIPTION + error_catalog_markdown(),
        lifespan=lifespan,
        # /docs is a page of the web build (Swagger UI bundled from npm, under the pages'
        # CSP); FastAPI's own pages would load it from a CDN. No ReDoc.
        docs_url=None,
        redoc_url=None,
    )
    app.state.dentareview = state
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        larger={visit_imports.PATH: visit_imports.MAX_BODY_BYTES},
    )
    app.add_middleware(PublicCache, max_age=settings.public_cache_seconds)
    app.state.write_limits = write_limits
    for module in (meta, dentists, patients, proofs, me, practice, news, visit_signers):
        app.include_router(module.router)
    app.include_router(practice_details.router)  # a practice's details: public, set signed in
    app.include_router(recommendations.nps_router)
    app.include_router(anonymous.read_router)  # anonymous groups and reviews, proving files
    include_write_router(app, auth.router)  # sign-in: POSTs rate limited per client IP
    include_write_router(app, passkeys.router)  # check-in: passkeys, rate limited too
    app.include_router(moderation.router)  # flags: a bucket of their own per client IP
    app.include_router(operator.router)  # operators only (SIWE sign-in)
    # Short links and unsubscribing (size and rate limited: anyone may send them).
    include_write_router(app, invitations.router)
    # Practice systems' visit-signing keys: the dentist's signature is the authority.
    include_write_router(app, visit_signers.public_router)
    # The write endpoints: size and rate limited.
    for module in (
        visits,
        reviews,
        revisions,
        replies,
        recommendations,
        reward_transfers,
        anonymous,
    ):
        include_write_router(app, module.router)
    include_write_router(app, visit_imports.router)  # practice systems' bulk visits
    install_webapp(app)
    # Requests by route template and status, and their latency (observability/http.py).
    app.add_middleware(HttpMetrics, templates=lambda: app.openapi()["paths"])
    app.add_middleware(NoSniff)  # added late, outside the rest: every answer carries it
    app.add_middleware(RequestId)  # last added, outermost: every log line of a request has it
    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory dentareview.api.app:app_from_environment` (several workers)."""
    return create_app(Settings())
