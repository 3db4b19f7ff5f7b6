"""Request-scoped dependencies: the app's state, a database session, the EIP-712 domain."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dentareview.config import Settings
from dentareview.domain.models import Eip712Domain
from dentareview.services.chain_access import ChainGateway
from dentareview.services.worker import AnchorLoop


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    gateway: ChainGateway
    clock: Callable[[], int]
    anchor_loop: AnchorLoop | None = None
    _domain: tuple[tuple[int, str], Eip712Domain] | None = field(default=None, repr=False)

    def domain(self) -> Eip712Domain:
        manifest = self.gateway.manifest()
        key = (manifest.chain_id, manifest.registry.address)
        cached = self._domain
        if cached is None or cached[0] != key:  # built (and its address checked) once
            cached = (key, Eip712Domain(chain_id=key[0], verifying_contract=key[1]))
            self._domain = cached
        return cached[1]


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.dentareview
    return state


State = Annotated[AppState, Depends(get_state)]


def get_session(state: State) -> Iterator[Session]:
    """A session per request; writes commit explicitly before answering."""
    session = state.sessions()
    try:
        yield session
    finally:
        session.rollback()  # a no-op after commit; undoes a half-done failed request
        session.close()


DbSession = Annotated[Session, Depends(get_session)]
