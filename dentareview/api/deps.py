"""Request-scoped dependencies: the app's state, a database session, the EIP-712 domain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dentareview.anchoring.worker import AnchorLoop
from dentareview.config import Settings
from dentareview.domain.models import Eip712Domain
from dentareview.news.worker import NewsLoop
from dentareview.services.chain_access import ChainGateway


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    gateway: ChainGateway
    clock: Callable[[], int]
    anchor_loop: AnchorLoop | None = None
    news_loop: NewsLoop | None = None
    _domain: tuple[tuple[int, str], Eip712Domain] | None = field(default=None, repr=False)

    def domain(self) -> Eip712Domain:
        manifest = self.gateway.manifest()
        key = (manifest.chain_id, manifest.registry.address)
        cached = self._domain
        if cached is None or cached[0] != key:  # built (and its address checked) once
            cached = (key, Eip712Domain(chain_id=key[0], verifying_contract=key[1]))
            self._domain = cached
        return cached[1]


async def get_state(request: Request) -> AppState:
    # `async`: FastAPI would run a plain function in a worker thread, a hop per request.
    state: AppState = request.app.state.dentareview
    return state


State = Annotated[AppState, Depends(get_state)]


async def get_session(state: State) -> AsyncIterator[Session]:
    """A session per request; writes commit explicitly before answering.

    `async` so that opening it, which takes no connection yet, and closing it after a
    commit cost no hop to a worker thread; only a transaction left open (a read, a
    failed write) is rolled back in one, since that is a round trip to the database.
    """
    session = state.sessions()
    try:
        yield session
    finally:
        if session.in_transaction():
            # Not on the shared worker threads: when every one of them holds a request
            # waiting for a lock this transaction holds (a patient's), waiting for one
            # here would never end. FastAPI closes its own dependencies the same way.
            await to_thread.run_sync(_roll_back_and_close, session, limiter=CapacityLimiter(1))
        else:
            session.close()


def _roll_back_and_close(session: Session) -> None:
    session.rollback()  # undoes a half-done failed request; ends a read's transaction
    session.close()


DbSession = Annotated[Session, Depends(get_session)]
