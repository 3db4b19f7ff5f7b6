"""Deploy RewardToken, ReviewRegistry, Semaphore's verifier and AnonymousReviews, and wire them.

Every transaction is signed locally by the deployer's key and sent raw, so this
works against any node, not only one that holds unlocked accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import Web3Exception
from web3.types import TxReceipt

from dentareview.chain.artifacts import load_artifact

RECEIPT_TIMEOUT_SECONDS = 120.0


class DeploymentError(Exception):
    """A deployment transaction could not be sent or did not succeed."""


@dataclass(frozen=True)
class DeploymentTx:
    """One mined deployment step."""

    name: str
    tx_hash: HexStr
    block_number: int
    gas_used: int


@dataclass(frozen=True)
class DeployedContracts:
    """Addresses of the deployed contracts and the transactions that made them."""

    token_address: ChecksumAddress
    registry_address: ChecksumAddress
    transactions: tuple[DeploymentTx, ...]
    # Semaphore v4's Groth16 verifier, and the contract anchoring anonymous reviews with it.
    semaphore_verifier_address: ChecksumAddress
    anonymous_reviews_address: ChecksumAddress


# Rewarded reviews per dentist per day that the registry allows (its own bound on a dishonest
# dentist or a leaked relayer key); the service's rolling 24-hour window uses the same number.
DEFAULT_DENTIST_DAILY_REWARD_LIMIT = 20


def deploy_contracts(
    w3: Web3,
    deployer: LocalAccount,
    *,
    relayer: str,
    reward_amount: int,
    daily_reward_cap: int,
    dentist_daily_reward_limit: int = DEFAULT_DENTIST_DAILY_REWARD_LIMIT,
    admin: str | None = None,
    anonymous_daily_reward_cap: int | None = None,
) -> DeployedContracts:
    """Deploy the token and the registry, then let the registry mint the token; then
    Semaphore's verifier and AnonymousReviews, which may mint the token too.

    `admin` (default: the deployer) becomes the admin of every contract and
    `relayer` receives the RELAYER_ROLE of the registry and of AnonymousReviews.
    AnonymousReviews mints at most `anonymous_daily_reward_cap` a day (default: the
    registry's `daily_reward_cap`). The token's constructor makes
    the deployer its admin, which it needs to grant the minters MINTER_ROLE; with
    another admin (a Safe, say) the deployer then grants the admin role to it and
    renounces its own, so it ends with no role at all. Raises DeploymentError
    naming the failed step.
    """
    relayer_address = Web3.to_checksum_address(relayer)
    admin_address = Web3.to_checksum_address(admin) if admin else deployer.address
    token_artifact = load_artifact("RewardToken")
    registry_artifact = load_artifact("ReviewRegistry")
    token_factory = w3.eth.contract(abi=token_artifact.abi, bytecode=token_artifact.bytecode)
    registry_factory = w3.eth.contract(
        abi=registry_artifact.abi, bytecode=registry_artifact.bytecode
    )

    token_tx, token_receipt = _execute(
        w3, deployer, "RewardToken", token_factory.constructor(deployer.address)
    )
    token_address = _created_address("RewardToken", token_receipt)
    registry_tx, registry_receipt = _execute(
        w3,
        deployer,
        "ReviewRegistry",
        registry_factory.constructor(
            admin_address,
            relayer_address,
            token_address,
            reward_amount,
            daily_reward_cap,
            dentist_daily_reward_limit,
        ),
    )
    registry_address = _created_address("ReviewRegistry", registry_receipt)
    token = w3.eth.contract(address=token_address, abi=token_artifact.abi)
    minter_role = bytes(token.functions.MINTER_ROLE().call())
    grant_tx, _ = _execute(
        w3,
        deployer,
        "grantMinterRole",
        token.functions.grantRole(minter_role, registry_address),
    )
    transactions = [token_tx, registry_tx, grant_tx]

    verifier_artifact = load_artifact("SemaphoreVerifier")
    anonymous_artifact = load_artifact("AnonymousReviews")
    verifier_tx, verifier_receipt = _execute(
        w3,
        deployer,
        "SemaphoreVerifier",
        w3.eth.contract(
            abi=verifier_artifact.abi, bytecode=verifier_artifact.bytecode
        ).constructor(),
    )
    verifier_address = _created_address("SemaphoreVerifier", verifier_receipt)
    anonymous_tx, anonymous_receipt = _execute(
        w3,
        deployer,
        "AnonymousReviews",
        w3.eth.contract(
            abi=anonymous_artifact.abi, bytecode=anonymous_artifact.bytecode
        ).constructor(
            admin_address,
            relayer_address,
            verifier_address,
            registry_address,
            token_address,
            daily_reward_cap if anonymous_daily_reward_cap is None else anonymous_daily_reward_cap,
        ),
    )
    anonymous_address = _created_address("AnonymousReviews", anonymous_receipt)
    anonymous_grant_tx, _ = _execute(
        w3,
        deployer,
        "grantAnonymousMinterRole",
        token.functions.grantRole(minter_role, anonymous_address),
    )
    transactions += [verifier_tx, anonymous_tx, anonymous_grant_tx]
    if admin_address != deployer.address:
        admin_role = bytes(token.functions.DEFAULT_ADMIN_ROLE().call())
        handover, _ = _execute(
            w3, deployer, "grantTokenAdmin", token.functions.grantRole(admin_role, admin_address)
        )
        renounce, _ = _execute(
            w3,
            deployer,
            "renounceTokenAdmin",
            token.functions.renounceRole(admin_role, deployer.address),
        )
        transactions += [handover, renounce]
    return DeployedContracts(
        token_address=token_address,
        registry_address=registry_address,
        transactions=tuple(transactions),
        semaphore_verifier_address=verifier_address,
        anonymous_reviews_address=anonymous_address,
    )


def _execute(
    w3: Web3,
    sender: LocalAccount,
    name: str,
    call: ContractConstructor | ContractFunction,
) -> tuple[DeploymentTx, TxReceipt]:
    """Sign `call` with the sender's key, send it and wait for a successful receipt."""
    try:
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
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=RECEIPT_TIMEOUT_SECONDS)
    except Web3Exception as error:
        raise DeploymentError(f"{name}: {error}") from error
    if receipt["status"] != 1:
        raise DeploymentError(
            f"{name}: transaction {tx_hash.to_0x_hex()} failed in block {receipt['blockNumber']}"
        )
    step = DeploymentTx(
        name=name,
        tx_hash=HexStr(tx_hash.to_0x_hex()),
        block_number=int(receipt["blockNumber"]),
        gas_used=int(receipt["gasUsed"]),
    )
    return step, receipt


def _created_address(name: str, receipt: TxReceipt) -> ChecksumAddress:
    address = receipt.get("contractAddress")
    if address is None:
        raise DeploymentError(f"{name}: the receipt has no contract address")
    return Web3.to_checksum_address(address)
