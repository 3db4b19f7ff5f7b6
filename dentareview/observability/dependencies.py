"""Metrics of what the service depends on: its database pool and its chain node."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from time import perf_counter
from typing import Any, Final

from sqlalchemy import Engine, event
from sqlalchemy.pool import PoolProxiedConnection
from web3 import Web3
from web3.middleware import Web3Middleware
from web3.types import RPCEndpoint, RPCResponse

from dentareview.linear_re import compile_linear
from dentareview.observability.metrics import (
    DB_POOL_IN_USE,
    DB_POOL_WAITING,
    OTHER_RPC_METHOD,
    RPC_DURATION,
    RPC_ERRORS,
)

# JSON-RPC method names are chosen by this code, not by clients; still, a label only
# takes a well-formed name of a known namespace.
_RPC_METHOD: Final = compile_linear(
    r"(eth|net|web3|debug|trace|txpool|anvil|evm|hardhat)_[A-Za-z0-9]{1,40}"
)
BATCH_METHOD: Final = "batch"


def instrument_pool(engine: Engine) -> None:
    """`dentareview_db_pool_in_use` from the pool's checkout and checkin events;
    `dentareview_db_pool_waiting`: threads inside a checkout (waiting for a connection)."""
    pool = engine.pool
    event.listen(pool, "checkout", lambda *_: DB_POOL_IN_USE.inc())
    event.listen(pool, "checkin", lambda *_: DB_POOL_IN_USE.dec())
    connect: Callable[[], PoolProxiedConnection] = pool.connect

    @wraps(connect)
    def counted_connect() -> PoolProxiedConnection:
        DB_POOL_WAITING.inc()
        try:
            return connect()
        finally:
            DB_POOL_WAITING.dec()

    # The pool has no event before a checkout waits; the engine calls `pool.connect()`.
    setattr(pool, "connect", counted_connect)  # noqa: B010 - mypy refuses assigning a method


def rpc_method(method: str) -> str:
    return method if _RPC_METHOD.fullmatch(method) else OTHER_RPC_METHOD


class RpcMetrics(Web3Middleware):
    """Times every JSON-RPC request and counts the failed ones (a transport error or an
    error answer), by method; a batch request counts once, as `batch`."""

    def wrap_make_request(self, make_request: Any) -> Any:
        def middleware(method: RPCEndpoint, params: Any) -> RPCResponse:
            label = rpc_method(str(method))
            start = perf_counter()
            try:
                response: RPCResponse = make_request(method, params)
            except Exception:
                RPC_ERRORS.labels(label).inc()
                raise
            finally:
                RPC_DURATION.labels(label).observe(perf_counter() - start)
            if "error" in response:
                RPC_ERRORS.labels(label).inc()
            return response

        return middleware

    def wrap_make_batch_request(self, make_batch_request: Any) -> Any:
        def middleware(requests: list[tuple[RPCEndpoint, Any]]) -> Any:
            start = perf_counter()
            try:
                responses = make_batch_request(requests)
            except Exception:
                RPC_ERRORS.labels(BATCH_METHOD).inc()
                raise
            finally:
                RPC_DURATION.labels(BATCH_METHOD).observe(perf_counter() - start)
            if isinstance(responses, dict) and "error" in responses:
                RPC_ERRORS.labels(BATCH_METHOD).inc()
            return responses

        return middleware


def instrument_web3(w3: Web3) -> Web3:
    """The connection, timed (outermost, so it sees what callers wait for)."""
    w3.middleware_onion.add(RpcMetrics, name="rpc_metrics")
    return w3
