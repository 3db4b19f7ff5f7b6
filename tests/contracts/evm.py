"""The two EVMs the contract suite runs on: Anvil (over HTTP) and py-evm in-process
(eth-tester through web3's EthereumTesterProvider), and one small adapter for what
tests do outside standard JSON-RPC: moving the clock."""

from __future__ import annotations

import ast
from typing import Any

from eth_abi.abi import encode
from eth_keys import keys
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import generate_genesis_state_for_keys
from eth_tester.exceptions import TransactionFailed
from eth_utils.exceptions import ValidationError
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse

from tests.support.anvil import dev_account

ANVIL, PYEVM = "anvil", "py-evm"
ERROR_STRING = bytes.fromhex("08c379a0")  # selector of Error(string)
EVMS = [ANVIL, PYEVM]
# Anvil's funded dev accounts are funded on py-evm too, so the tests' keys work on both.
FUNDED_ACCOUNTS = 10


def advance_time(w3: Web3, seconds: int) -> None:
    """Mine a block `seconds` after the latest one, on either EVM; later blocks follow it."""
    if isinstance(w3.provider, EthereumTesterProvider):
        tester = w3.provider.ethereum_tester
        latest = int(tester.get_block_by_number("latest")["timestamp"])
        tester.time_travel(latest + seconds)
    else:
        w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
        w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def _revert_data(failed: TransactionFailed) -> bytes:
    """The revert data behind eth-tester's failure.

    py-evm's backend keeps the data only as text: the repr of the bytes (a custom error,
    a panic) or, for Error(string), the decoded reason alone. Both are turned back into
    the bytes a node returns."""
    cause = failed.__context__ if isinstance(failed.__context__, TransactionFailed) else failed
    text = cause.args[0] if cause.args else ""
    if isinstance(text, bytes):
        return text
    if isinstance(text, str) and text.startswith(("b'", 'b"')):
        raw = ast.literal_eval(text)
        if isinstance(raw, bytes):
            return raw
    return ERROR_STRING + encode(["string"], [str(text)])


class NodeLikeTesterProvider(EthereumTesterProvider):
    """Failures answered as a node answers them: JSON-RPC errors, a revert with its data.

    web3's EthereumTesterProvider raises eth-tester's and py-evm's exceptions instead, so
    web3 cannot raise ContractLogicError (with `data`) or Web3RPCError as against a node."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        try:
            return super().make_request(method, params)
        except TransactionFailed as failed:
            data = "0x" + _revert_data(failed).hex()
            error = {"code": 3, "message": "execution reverted", "data": data}
            return {"jsonrpc": "2.0", "id": 0, "error": error}  # type: ignore[typeddict-item]
        except ValidationError as refused:
            # A transaction the chain refuses (e.g. a sender without ether for the gas),
            # raised by py-evm where a node answers an error.
            error = {"code": -32000, "message": str(refused)}
            return {"jsonrpc": "2.0", "id": 0, "error": error}  # type: ignore[typeddict-item]


def pyevm_web3() -> Web3:
    """A fresh py-evm chain (Prague, eth-tester's default) with Anvil's dev accounts funded."""
    funded = [keys.PrivateKey(dev_account(index).key) for index in range(FUNDED_ACCOUNTS)]
    # The default genesis gas limit (30M) holds the registry's deployment (2.7M gas).
    backend = PyEVMBackend(genesis_state=generate_genesis_state_for_keys(funded))
    w3 = Web3(NodeLikeTesterProvider(EthereumTester(backend)))
    # eth_call without a sender runs from eth-tester's own first account, unfunded here.
    w3.eth.default_account = dev_account(0).address
    return w3
