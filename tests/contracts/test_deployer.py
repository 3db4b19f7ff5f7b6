"""deploy_contracts and the shipped artifacts it deploys."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from web3 import Web3

from dentareview.chain.artifacts import ArtifactError, load_artifact
from dentareview.chain.deployer import DeploymentError, deploy_contracts
from dentareview.chain.deployments import Manifest

REWARD = 3 * 10**18
CAP = 300 * 10**18


def test_deploys_wires_and_reports_every_transaction(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount
) -> None:
    deployed = deploy_contracts(
        w3, admin, relayer=relayer.address.lower(), reward_amount=REWARD, daily_reward_cap=CAP
    )

    assert [tx.name for tx in deployed.transactions] == [
        "RewardToken",
        "ReviewRegistry",
        "grantMinterRole",
        "SemaphoreVerifier",
        "AnonymousReviews",
        "grantAnonymousMinterRole",
    ]
    for tx in deployed.transactions:
        receipt = w3.eth.get_transaction_receipt(tx.tx_hash)
        assert receipt["status"] == 1
        assert (receipt["blockNumber"], receipt["gasUsed"]) == (tx.block_number, tx.gas_used)
        assert w3.eth.get_transaction(tx.tx_hash)["from"] == admin.address
    registry = w3.eth.contract(
        address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
    )
    token = w3.eth.contract(address=deployed.token_address, abi=load_artifact("RewardToken").abi)
    assert registry.functions.rewardToken().call() == deployed.token_address
    assert registry.functions.rewardAmount().call() == REWARD
    assert registry.functions.dailyRewardCap().call() == CAP
    assert registry.functions.hasRole(keccak(text="RELAYER_ROLE"), relayer.address).call()
    assert token.functions.hasRole(keccak(text="MINTER_ROLE"), deployed.registry_address).call()
    anonymous = w3.eth.contract(
        address=deployed.anonymous_reviews_address, abi=load_artifact("AnonymousReviews").abi
    )
    assert anonymous.functions.verifier().call() == deployed.semaphore_verifier_address
    assert anonymous.functions.registry().call() == deployed.registry_address
    assert anonymous.functions.rewardToken().call() == deployed.token_address
    assert anonymous.functions.dailyRewardCap().call() == CAP
    assert anonymous.functions.hasRole(keccak(text="RELAYER_ROLE"), relayer.address).call()
    assert anonymous.functions.hasRole(b"\x00" * 32, admin.address).call()
    assert token.functions.hasRole(
        keccak(text="MINTER_ROLE"), deployed.anonymous_reviews_address
    ).call()
    # The runtime code is the artifact's with immutables filled in:
    # same length, same metadata hash at the end.
    code = bytes(w3.eth.get_code(deployed.registry_address))
    shipped = bytes.fromhex(load_artifact("ReviewRegistry").deployed_bytecode[2:])
    assert len(code) == len(shipped)
    assert code[-53:] == shipped[-53:]


def test_reverting_constructor_raises_naming_the_step(w3: Web3, admin: LocalAccount) -> None:
    with pytest.raises(DeploymentError, match="^ReviewRegistry: "):
        deploy_contracts(
            w3, admin, relayer="0x" + "00" * 20, reward_amount=REWARD, daily_reward_cap=CAP
        )


def test_deployer_without_ether_raises(w3: Web3, relayer: LocalAccount) -> None:
    with pytest.raises(DeploymentError, match="^RewardToken: "):
        deploy_contracts(
            w3,
            Account.create(),
            relayer=relayer.address,
            reward_amount=REWARD,
            daily_reward_cap=CAP,
        )


def test_shipped_artifacts_load() -> None:
    registry = load_artifact("ReviewRegistry")
    token = load_artifact("RewardToken")
    assert registry.name == "ReviewRegistry" and token.name == "RewardToken"
    assert registry.bytecode.startswith("0x") and len(registry.bytecode) > 1000
    assert registry.deployed_bytecode.startswith("0x") and len(registry.deployed_bytecode) > 1000
    assert registry.compiler_version.startswith("0.8.37+commit.")
    assert registry.compiler_settings["evmVersion"] == "prague"
    assert registry.compiler_settings["optimizer"]["enabled"] is True
    names = {item.get("name") for item in registry.abi}
    assert {"submitReview", "ReviewAnchored", "VisitAlreadyReviewed"} <= names
    # Each call parses afresh: a caller mutating its ABI cannot corrupt another's.
    registry.abi.clear()
    assert load_artifact("ReviewRegistry").abi


@pytest.mark.parametrize("name", ["IReviewRegistry", "Missing", "../ReviewRegistry", ""])
def test_unknown_artifact_raises(name: str) -> None:
    with pytest.raises(ArtifactError):
        load_artifact(name)


def test_another_admin_gets_both_admin_roles_and_the_deployer_renounces(
    w3: Web3, admin: LocalAccount, relayer: LocalAccount
) -> None:
    safe = Account.create().address  # a multisig's address: no key here
    deployed = deploy_contracts(
        w3, admin, admin=safe, relayer=relayer.address, reward_amount=REWARD, daily_reward_cap=CAP
    )
    assert [tx.name for tx in deployed.transactions][-2:] == [
        "grantTokenAdmin",
        "renounceTokenAdmin",
    ]
    registry = w3.eth.contract(
        address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
    )
    token = w3.eth.contract(address=deployed.token_address, abi=load_artifact("RewardToken").abi)
    admin_role = b"\x00" * 32
    anonymous = w3.eth.contract(
        address=deployed.anonymous_reviews_address, abi=load_artifact("AnonymousReviews").abi
    )
    for contract in (token, registry, anonymous):
        assert contract.functions.hasRole(admin_role, safe).call()
        assert not contract.functions.hasRole(admin_role, admin.address).call()
        assert not contract.functions.hasRole(admin_role, relayer.address).call()
    assert registry.functions.hasRole(keccak(text="RELAYER_ROLE"), relayer.address).call()
    assert not token.functions.hasRole(keccak(text="MINTER_ROLE"), admin.address).call()
    assert token.functions.hasRole(keccak(text="MINTER_ROLE"), deployed.registry_address).call()
    assert anonymous.functions.hasRole(keccak(text="RELAYER_ROLE"), relayer.address).call()
    assert token.functions.hasRole(
        keccak(text="MINTER_ROLE"), deployed.anonymous_reviews_address
    ).call()


def test_a_manifest_from_before_the_admin_field_names_the_deployer() -> None:
    contract = {"address": "0x" + "11" * 20, "tx_hash": "0x" + "22" * 32, "block_number": 1}
    old = {
        "chain_id": 31337,
        "deployer": "0x" + "33" * 20,
        "relayer": "0x" + "33" * 20,
        "token": contract,
        "registry": contract,
        "transactions": [],
        "reward_amount": "1",
        "daily_reward_cap": "2",
        "compiler": {},
        "deployed_at": 0,
    }
    assert Manifest.from_json(old).admin == "0x" + "33" * 20
