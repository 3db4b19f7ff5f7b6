"""Connecting to a node, and telling whether it answers."""

from __future__ import annotations

from web3 import Web3

from dentareview.redaction import protect_url


def make_web3(rpc_url: str, *, timeout_seconds: float = 5.0) -> Web3:
    protect_url(rpc_url)  # its API key never reaches a log
    return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout_seconds}))


def chain_id_or_none(w3: Web3) -> int | None:
    """The chain's id, or None when the node does not answer."""
    try:
        return int(w3.eth.chain_id)
    except Exception:  # noqa: BLE001 - any transport failure means "unreachable"
        return None
