"""Reading the chain in block ranges: decoding, splitting refused ranges, counting calls."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3
from web3.logs import DISCARD
from web3.types import RPCEndpoint, RPCResponse

from dentareview.audit.chain_records import REVIEW_ANCHORED, TRANSFER
from dentareview.audit.logs import LogReadError, get_logs
from dentareview.audit.rpc import CountingHTTPProvider, counting_web3, rpc_calls
from tests.api.system import System
from tests.audit.helpers import audit, audit_json, post_review

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_raw_log_decoding_agrees_with_web3(system: System) -> None:
    posted = post_review(system)
    system.anchor()
    tx_hash = system.client.get(f"/v1/reviews/{posted.id}").json()["txHash"]
    deployment = system.gateway.deployment()
    receipt = system.w3.eth.get_transaction_receipt(tx_hash)
    w3 = counting_web3(system.settings.rpc_url)
    block = int(receipt["blockNumber"])

    anchored = get_logs(
        w3,
        address=deployment.registry.address,
        topics=[REVIEW_ANCHORED.topic],
        first=block,
        last=block,
    )
    expected = deployment.registry.contract.events.ReviewAnchored().process_receipt(
        receipt, errors=DISCARD
    )
    assert [REVIEW_ANCHORED.decode(log) for log in anchored] == [
        {
            "digest": "0x" + bytes(e["args"]["digest"]).hex(),
            "visitId": "0x" + bytes(e["args"]["visitId"]).hex(),
            "patient": e["args"]["patient"].lower(),
            "dentist": e["args"]["dentist"].lower(),
            "reward": e["args"]["reward"],
        }
        for e in expected
    ]
    minted = get_logs(
        w3, address=deployment.token.address, topics=[TRANSFER.topic], first=block, last=block
    )
    transfers = deployment.token.events.Transfer().process_receipt(receipt, errors=DISCARD)
    assert [TRANSFER.decode(log) for log in minted] == [
        {
            "from": t["args"]["from"].lower(),
            "to": t["args"]["to"].lower(),
            "value": t["args"]["value"],
        }
        for t in transfers
    ]
    assert [t["args"]["to"] for t in transfers] == [posted.patient.address]


class PickyProvider(CountingHTTPProvider):
    """A node that refuses eth_getLogs over more than `limit` blocks, as public RPCs do."""

    limit = 2
    message = "query exceeds max block range 2"

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        if method == "eth_getLogs":
            span = int(params[0]["toBlock"], 16) - int(params[0]["fromBlock"], 16) + 1
            if span > self.limit:
                self.calls[str(method)] += 1
                return {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "error": {"code": -32005, "message": self.message},
                }
        return super().make_request(method, params)


def test_a_range_the_node_refuses_is_split_until_it_answers(system: System) -> None:
    for _ in range(3):
        post_review(system)
    system.anchor()
    registry = system.gateway.deployment().registry.address
    first, last = system.manifest.registry.block_number, int(system.w3.eth.block_number)
    plain = get_logs(
        counting_web3(system.settings.rpc_url), address=registry, topics=[], first=first, last=last
    )
    picky = Web3(PickyProvider(system.settings.rpc_url))

    logs = get_logs(picky, address=registry, topics=[], first=first, last=last, step=1000)

    assert logs == plain and len(plain) >= 3
    assert rpc_calls(picky)["eth_getLogs"] > 1


def test_other_node_errors_are_not_retried_forever(system: System) -> None:
    picky = Web3(PickyProvider(system.settings.rpc_url))
    picky.provider.message = "internal error"  # type: ignore[attr-defined]
    with pytest.raises(LogReadError, match="internal error"):
        get_logs(picky, address=system.manifest.registry.address, topics=[], first=0, last=10)
    assert rpc_calls(picky)["eth_getLogs"] == 1


def test_the_audit_makes_two_log_calls_per_block_range_and_says_so(system: System) -> None:
    post_review(system)
    post_review(system)
    system.anchor()

    code, body = audit_json(system)
    assert code == 0, body
    assert body["rpcCalls"]["eth_getLogs"] == 2  # registry events, token mints
    assert body["rpcCallsTotal"] == sum(body["rpcCalls"].values()) <= 8

    first, last = body["blocks"]
    code, body = audit_json(system, "--block-range", "1")
    assert code == 0, body
    assert body["rpcCalls"]["eth_getLogs"] == 2 * (last - first + 1)


def test_progress_bars_show_on_a_terminal_only(
    system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    post_review(system)
    system.anchor()

    quiet = audit(system)
    assert quiet.exit_code == 0, quiet.output
    assert "chain blocks" not in quiet.stderr

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats stderr as a terminal
    shown = audit(system)
    assert shown.exit_code == 0, shown.output
    assert "chain blocks" in shown.stderr
    assert "reviews" in shown.stderr
