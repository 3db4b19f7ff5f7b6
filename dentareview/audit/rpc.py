"""A web3 connection that counts its JSON-RPC calls, so audits can say what they cost."""

from __future__ import annotations

from collections import Counter
from typing import Any

from web3 import HTTPProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from dentareview.redaction import protect_url


class CountingHTTPProvider(HTTPProvider):
    """HTTPProvider that counts every call by method; a batch counts each call in it."""

    def __init__(self, endpoint_uri: str, **kwargs: Any) -> None:
        super().__init__(endpoint_uri, **kwargs)
        self.calls: Counter[str] = Counter()

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        self.calls[str(method)] += 1
        return super().make_request(method, params)

    def make_batch_request(
        self, batch_requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        for method, _params in batch_requests:
            self.calls[str(method)] += 1
        return super().make_batch_request(batch_requests)


def counting_web3(rpc_url: str, *, timeout_seconds: float = 30.0) -> Web3:
    """A read-only connection: without the validation middleware, which asks the node
    its chain id before every eth_call to check transaction fields reads do not have."""
    protect_url(rpc_url)  # its API key never reaches a log
    w3 = Web3(CountingHTTPProvider(rpc_url, request_kwargs={"timeout": timeout_seconds}))
    w3.middleware_onion.remove("validation")
    return w3


def rpc_calls(w3: Web3) -> Counter[str]:
    """The calls made so far through `w3`, by method (empty if its provider does not count)."""
    provider = w3.provider
    return Counter(provider.calls) if isinstance(provider, CountingHTTPProvider) else Counter()


def format_calls(calls: Counter[str]) -> str:
    """`7 (eth_getLogs 4, eth_call 2, eth_chainId 1)`."""
    parts = ", ".join(f"{method} {count}" for method, count in calls.most_common())
    return f"{sum(calls.values())} ({parts})" if parts else "0"
