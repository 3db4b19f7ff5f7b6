"""`dentareview deploy` and `dentareview dentist add` against a fresh Anvil."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from web3 import Web3

from dentareview.chain.artifacts import load_artifact
from dentareview.cli import app
from dentareview.config import ANVIL_DEV_KEY
from tests.support.anvil import AnvilNode, dev_account

runner = CliRunner()


@pytest.fixture
def fresh_chain() -> Iterator[AnvilNode]:
    node = AnvilNode(chain_id=1337)  # local too (dev keys allowed), apart from the session's
    node.start()
    yield node
    node.stop()


def test_deploy_writes_a_correct_manifest_and_refuses_a_second(
    fresh_chain: AnvilNode, tmp_path: Path
) -> None:
    args = ["deploy", "--rpc-url", fresh_chain.rpc_url, "--data-dir", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert ANVIL_DEV_KEY[2:] not in first.output  # the key is never printed

    manifest = json.loads((tmp_path / "deployments" / "1337.json").read_text())
    w3 = Web3(Web3.HTTPProvider(fresh_chain.rpc_url))
    operator = dev_account(0).address
    assert manifest["chain_id"] == 1337
    assert manifest["deployer"] == operator
    assert manifest["relayer"] == operator
    for name in ("token", "registry"):
        entry = manifest[name]
        receipt = w3.eth.get_transaction_receipt(entry["tx_hash"])
        assert receipt["contractAddress"] == entry["address"]
        assert receipt["blockNumber"] == entry["block_number"]
        assert len(w3.eth.get_code(entry["address"])) > 0
    assert [tx["name"] for tx in manifest["transactions"]] == [
        "RewardToken",
        "ReviewRegistry",
        "grantMinterRole",
        "SemaphoreVerifier",
        "AnonymousReviews",
        "grantAnonymousMinterRole",
    ]
    assert manifest["compiler"]["version"] == load_artifact("ReviewRegistry").compiler_version
    assert manifest["compiler"]["settings"]["evmVersion"] == "prague"

    registry = w3.eth.contract(
        address=manifest["registry"]["address"], abi=load_artifact("ReviewRegistry").abi
    )
    assert registry.functions.rewardAmount().call() == int(manifest["reward_amount"])
    assert registry.functions.rewardToken().call() == manifest["token"]["address"]
    relayer_role = registry.functions.RELAYER_ROLE().call()
    assert registry.functions.hasRole(relayer_role, operator).call()

    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "already has a live deployment" in second.output
    assert "--force" in second.output
    assert json.loads((tmp_path / "deployments" / "1337.json").read_text()) == manifest

    skipped = runner.invoke(app, [*args, "--if-missing"])
    assert skipped.exit_code == 0
    assert manifest["registry"]["address"] in skipped.output

    forced = runner.invoke(app, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    replaced = json.loads((tmp_path / "deployments" / "1337.json").read_text())
    assert replaced["registry"]["address"] != manifest["registry"]["address"]


def test_deploy_without_a_node_says_so(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["deploy", "--rpc-url", "http://127.0.0.1:9", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "no node answers at http://127.0.0.1:9" in result.output


def test_dentist_add_registers_on_chain_and_in_the_database(
    fresh_chain: AnvilNode, tmp_path: Path
) -> None:
    common = ["--rpc-url", fresh_chain.rpc_url, "--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["deploy", *common]).exit_code == 0
    dentist = dev_account(5).address

    added = runner.invoke(app, ["dentist", "add", dentist.lower(), "--name", "Dr. Who", *common])
    assert added.exit_code == 0, added.output
    assert "registered in tx 0x" in added.output
    again = runner.invoke(app, ["dentist", "add", dentist, "--name", "Dr. Who", *common])
    assert "already active" in again.output

    manifest = json.loads((tmp_path / "deployments" / "1337.json").read_text())
    w3 = Web3(Web3.HTTPProvider(fresh_chain.rpc_url))
    registry = w3.eth.contract(
        address=manifest["registry"]["address"], abi=load_artifact("ReviewRegistry").abi
    )
    assert registry.functions.dentistStatus(dentist).call() == 1  # Active

    import sqlite3

    with sqlite3.connect(tmp_path / "dentareview.db") as db:
        rows = db.execute("SELECT address, name, active FROM dentists").fetchall()
    assert rows == [(dentist, "Dr. Who", 1)]

    bad = runner.invoke(app, ["dentist", "add", "0x1234", "--name", "X", *common])
    assert bad.exit_code == 1
    assert "VALIDATION_ERROR" in bad.output
