"""Typed access to the ReviewRegistry contract: views, calls and events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types
from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.transactions import PreparedCall
from dentareview.domain.models import Review, Visit
from dentareview.domain.typed_data import text_hash


class OnChainDentistStatus(IntEnum):
    UNREGISTERED = 0
    ACTIVE = 1
    INACTIVE = 2


@dataclass(frozen=True)
class AnchorEvent:
    """One `ReviewAnchored` log."""

    digest: str
    visit_id: str
    patient: str
    dentist: str
    reward: int
    tx_hash: str
    block_number: int
    log_index: int
    block_hash: str


@dataclass(frozen=True)
class StatementEvent:
    """One `StatementAnchored` log."""

    digest: str
    tx_hash: str
    block_number: int
    block_hash: str


@dataclass(frozen=True)
class VisitSignerEvent:
    """One `VisitSignerSet` log."""

    dentist: str
    signer: str
    valid_until: int
    nonce: int
    tx_hash: str
    block_number: int
    block_hash: str


def error_selectors(abi: list[dict[str, Any]]) -> dict[str, str]:
    """Map 4-byte selectors (0x-hex) of the ABI's custom errors to their names."""
    selectors: dict[str, str] = {}
    for item in abi:
        if item.get("type") != "error":
            continue
        arg_types = ",".join(str(arg["type"]) for arg in item.get("inputs", []))
        signature = f"{item['name']}({arg_types})"
        selectors[encode_hex(Web3.keccak(text=signature)[:4])] = str(item["name"])
    return selectors


def visit_args(visit: Visit) -> tuple[bytes, str, str, int]:
    return (visit.visit_id, visit.patient, visit.dentist, visit.visited_at)


def review_args(review: Review) -> tuple[int, int, int, int, bytes, int]:
    return (
        review.rating,
        review.treatment,
        review.bedside,
        review.wait_time,
        text_hash(review.text),
        review.deadline,
    )


class RegistryContract:
    """The registry at one address; read-only unless given to a TransactionSender."""

    def __init__(self, w3: Web3, address: str) -> None:
        artifact = load_artifact("ReviewRegistry")
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = w3.eth.contract(address=self.address, abi=artifact.abi)
        self._errors = error_selectors(artifact.abi)
        self._submit_review_abi: tuple[bytes, list[str]] | None = None
        self._w3 = w3

    def error_name(self, revert_data: str | bytes) -> str | None:
        """The custom error's name for revert data, if the registry declares it."""
        data = revert_data if isinstance(revert_data, str) else encode_hex(revert_data)
        return self._errors.get(data[:10].lower())

    def dentist_status(self, dentist: str) -> OnChainDentistStatus:
        return OnChainDentistStatus(int(self.contract.functions.dentistStatus(dentist).call()))

    def reward_amount(self) -> int:
        return int(self.contract.functions.rewardAmount().call())

    def passkey_account_factory(self) -> str:
        return str(self.contract.functions.passkeyAccountFactory().call())

    def token_address(self) -> str:
        return str(self.contract.functions.rewardToken().call())

    def digest_of_visit(self, visit_id: bytes) -> bytes | None:
        digest = bytes(self.contract.functions.reviewDigestOf(visit_id).call())
        return None if digest == bytes(32) else digest

    def anchored_at(self, digest: bytes) -> int:
        return int(self.contract.functions.anchoredAt(digest).call())

    def statement_anchored_at(self, digest: bytes) -> int:
        return int(self.contract.functions.statementAnchoredAt(digest).call())

    def anchor_statements(self, digests: list[bytes]) -> ContractFunction:
        return self.contract.functions.anchorStatements(digests)

    def statement_events_in(self, receipt: TxReceipt) -> list[StatementEvent]:
        logs = self.contract.events.StatementAnchored().process_receipt(receipt, errors=DISCARD)
        return [self._statement_event(log) for log in logs]

    def statement_events(self, *, from_block: int, digest: bytes) -> list[StatementEvent]:
        logs = self.contract.events.StatementAnchored().get_logs(
            from_block=from_block, argument_filters={"digest": digest}
        )
        return [self._statement_event(log) for log in logs]

    @staticmethod
    def _statement_event(log: Any) -> StatementEvent:
        return StatementEvent(
            digest=encode_hex(log["args"]["digest"]),
            tx_hash=encode_hex(HexBytes(log["transactionHash"])),
            block_number=int(log["blockNumber"]),
            block_hash=encode_hex(HexBytes(log["blockHash"])),
        )

    # ------------------------------------------------------------------ visit-signing keys

    def set_visit_signer(
        self, dentist: str, signer: str, valid_until: int, signature: bytes
    ) -> ContractFunction:
        return self.contract.functions.setVisitSigner(dentist, signer, valid_until, signature)

    def visit_signer_nonce(self, dentist: str) -> int:
        return int(self.contract.functions.visitSignerNonce(dentist).call())

    def visit_signer_of(self, signer: str) -> tuple[str, int]:
        """(the dentist the key speaks for, or the zero address; its last `visitedAt`)."""
        dentist, valid_until = self.contract.functions.visitSignerOf(signer).call()
        return str(dentist), int(valid_until)

    def visit_signer_events_in(self, receipt: TxReceipt) -> list[VisitSignerEvent]:
        logs = self.contract.events.VisitSignerSet().process_receipt(receipt, errors=DISCARD)
        return [self._visit_signer_event(log) for log in logs]

    def visit_signer_events(self, *, from_block: int, dentist: str) -> list[VisitSignerEvent]:
        logs = self.contract.events.VisitSignerSet().get_logs(
            from_block=from_block, argument_filters={"dentist": dentist}
        )
        return [self._visit_signer_event(log) for log in logs]

    @staticmethod
    def _visit_signer_event(log: Any) -> VisitSignerEvent:
        args = log["args"]
        return VisitSignerEvent(
            dentist=str(args["dentist"]),
            signer=str(args["signer"]),
            valid_until=int(args["validUntil"]),
            nonce=int(args["nonce"]),
            tx_hash=encode_hex(HexBytes(log["transactionHash"])),
            block_number=int(log["blockNumber"]),
            block_hash=encode_hex(HexBytes(log["blockHash"])),
        )

    def register_dentist(self, dentist: str) -> ContractFunction:
        return self.contract.functions.registerDentist(dentist)

    def deactivate_dentist(self, dentist: str) -> ContractFunction:
        return self.contract.functions.deactivateDentist(dentist)

    def submit_review(
        self,
        visit: Visit,
        visit_signature: bytes,
        review: Review,
        review_signature: bytes,
        *,
        rewardable: bool,
        accepted_at: int,
    ) -> ContractFunction:
        return self.contract.functions.submitReview(
            visit_args(visit),
            visit_signature,
            review_args(review),
            review_signature,
            rewardable,
            accepted_at,
        )

    def submit_review_call(
        self,
        visit: Visit,
        visit_signature: bytes,
        review: Review,
        review_signature: bytes,
        *,
        rewardable: bool,
        accepted_at: int,
    ) -> PreparedCall:
        """`submit_review` encoded straight with eth-abi: the same calldata as web3 builds
        (a test compares them), without its per-call lookups and checks."""
        if self._submit_review_abi is None:
            abi = next(
                item for item in self.contract.abi
                if item.get("type") == "function" and item.get("name") == "submitReview"
            )
            self._submit_review_abi = (
                function_abi_to_4byte_selector(abi), get_abi_input_types(abi)
            )
        selector, types = self._submit_review_abi
        args = (
            visit_args(visit),
            visit_signature,
            review_args(review),
            review_signature,
            rewardable,
            accepted_at,
        )
        return PreparedCall(self.address, "0x" + (selector + abi_encode(types, args)).hex())

    def anchor_events_in(self, receipt: TxReceipt) -> list[AnchorEvent]:
        # The token's Transfer log shares the receipt: skip logs of other events.
        logs = self.contract.events.ReviewAnchored().process_receipt(receipt, errors=DISCARD)
        return [self._anchor_event(log) for log in logs]

    def queued_in(self, receipt: TxReceipt) -> bool:
        """Whether the receipt queued a reward (the daily cap was reached)."""
        logs = self.contract.events.RewardQueued().process_receipt(receipt, errors=DISCARD)
        return bool(logs)

    def anchor_events(
        self, *, from_block: int, to_block: int, visit_id: bytes | None = None
    ) -> list[AnchorEvent]:
        filters: dict[str, Any] = {} if visit_id is None else {"visitId": visit_id}
        logs = self.contract.events.ReviewAnchored().get_logs(
            from_block=from_block, to_block=to_block, argument_filters=filters
        )
        return [self._anchor_event(log) for log in logs]

    @staticmethod
    def _anchor_event(log: Any) -> AnchorEvent:
        args = log["args"]
        return AnchorEvent(
            digest=encode_hex(args["digest"]),
            visit_id=encode_hex(args["visitId"]),
            patient=str(args["patient"]),
            dentist=str(args["dentist"]),
            reward=int(args["reward"]),
            tx_hash=encode_hex(HexBytes(log["transactionHash"])),
            block_number=int(log["blockNumber"]),
            log_index=int(log["logIndex"]),
            block_hash=encode_hex(HexBytes(log["blockHash"])),
        )
