"""What /health and /v1/chain report."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from dentareview.chain.deployments import DeployedContract
from dentareview.config import Settings
from dentareview.db.queries.anchoring import relay_queue
from dentareview.errors import DentaReviewError
from dentareview.services.chain_access import ChainGateway
from dentareview.services.public_rpc import public_rpc_url


class Part(BaseModel):
    ok: bool
    detail: str | None = None


class Health(BaseModel):
    ok: bool
    service: Part
    database: Part
    chain: Part
    relay: Part


def _database_part(engine: Engine) -> Part:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "down"
        return Part(ok=False, detail=f"database unreachable: {type(error).__name__}")
    return Part(ok=True)


def _chain_part(gateway: ChainGateway) -> Part:
    if not gateway.is_up():
        return Part(ok=False, detail="chain unreachable; reviews are kept pending")
    try:
        manifest = gateway.manifest()
    except DentaReviewError as error:
        return Part(ok=False, detail=error.message)
    unsafe = gateway.unsafe_keys()
    if unsafe is not None:  # nothing gets anchored: say so where operators look
        return Part(ok=False, detail=f"UNSAFE_KEYS: {unsafe}")
    return Part(ok=True, detail=f"chain {manifest.chain_id}, registry {manifest.registry.address}")


def _relay_part(sessions: sessionmaker[Session], now: int) -> Part:
    """The queue and the worker's last word. Informational: `ok` overall does not depend
    on it, so API hosts stay in service while the relay waits (fees, a pause)."""
    try:
        with sessions() as session:
            queue = relay_queue(session, now=now)
    except Exception as error:  # noqa: BLE001 - reported, never raised
        return Part(ok=False, detail=f"relay state unreadable: {type(error).__name__}")
    detail = (
        f"{queue.pending} reviews to anchor, {queue.in_flight} sent and awaiting a receipt, "
        f"{queue.waiting} waiting (backoff), "
        f"{queue.failed} that can never be anchored (see `dentareview audit`), "
        f"{queue.not_final} anchored but not final yet"
    )
    if queue.problem:
        detail = f"waiting: {queue.problem}; {detail}"
    return Part(ok=queue.problem is None, detail=detail)


def health(
    engine: Engine, gateway: ChainGateway, sessions: sessionmaker[Session], now: int
) -> Health:
    database = _database_part(engine)
    chain = _chain_part(gateway)
    relay = _relay_part(sessions, now) if database.ok else Part(ok=False, detail="no database")
    return Health(
        ok=database.ok and chain.ok,
        service=Part(ok=True),
        database=database,
        chain=chain,
        relay=relay,
    )


def _address(contract: DeployedContract | None) -> str | None:
    return contract.address if contract is not None else None


def chain_facts(settings: Settings, gateway: ChainGateway) -> dict[str, Any]:
    manifest = gateway.manifest()
    facts: dict[str, Any] = {
        "chainId": manifest.chain_id,
        "registry": manifest.registry.address,
        "token": manifest.token.address,
        # Anonymous reviews' contract and Semaphore's verifier (null before they existed).
        "anonymousReviews": _address(manifest.anonymous_reviews),
        "semaphoreVerifier": _address(manifest.semaphore_verifier),
        "tokenSymbol": None,
        "tokenDecimals": None,
        "rewardAmount": str(manifest.reward_amount),
        "chainReachable": False,
        "rpcUrl": public_rpc_url(settings),
        # When the service calls an anchor final (DENTAREVIEW_FINALITY): a number of
        # confirmations, or "safe" / "finalized". Pages check it against the node.
        "finality": settings.finality,
        "policy": asdict(settings.policy()),
    }
    try:
        deployment = gateway.deployment()
    except DentaReviewError:
        return facts  # chain away: what the manifest recorded at deployment
    facts["tokenSymbol"] = str(deployment.token.functions.symbol().call())
    facts["tokenDecimals"] = int(deployment.token.functions.decimals().call())
    facts["rewardAmount"] = str(deployment.registry.reward_amount())
    facts["chainReachable"] = True
    return facts
