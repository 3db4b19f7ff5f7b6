"""`dentareview verify-contracts`: the shipped sources recompile, through py-solc-x, to the
code at the published addresses (a full match), and anything else is refused with its reason.

Real Anvil, real compiler (the project's npm solc through the shim when no native solc
of the recorded version is installed).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from typer.testing import CliRunner, Result
from web3 import Web3

from dentareview.audit.bytecode import Match, Span, compare_runtime, immutable_spans
from dentareview.audit.contract_code import CONTRACTS, build_check, recompile
from dentareview.audit.solc import Solc, find_solc
from dentareview.chain.artifacts import load_artifact, load_standard_json_input
from dentareview.chain.deployer import DeployedContracts, deploy_contracts
from dentareview.chain.deployments import DeployedContract, Manifest
from dentareview.cli import app
from tests.contracts.helpers import DAILY_CAP, REWARD, transact
from tests.support.anvil import PROJECT_ROOT, AnvilNode

runner = CliRunner()
VERSION = load_artifact("ReviewRegistry").compiler_version
REGISTRY_SOURCE = load_artifact("ReviewRegistry").source_name


@pytest.fixture(scope="module")
def solc(tmp_path_factory: pytest.TempPathFactory) -> Solc:
    return find_solc(VERSION, tmp_path_factory.mktemp("solc"))


@pytest.fixture(scope="module")
def chain(anvil: AnvilNode) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.rpc_url))


@pytest.fixture(scope="module")
def deployed(chain: Web3, admin: LocalAccount, relayer: LocalAccount) -> DeployedContracts:
    return deploy_contracts(
        chain, admin, relayer=relayer.address, reward_amount=REWARD, daily_reward_cap=DAILY_CAP
    )


def verify_contracts(rpc_url: str, *args: str) -> Result:
    return runner.invoke(app, ["verify-contracts", "--rpc-url", rpc_url, *args])


def line_of(result: Result, check: str) -> str:
    lines = [line for line in result.output.splitlines() if f"  {check} " in line]
    assert len(lines) == 1, result.output
    return lines[0]


# ---------------------------------------------------------------- the shipped build


def test_the_shipped_sources_recompile_to_the_artifacts_through_py_solc_x(solc: Solc) -> None:
    artifacts = [load_artifact(name) for name in CONTRACTS.values()]
    compiled = recompile(solc, load_standard_json_input(), artifacts)
    for artifact in artifacts:
        assert "0x" + compiled[artifact.name].runtime.hex() == artifact.deployed_bytecode
        assert "0x" + compiled[artifact.name].creation.hex() == artifact.bytecode
    assert build_check(compiled, artifacts).ok


def test_the_shipped_input_holds_the_sources_in_the_tree() -> None:
    """A stale input would prove another build: `npm run artifacts` rewrites it."""
    sources = load_standard_json_input()["sources"]
    for artifact in (load_artifact(name) for name in CONTRACTS.values()):
        assert artifact.source_name in sources
        settings = load_standard_json_input()["settings"]
        assert settings == artifact.compiler_settings
    for name, source in sources.items():
        on_disk = PROJECT_ROOT / name if name.startswith("contracts/") else None
        if on_disk is None:
            on_disk = PROJECT_ROOT / "node_modules" / name
        assert on_disk.read_text(encoding="utf-8") == source["content"], (
            f"{name} changed since the artifacts were built: run `npm run artifacts`"
        )


def test_the_npm_shim_answers_as_a_solc_on_path(
    solc: Solc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """py-solc-x reads the version the shim reports; a `solc` on PATH is taken before npm."""
    (tmp_path / "solc").symlink_to(solc.path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "no-solcx-installs"))
    (tmp_path / "no-solcx-installs").mkdir()
    found = find_solc(VERSION, tmp_path)
    assert found.origin.startswith("native solc on PATH")
    assert found.version == VERSION


# ---------------------------------------------------------------- the command


def test_the_deployed_contracts_are_a_full_match(
    anvil: AnvilNode, deployed: DeployedContracts
) -> None:
    result = verify_contracts(anvil.rpc_url, "--registry", deployed.registry_address.lower())
    assert result.exit_code == 0, result.output
    for role in CONTRACTS:
        assert "PASS" in line_of(result, f"{role}-code")
        assert f"full match with {CONTRACTS[role]}" in line_of(result, f"{role}-bytecode")
    assert "PASS" in line_of(result, "build")
    assert f"token {deployed.token_address}" in result.output
    assert "VERIFIED: all 6 checks hold" in result.output


def test_a_trusted_manifest_names_both_and_is_reported_as_json(
    anvil: AnvilNode, chain: Web3, deployed: DeployedContracts, admin: LocalAccount, tmp_path: Path
) -> None:
    manifest = _manifest(chain, deployed, admin, tmp_path)
    result = verify_contracts(anvil.rpc_url, "--manifest", str(manifest), "--json")
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    assert body["ok"] is True
    assert body["addresses"] == {
        "registry": deployed.registry_address,
        "token": deployed.token_address,
    }
    for role, name in CONTRACTS.items():
        size = len(load_artifact(name).deployed_bytecode) // 2 - 1
        assert body["bytecode"][role]["match"] == "full"
        assert body["bytecode"][role]["deployedBytes"] == size


def test_a_registry_built_from_a_source_with_one_changed_byte_is_refused(
    anvil: AnvilNode,
    chain: Web3,
    deployed: DeployedContracts,
    admin: LocalAccount,
    relayer: LocalAccount,
    solc: Solc,
) -> None:
    # One byte of a comment: the code is the same, the sources are not (their hash is in
    # the metadata): only a partial match, refused.
    changed = load_standard_json_input()
    text = changed["sources"][REGISTRY_SOURCE]["content"]
    at = text.index("// ") + 3
    changed["sources"][REGISTRY_SOURCE]["content"] = text[:at] + "#" + text[at + 1 :]
    lookalike = recompile(solc, changed, [load_artifact("ReviewRegistry")])["ReviewRegistry"]
    factory = chain.eth.contract(
        abi=load_artifact("ReviewRegistry").abi, bytecode=lookalike.creation
    )
    receipt = transact(
        chain,
        admin,
        factory.constructor(  # type: ignore[arg-type]
            admin.address, relayer.address, deployed.token_address, REWARD, DAILY_CAP, 20
        ),
    )
    address = str(receipt["contractAddress"])

    result = verify_contracts(anvil.rpc_url, "--registry", address)
    assert result.exit_code == 1, result.output
    refused = line_of(result, "registry-bytecode")
    assert "FAIL" in refused and "metadata hash differs" in refused
    assert "FAIL" in line_of(result, "token-address")
    assert "NOT VERIFIED" in result.output


def test_another_contract_at_the_stated_address_is_refused(
    anvil: AnvilNode, deployed: DeployedContracts
) -> None:
    result = verify_contracts(anvil.rpc_url, "--registry", deployed.token_address)
    assert result.exit_code == 1, result.output
    refused = line_of(result, "registry-bytecode")
    assert "FAIL" in refused and "not ReviewRegistry's code" in refused
    assert "NOT VERIFIED" in result.output


def test_an_address_without_code_is_refused(
    tmp_path_factory: pytest.TempPathFactory, deployed: DeployedContracts
) -> None:
    """A chain where nothing was deployed at the published address (another node)."""
    empty = AnvilNode()
    empty.start()
    try:
        result = verify_contracts(empty.rpc_url, "--registry", deployed.registry_address)
    finally:
        empty.stop()
    assert result.exit_code == 1, result.output
    refused = line_of(result, "registry-code")
    assert "FAIL" in refused and f"no code at {deployed.registry_address}" in refused


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--registry", "0x1234"], "is not an address"),
        ([], "--registry ADDRESS"),
        (["--registry", "0x" + "11" * 20, "--solc", "/bin/true"], "not a solc executable"),
    ],
)
def test_what_cannot_be_checked_exits_2_with_the_reason(
    anvil: AnvilNode, args: list[str], message: str
) -> None:
    result = verify_contracts(anvil.rpc_url, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_node_that_does_not_answer_exits_2(deployed: DeployedContracts) -> None:
    result = verify_contracts("http://127.0.0.1:9", "--registry", deployed.registry_address)
    assert result.exit_code == 2, result.output
    assert "does not answer" in result.output


# ---------------------------------------------------------------- the comparison itself

RUNTIME = bytes.fromhex("6080604052") + b"\x00" * 32 + bytes.fromhex("5b00")
# A metadata trailer as solc writes it: a CBOR map, then its length in two bytes.
TRAILER = bytes.fromhex("a2646970667358220000000000000000000000000000000000") + b"\x00\x19"


@pytest.fixture
def compiled() -> Iterator[bytes]:
    yield RUNTIME + TRAILER


def test_an_immutable_is_set_aside_and_nothing_else(compiled: bytes) -> None:
    spans = immutable_spans({"7": [{"start": 5, "length": 32}]})
    with_value = compiled[:5] + b"\xaa" * 32 + compiled[37:]
    assert compare_runtime(compiled, with_value, spans).match is Match.FULL
    assert compare_runtime(compiled, with_value, []).first_difference == 5
    one_byte = bytearray(with_value)
    one_byte[37] ^= 1
    comparison = compare_runtime(compiled, bytes(one_byte), spans)
    assert comparison.match is Match.NONE and comparison.first_difference == 37


def test_a_different_metadata_hash_is_a_partial_match_only(compiled: bytes) -> None:
    other = bytearray(compiled)
    other[-5] ^= 1
    assert compare_runtime(compiled, bytes(other), []).match is Match.PARTIAL
    shorter = compare_runtime(compiled, compiled[:-1], [])
    assert shorter.match is Match.NONE and shorter.first_difference == len(compiled) - 1


def test_immutable_spans_come_in_code_order() -> None:
    spans = immutable_spans(
        {
            "9": [{"start": 70, "length": 32}, {"start": 2, "length": 32}],
            "4": [{"start": 40, "length": 32}],
        }
    )
    assert spans == [Span(2, 32), Span(40, 32), Span(70, 32)]


def _manifest(
    chain: Web3, deployed: DeployedContracts, admin: LocalAccount, tmp_path: Path
) -> Path:
    txs = {tx.name: tx for tx in deployed.transactions}

    def entry(address: str, name: str) -> DeployedContract:
        return DeployedContract(address, txs[name].tx_hash, txs[name].block_number)

    manifest = Manifest(
        chain_id=int(chain.eth.chain_id),
        deployer=admin.address,
        relayer=admin.address,
        token=entry(deployed.token_address, "RewardToken"),
        registry=entry(deployed.registry_address, "ReviewRegistry"),
        transactions=[],
        reward_amount=REWARD,
        daily_reward_cap=DAILY_CAP,
        compiler={},
        deployed_at=0,
    )
    path = tmp_path / f"{manifest.chain_id}.json"
    path.write_text(json.dumps(manifest.to_json()))
    return path
