"""Deployments, wallet-side signing and transactions for the contract tests and the gas benchmark.

Typed data is built the way a wallet receives it for `eth_signTypedData_v4` and
signed with eth-account, independently of the service's own code.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_abi.abi import decode
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import TxReceipt

from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployer import DeployedContracts, deploy_contracts
from tests.support.anvil import PROJECT_ROOT

REWARD = 10 * 10**18
DAILY_CAP = 1_000 * 10**18

DOMAIN_NAME = "DentaReview"
DOMAIN_VERSION = "1"

EIP712_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Visit": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "patient", "type": "address"},
        {"name": "dentist", "type": "address"},
        {"name": "visitedAt", "type": "uint64"},
    ],
    "Review": [
        {"name": "visitId", "type": "bytes32"},
        {"name": "rating", "type": "uint8"},
        {"name": "treatment", "type": "uint8"},
        {"name": "bedside", "type": "uint8"},
        {"name": "waitTime", "type": "uint8"},
        {"name": "text", "type": "string"},
        {"name": "deadline", "type": "uint64"},
    ],
}

REVIEW_TEXT = (
    "Friendly staff, a careful and painless filling, and the dentist explained every step "
    "before starting."
)


@dataclass(frozen=True)
class Visit:
    visit_id: bytes
    patient: str
    dentist: str
    visited_at: int

    def message(self) -> dict[str, Any]:
        return {
            "visitId": "0x" + self.visit_id.hex(),
            "patient": self.patient,
            "dentist": self.dentist,
            "visitedAt": self.visited_at,
        }

    def args(self) -> tuple[bytes, str, str, int]:
        return (self.visit_id, self.patient, self.dentist, self.visited_at)


@dataclass(frozen=True)
class Review:
    visit_id: bytes
    rating: int
    treatment: int
    bedside: int
    wait_time: int
    text: str
    deadline: int

    def message(self) -> dict[str, Any]:
        return {
            "visitId": "0x" + self.visit_id.hex(),
            "rating": self.rating,
            "treatment": self.treatment,
            "bedside": self.bedside,
            "waitTime": self.wait_time,
            "text": self.text,
            "deadline": self.deadline,
        }

    def args(self) -> tuple[int, int, int, int, bytes, int]:
        """The ReviewData tuple: the text replaced by keccak256(bytes(text))."""
        return (
            self.rating,
            self.treatment,
            self.bedside,
            self.wait_time,
            keccak(text=self.text),
            self.deadline,
        )


def new_visit_id() -> bytes:
    return os.urandom(32)


def typed_data(
    primary_type: str, message: dict[str, Any], *, chain_id: int, registry: str
) -> dict[str, Any]:
    """The full `eth_signTypedData_v4` payload a wallet is asked to sign."""
    return {
        "types": {
            "EIP712Domain": EIP712_TYPES["EIP712Domain"],
            primary_type: EIP712_TYPES[primary_type],
        },
        "primaryType": primary_type,
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": registry,
        },
        "message": message,
    }


def sign(
    signer: LocalAccount,
    primary_type: str,
    message: dict[str, Any],
    *,
    chain_id: int,
    registry: str,
) -> bytes:
    full = typed_data(primary_type, message, chain_id=chain_id, registry=registry)
    return bytes(signer.sign_typed_data(full_message=full).signature)


def digest(primary_type: str, message: dict[str, Any], *, chain_id: int, registry: str) -> bytes:
    """The EIP-712 digest as eth-account computes it: keccak256(0x19 ‖ 0x01 ‖ domain ‖ struct)."""
    signable = encode_typed_data(
        full_message=typed_data(primary_type, message, chain_id=chain_id, registry=registry)
    )
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def transact(w3: Web3, sender: LocalAccount, call: ContractFunction) -> TxReceipt:
    """Sign locally, send, wait; fail loudly if the transaction reverted."""
    params: dict[str, Any] = dict(
        call.build_transaction(
            {
                "from": sender.address,
                "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
                "chainId": w3.eth.chain_id,
            }
        )
    )
    signed = sender.sign_transaction(params)
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    assert receipt["status"] == 1, f"transaction reverted: {receipt}"
    return receipt


def events(contract: Contract, name: str, receipt: TxReceipt) -> list[Any]:
    """The decoded `name` events that `contract` emitted in the transaction."""
    event = contract.events[name]()
    return [
        event.process_log(log)
        for log in receipt["logs"]
        if log["address"] == contract.address
        and log["topics"]
        and bytes(log["topics"][0]) == keccak(text=event.signature)
    ]


def _error_inputs(abis: list[Sequence[Any]]) -> dict[bytes, tuple[str, list[str]]]:
    errors: dict[bytes, tuple[str, list[str]]] = {}
    for abi in abis:
        for item in abi:
            if item["type"] != "error":
                continue
            types = [str(arg["type"]) for arg in item["inputs"]]
            selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
            errors[selector] = (str(item["name"]), types)
    return errors


def revert_of(call: ContractFunction, sender: str, *abis: Sequence[Any]) -> tuple[Any, ...]:
    """Run `call` from `sender` with eth_call and decode its custom-error revert.

    Returns (error name, *arguments); fails if the call succeeds or the revert
    selector is not a custom error declared in one of `abis`.
    """
    try:
        call.call({"from": sender})
    except ContractLogicError as error:
        data = error.data
        assert isinstance(data, str) and data.startswith("0x"), f"no revert data: {error!r}"
        raw = bytes.fromhex(data[2:])
        known = _error_inputs(list(abis))
        assert raw[:4] in known, f"revert selector 0x{raw[:4].hex()} is not in the ABI"
        name, types = known[raw[:4]]
        values = decode(types, raw[4:])
        return (
            name,
            *(
                Web3.to_checksum_address(value) if kind == "address" else value
                for kind, value in zip(types, values, strict=True)
            ),
        )
    raise AssertionError("the call did not revert")


@dataclass(frozen=True)
class Submission:
    """A dentist-signed visit and the patient-signed review of it, as a relayer receives them."""

    visit: Visit
    visit_signature: bytes
    review: Review
    review_signature: bytes

    def args(self, *, rewardable: bool = True, accepted_at: int | None = None) -> tuple[Any, ...]:
        """Arguments of `submitReview`; accepted now (wall clock) unless `accepted_at` says."""
        return (
            self.visit.args(),
            self.visit_signature,
            self.review.args(),
            self.review_signature,
            rewardable,
            int(time.time()) if accepted_at is None else accepted_at,
        )


def latest_timestamp(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def signed_submission(
    w3: Web3,
    registry: str,
    dentist: LocalAccount,
    patient: LocalAccount,
    *,
    rating: int = 5,
    sub_ratings: tuple[int, int, int] = (4, 5, 3),
    text: str = REVIEW_TEXT,
    deadline: int | None = None,
    chain_id: int | None = None,
    dentist_address: str | None = None,
    patient_address: str | None = None,
) -> Submission:
    """A fresh visit of `patient` by `dentist` and its review, both signed by their wallets.

    `chain_id` overrides the domain's chain id (to forge a signature for another chain).
    `dentist_address` / `patient_address` name smart-contract accounts that the given
    keys own (ERC-1271); by default the keys' own addresses are the accounts.
    """
    now = latest_timestamp(w3)
    domain_chain = int(w3.eth.chain_id) if chain_id is None else chain_id
    visit = Visit(
        new_visit_id(),
        patient_address or patient.address,
        dentist_address or dentist.address,
        now - 3600,
    )
    treatment, bedside, wait_time = sub_ratings
    review = Review(
        visit.visit_id,
        rating,
        treatment,
        bedside,
        wait_time,
        text,
        now + 3600 if deadline is None else deadline,
    )
    return Submission(
        visit,
        sign(dentist, "Visit", visit.message(), chain_id=domain_chain, registry=registry),
        review,
        sign(patient, "Review", review.message(), chain_id=domain_chain, registry=registry),
    )


@dataclass(frozen=True)
class System:
    """One deployment: the contracts and the chain they live on."""

    w3: Web3
    chain_id: int
    deployed: DeployedContracts
    token: Contract
    registry: Contract

    @property
    def registry_address(self) -> str:
        return str(self.registry.address)


def deploy_system(
    w3: Web3,
    admin: LocalAccount,
    relayer: LocalAccount,
    dentist: LocalAccount,
    *,
    reward: int = REWARD,
    daily_cap: int = DAILY_CAP,
    dentist_daily_limit: int = 255,
) -> System:
    """Deploy with `admin`, grant `relayer` the relayer role and register `dentist`."""
    deployed = deploy_contracts(
        w3,
        admin,
        relayer=relayer.address,
        reward_amount=reward,
        daily_reward_cap=daily_cap,
        dentist_daily_reward_limit=dentist_daily_limit,
    )
    token = w3.eth.contract(address=deployed.token_address, abi=load_artifact("RewardToken").abi)
    registry = w3.eth.contract(
        address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
    )
    transact(w3, admin, registry.functions.registerDentist(dentist.address))
    return System(w3, int(w3.eth.chain_id), deployed, token, registry)


@functools.cache
def _smart_account_build() -> dict[str, Any]:
    source = Path(__file__).parent / "solidity" / "OwnedSmartAccount.sol"
    script = PROJECT_ROOT / "scripts" / "compile_solidity.js"
    output = subprocess.run(
        ["node", str(script), str(source)],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    ).stdout
    built: dict[str, Any] = json.loads(output)["OwnedSmartAccount"]
    return built


def deploy_smart_account(w3: Web3, deployer: LocalAccount, owner: str) -> Contract:
    """A minimal ERC-1271 account (like a one-owner Safe) whose signatures `owner` makes."""
    built = _smart_account_build()
    factory = w3.eth.contract(abi=built["abi"], bytecode=built["bytecode"])
    receipt = transact(w3, deployer, factory.constructor(owner))  # type: ignore[arg-type]
    address = receipt["contractAddress"]
    assert address is not None
    return w3.eth.contract(address=address, abi=built["abi"])
