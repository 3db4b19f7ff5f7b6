"""Keys and roles at deployment, on a real Anvil whose chain id is not a local one.

Anvil's development keys come from a public mnemonic: on any chain but a local
development one (31337, 1337) they are refused unless forced, loudly. There the admin
(token and registry) must also be another account than the relayer, ideally a
multisig: `--admin ADDRESS` hands the admin roles to it and the deployer keeps none.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web3 import Web3
from web3.contract import Contract

from dentareview.api.app import create_app
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.key_safety import ANVIL_DEV_KEYS, LOCAL_CHAIN_IDS
from dentareview.cli import app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.errors import UnsafeKeys
from dentareview.services.chain_access import ChainGateway
from dentareview.services.deploy import deploy
from tests.support.anvil import ANVIL_MNEMONIC, AnvilNode, dev_account

runner = CliRunner()
REAL_CHAIN = 31_338  # any id but the local development ones
ADMIN_ROLE = b"\x00" * 32
RELAYER_ROLE = keccak(text="RELAYER_ROLE")
MINTER_ROLE = keccak(text="MINTER_ROLE")


@pytest.fixture(scope="module")
def real_chain() -> Iterator[AnvilNode]:
    node = AnvilNode(chain_id=REAL_CHAIN)
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def chain_w3(real_chain: AnvilNode) -> Web3:
    return Web3(Web3.HTTPProvider(real_chain.rpc_url))


def funded(w3: Web3) -> LocalAccount:
    """A fresh account of the test's own, with ether to pay for gas."""
    account: LocalAccount = Account.create()
    w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])  # type: ignore[arg-type]
    return account


def manifest_of(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / "deployments" / f"{REAL_CHAIN}.json").read_text())
    return data


def contracts(w3: Web3, manifest: dict[str, Any]) -> tuple[Contract, Contract]:
    token = w3.eth.contract(
        address=manifest["token"]["address"], abi=load_artifact("RewardToken").abi
    )
    registry = w3.eth.contract(
        address=manifest["registry"]["address"], abi=load_artifact("ReviewRegistry").abi
    )
    return token, registry


def roles(contract: Contract, account: str) -> set[str]:
    names = {"admin": ADMIN_ROLE, "relayer": RELAYER_ROLE, "minter": MINTER_ROLE}
    return {
        name for name, role in names.items() if contract.functions.hasRole(role, account).call()
    }


def test_the_dev_keys_are_the_public_mnemonics() -> None:
    assert len(ANVIL_DEV_KEYS) == 10
    for index, key in enumerate(ANVIL_DEV_KEYS):
        assert key == dev_account(index).key.hex().removeprefix("0x")
    assert ANVIL_MNEMONIC == "test test test test test test test test test test test junk"
    assert {31337, 1337} == LOCAL_CHAIN_IDS


@pytest.mark.parametrize("index", [0, 5, 9])
def test_a_dev_key_is_refused_outside_a_local_chain(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path, index: int
) -> None:
    key = "0x" + ANVIL_DEV_KEYS[index]
    nonce = chain_w3.eth.get_transaction_count(dev_account(index).address)
    result = runner.invoke(
        app,
        ["deploy", "--rpc-url", real_chain.rpc_url, "--data-dir", str(tmp_path)],
        env={"DENTAREVIEW_OPERATOR_KEY": key},
    )
    assert result.exit_code == 1, result.output
    assert "development key" in result.output and "--allow-dev-keys" in result.output
    assert key[2:] not in result.output
    assert not (tmp_path / "deployments").exists()
    assert chain_w3.eth.get_transaction_count(dev_account(index).address) == nonce


def test_a_dev_admin_key_is_refused_too(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    operator = funded(chain_w3)
    result = runner.invoke(
        app,
        [
            "deploy",
            "--rpc-url",
            real_chain.rpc_url,
            "--data-dir",
            str(tmp_path),
            "--admin-key-env",
            "THE_ADMIN_KEY",
        ],
        env={"DENTAREVIEW_OPERATOR_KEY": operator.key.hex(), "THE_ADMIN_KEY": ANVIL_DEV_KEYS[3]},
    )
    assert result.exit_code == 1, result.output
    assert "admin" in result.output and "development key" in result.output


def test_a_dev_account_as_admin_address_is_refused(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    operator = funded(chain_w3)
    result = runner.invoke(
        app,
        [
            "deploy",
            "--rpc-url",
            real_chain.rpc_url,
            "--data-dir",
            str(tmp_path),
            "--admin",
            dev_account(7).address,
        ],
        env={"DENTAREVIEW_OPERATOR_KEY": operator.key.hex()},
    )
    assert result.exit_code == 1, result.output
    assert "development account" in result.output


def test_dev_keys_can_be_forced_with_a_loud_warning(real_chain: AnvilNode, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "deploy",
            "--rpc-url",
            real_chain.rpc_url,
            "--data-dir",
            str(tmp_path),
            "--allow-dev-keys",
            "--allow-shared-admin",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "development key" in result.output
    by_env = runner.invoke(
        app,
        [
            "deploy",
            "--rpc-url",
            real_chain.rpc_url,
            "--data-dir",
            str(tmp_path),
            "--force",
        ],
        env={"DENTAREVIEW_ALLOW_DEV_KEYS": "true", "DENTAREVIEW_ALLOW_SHARED_ADMIN": "true"},
    )
    assert by_env.exit_code == 0, by_env.output
    assert "WARNING" in by_env.output


def test_one_account_as_admin_and_relayer_is_refused_outside_a_local_chain(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    operator = funded(chain_w3)
    env = {"DENTAREVIEW_OPERATOR_KEY": operator.key.hex()}
    args = ["deploy", "--rpc-url", real_chain.rpc_url, "--data-dir", str(tmp_path)]
    refused = runner.invoke(app, args, env=env)
    assert refused.exit_code == 1, refused.output
    assert "admin" in refused.output and "--allow-shared-admin" in refused.output
    assert not (tmp_path / "deployments").exists()

    forced = runner.invoke(app, [*args, "--allow-shared-admin"], env=env)
    assert forced.exit_code == 0, forced.output
    assert "WARNING" in forced.output


def test_an_admin_key_of_its_own_administers_and_the_relayer_only_relays(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    admin, operator = funded(chain_w3), funded(chain_w3)
    env = {"DENTAREVIEW_OPERATOR_KEY": operator.key.hex(), "OPS_ADMIN_KEY": admin.key.hex()}
    common = ["--rpc-url", real_chain.rpc_url, "--data-dir", str(tmp_path)]
    result = runner.invoke(app, ["deploy", *common, "--admin-key-env", "OPS_ADMIN_KEY"], env=env)
    assert result.exit_code == 0, result.output
    assert admin.key.hex()[2:] not in result.output
    manifest = manifest_of(tmp_path)
    assert (manifest["admin"], manifest["relayer"]) == (admin.address, operator.address)
    token, registry = contracts(chain_w3, manifest)
    assert roles(token, admin.address) == {"admin"}
    assert roles(registry, admin.address) == {"admin"}
    assert roles(token, operator.address) == set()
    assert roles(registry, operator.address) == {"relayer"}
    assert roles(token, registry.address) == {"minter"}

    # Registering a dentist is the admin's: signed with the admin key, not the operator's.
    dentist = Account.create().address
    without = runner.invoke(app, ["dentist", "add", dentist, "--name", "Dr. A", *common], env=env)
    assert without.exit_code != 0
    added = runner.invoke(
        app,
        ["dentist", "add", dentist, "--name", "Dr. A", *common, "--admin-key-env", "OPS_ADMIN_KEY"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert registry.functions.dentistStatus(dentist).call() == 1


def test_a_multisig_admin_gets_every_admin_role_and_the_deployer_keeps_none(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    operator = funded(chain_w3)
    safe = Account.create().address  # stands for a Safe: an address with no key here
    result = runner.invoke(
        app,
        [
            "deploy",
            "--rpc-url",
            real_chain.rpc_url,
            "--data-dir",
            str(tmp_path),
            "--admin",
            safe,
        ],
        env={"DENTAREVIEW_OPERATOR_KEY": operator.key.hex()},
    )
    assert result.exit_code == 0, result.output
    manifest = manifest_of(tmp_path)
    assert (manifest["deployer"], manifest["admin"]) == (operator.address, safe)
    token, registry = contracts(chain_w3, manifest)
    assert roles(token, safe) == {"admin"} and roles(registry, safe) == {"admin"}
    assert roles(token, operator.address) == set()  # granted MINTER_ROLE, then renounced
    assert roles(registry, operator.address) == {"relayer"}
    assert roles(token, registry.address) == {"minter"}
    assert [tx["name"] for tx in manifest["transactions"]] == [
        "RewardToken",
        "ReviewRegistry",
        "grantMinterRole",
        "SemaphoreVerifier",
        "AnonymousReviews",
        "grantAnonymousMinterRole",
        "grantTokenAdmin",
        "renounceTokenAdmin",
    ]


def test_the_admin_key_can_come_from_an_encrypted_keystore(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path
) -> None:
    admin, operator = funded(chain_w3), funded(chain_w3)
    keystore = tmp_path / "admin.json"
    keystore.write_text(
        json.dumps(Account.encrypt(admin.key, "correct horse", kdf="pbkdf2", iterations=2))
    )
    args = [
        "deploy",
        "--rpc-url",
        real_chain.rpc_url,
        "--data-dir",
        str(tmp_path / "data"),
        "--admin-keystore",
        str(keystore),
        "--admin-password-env",
        "ADMIN_PASSWORD",
    ]
    env = {"DENTAREVIEW_OPERATOR_KEY": operator.key.hex()}
    wrong = runner.invoke(app, args, env={**env, "ADMIN_PASSWORD": "wrong"})
    assert wrong.exit_code == 1 and "keystore" in wrong.output
    result = runner.invoke(app, args, env={**env, "ADMIN_PASSWORD": "correct horse"})
    assert result.exit_code == 0, result.output
    assert manifest_of(tmp_path / "data")["admin"] == admin.address


def test_the_service_refuses_a_dev_operator_key_outside_a_local_chain(
    real_chain: AnvilNode, chain_w3: Web3, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    forced = Settings(
        rpc_url=real_chain.rpc_url,
        data_dir=tmp_path,
        allow_dev_keys=True,
        allow_shared_admin=True,
        anchor_worker=False,
    )
    deploy(forced, chain_w3)
    strict = forced.model_copy(update={"allow_dev_keys": False})
    with pytest.raises(UnsafeKeys, match="development key"):
        ChainGateway(strict).deployment()
    upgrade_database(strict.resolved_database_url)
    with TestClient(create_app(strict, run_anchor_worker=False)) as client:
        health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["chain"]["detail"].startswith("UNSAFE_KEYS: ")
    with caplog.at_level(logging.WARNING):
        assert ChainGateway(forced).deployment().manifest.chain_id == REAL_CHAIN
    assert "development key" in caplog.text and "DENTAREVIEW_ALLOW_DEV_KEYS" in caplog.text


def test_a_local_chain_takes_the_dev_keys_as_before(anvil: AnvilNode, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["deploy", "--rpc-url", anvil.rpc_url, "--data-dir", str(tmp_path), "--force"]
    )
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.output


@pytest.mark.parametrize("command", ["serve", "anchor"])
def test_the_service_commands_refuse_a_dev_operator_key_outside_a_local_chain(
    real_chain: AnvilNode, tmp_path: Path, command: str
) -> None:
    result = runner.invoke(
        app, [command, "--rpc-url", real_chain.rpc_url, "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1, result.output
    assert "development key" in result.output and "--allow-dev-keys" in result.output
    assert not (tmp_path / "dentareview.db").exists()  # refused before touching anything


def test_the_anchor_command_runs_when_forced_and_says_so_loudly(
    real_chain: AnvilNode, tmp_path: Path
) -> None:
    common = ["--rpc-url", real_chain.rpc_url, "--data-dir", str(tmp_path)]
    deployed = runner.invoke(
        app, ["deploy", *common, "--allow-dev-keys", "--allow-shared-admin", "--force"]
    )
    assert deployed.exit_code == 0, deployed.output
    result = runner.invoke(app, ["anchor", *common, "--allow-dev-keys"])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "development key" in result.output
    assert "anchored 0" in result.output
