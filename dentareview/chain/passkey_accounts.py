"""The passkey account factory and its accounts as the service calls them: the one
transaction that moves a reward out (deploying the account first if needed), and the
`TransferSent` record that says it happened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.hexadecimal import encode_hex
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.passkeys import PasskeyKey


@dataclass(frozen=True)
class TransferEvent:
    account: str
    token: str
    recipient: str
    amount: int
    nonce: int
    tx_hash: str
    block_number: int
    block_hash: str


class PasskeyFactoryContract:
    def __init__(self, w3: Web3, address: str) -> None:
        self._w3 = w3
        self.contract = w3.eth.contract(
            address=Web3.to_checksum_address(address),
            abi=load_artifact("PasskeyAccountFactory").abi,
        )
        self._account_abi = load_artifact("PasskeyAccount").abi

    def _account(self, account: str) -> Any:
        return self._w3.eth.contract(
            address=Web3.to_checksum_address(account), abi=self._account_abi
        )

    def is_deployed(self, account: str) -> bool:
        return bool(self._w3.eth.get_code(Web3.to_checksum_address(account)))

    def transfer_nonce(self, account: str) -> int:
        """The nonce the account's next transfer must be signed with (0 before deployment)."""
        if not self.is_deployed(account):
            return 0
        return int(self._account(account).functions.transferNonce().call())

    def create_and_transfer(
        self,
        key: PasskeyKey,
        *,
        token: str,
        recipient: str,
        amount: int,
        deadline: int,
        signature: bytes,
    ) -> ContractFunction:
        return self.contract.functions.createAndTransfer(
            key.qx,
            key.qy,
            Web3.to_checksum_address(token),
            Web3.to_checksum_address(recipient),
            amount,
            deadline,
            signature,
        )

    def transfer_events_in(self, receipt: TxReceipt, account: str) -> list[TransferEvent]:
        logs = self._account(account).events.TransferSent().process_receipt(receipt)
        return [self._event(account, log) for log in logs]

    def transfer_events(self, account: str, *, from_block: int) -> list[TransferEvent]:
        logs = self._account(account).events.TransferSent().get_logs(from_block=from_block)
        return [self._event(account, log) for log in logs]

    @staticmethod
    def _event(account: str, log: Any) -> TransferEvent:
        args = log["args"]
        return TransferEvent(
            account=Web3.to_checksum_address(account),
            token=Web3.to_checksum_address(args["token"]),
            recipient=Web3.to_checksum_address(args["to"]),
            amount=int(args["amount"]),
            nonce=int(args["nonce"]),
            tx_hash=encode_hex(log["transactionHash"]),
            block_number=int(log["blockNumber"]),
            block_hash=encode_hex(log["blockHash"]),
        )
