"""Signing and sending the operator's transactions without waiting per transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import Nonce, TxParams, TxReceipt, Wei

from dentareview.chain.fees import Fees, node_fees


@dataclass(frozen=True)
class PreparedCall:
    """A contract call encoded once: where it goes and its calldata (0x-hex)."""

    to: str
    data: str


def prepare(call: ContractFunction) -> PreparedCall:
    return PreparedCall(str(call.address), str(call._encode_transaction_data()))


class TransactionFailed(Exception):
    """A transaction was mined but reverted."""

    def __init__(self, tx_hash: str, receipt: TxReceipt) -> None:
        super().__init__(f"transaction {tx_hash} reverted in block {receipt['blockNumber']}")
        self.tx_hash = tx_hash
        self.receipt = receipt


class TransactionSender:
    """Signs locally (works on any chain) and fills nonce, gas and fees itself."""

    def __init__(self, w3: Web3, account: LocalAccount) -> None:
        self._w3 = w3
        self._account = account
        self._chain_id: int | None = None

    @property
    def address(self) -> str:
        return str(self._account.address)

    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = int(self._w3.eth.chain_id)
        return self._chain_id

    def pending_nonce(self) -> int:
        return int(self._w3.eth.get_transaction_count(self._account.address, "pending"))

    def current_fees(self) -> Fees:
        """What the node suggests now (EIP-1559: its tip, room for the base fee to double)."""
        return node_fees(self._w3)[0]

    def build(self, function: ContractFunction, *, nonce: int, gas: int, fees: Fees) -> TxParams:
        params: TxParams = {
            "from": self._account.address,
            "nonce": Nonce(nonce),
            "gas": gas,
            "maxFeePerGas": Wei(fees.max_fee_per_gas),
            "maxPriorityFeePerGas": Wei(fees.max_priority_fee_per_gas),
            "chainId": self.chain_id(),
        }
        return function.build_transaction(params)

    def sign(self, tx: TxParams) -> tuple[str, HexBytes]:
        signed = self._account.sign_transaction(dict(tx))  # type: ignore[arg-type]
        return encode_hex(signed.hash), HexBytes(signed.raw_transaction)

    def send_raw(self, raw: HexBytes) -> None:
        self._w3.eth.send_raw_transaction(raw)

    def transact(self, function: ContractFunction, *, gas: int | None = None) -> TxReceipt:
        """Send one transaction and wait for it: for admin tasks, not the hot path."""
        tx_params: dict[str, Any] = {"from": self._account.address}
        estimated = gas or int(function.estimate_gas(tx_params))  # type: ignore[arg-type]
        tx = self.build(
            function,
            nonce=self.pending_nonce(),
            gas=estimated + estimated // 5,
            fees=self.current_fees(),
        )
        tx_hash, raw = self.sign(tx)
        self.send_raw(raw)
        return self.wait(tx_hash)

    def wait(self, tx_hash: str, *, timeout: float = 120) -> TxReceipt:
        receipt = self._w3.eth.wait_for_transaction_receipt(
            HexBytes(tx_hash), timeout=timeout, poll_latency=0.05
        )
        if receipt["status"] != 1:
            raise TransactionFailed(tx_hash, receipt)
        return receipt

    def receipt_or_none(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self._w3.eth.get_transaction_receipt(HexBytes(tx_hash))
        except Exception:  # noqa: BLE001 - "not found" is raised, not returned
            return None
