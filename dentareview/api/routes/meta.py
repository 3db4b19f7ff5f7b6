"""Health, chain facts and the EIP-712 definitions wallets sign with."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from dentareview.api.deps import State
from dentareview.domain.typed_data import EIP712_TYPES, domain_dict
from dentareview.services.status import Health, chain_facts, health

router = APIRouter()


@router.get("/health", response_model=Health, tags=["meta"])
def get_health(state: State) -> JSONResponse:
    """The service, the database and the chain, each ok or not (503 if any is down)."""
    report = health(state.engine, state.gateway, state.sessions, state.clock())
    return JSONResponse(report.model_dump(), status_code=200 if report.ok else 503)


@router.get("/v1/chain", tags=["meta"])
def get_chain(state: State) -> dict[str, Any]:
    """Chain id, contract addresses, token facts, reward amount and the policy in force."""
    return chain_facts(state.settings, state.gateway)


@router.get("/v1/eip712", tags=["meta"])
def get_eip712(state: State) -> dict[str, Any]:
    """Domain and types exactly as `eth_signTypedData_v4` takes them."""
    return {"domain": domain_dict(state.domain()), "types": EIP712_TYPES}
