"""The artifacts shipped in the Python package are exactly what the sources compile to,
and the contracts' ABI and storage layout are those recorded in tests/contracts/recorded/.

The recorded copies hold the compiler's own output (ABI and `storageLayout`) for each
deployed contract. A source refactoring must leave them as they are; an intended change
of the interface or the layout is re-recorded on purpose, from a fresh build:

    python -m tests.contracts.test_artifacts --record
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.anvil import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "dentareview" / "chain" / "artifacts"
RECORDED = PROJECT_ROOT / "tests" / "contracts" / "recorded"
HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"
DEPLOYED = {
    "AnonymousReviews": "contracts/AnonymousReviews.sol",
    "PasskeyAccount": "contracts/accounts/PasskeyAccount.sol",
    "PasskeyAccountFactory": "contracts/accounts/PasskeyAccountFactory.sol",
    "ReviewRegistry": "contracts/ReviewRegistry.sol",
    "RewardToken": "contracts/RewardToken.sol",
    # Deployed unchanged from the pinned npm package (scripts/export_artifacts.js).
    "SemaphoreVerifier": "@semaphore-protocol/contracts/base/SemaphoreVerifier.sol",
}

# Declaration ids of the compiler's AST, in storage type ids such as
# `t_struct(Batch)11913_storage`: they number the source's nodes and move with any edit.
AST_ID = re.compile(r"\)\d+")
# The scope that declares a struct or an enum (`struct IReviewRegistry.Visit`): a name in the
# Solidity source, which neither the ABI encoding, the selectors and topics, nor the storage
# slots see.
DECLARING_SCOPE = re.compile(r"\b(struct|enum) \w+\.(?=\w)")


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def build(directory: Path) -> Path:
    """Compiles the sources afresh into `directory` and exports the artifacts to `directory/out`."""
    env = {
        **os.environ,
        "CONTRACTS_BUILD_DIR": str(directory / "build"),
        "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
    }
    out = directory / "out"
    run([str(HARDHAT), "compile", "--force", "--quiet"], env)
    run(
        [
            "node",
            "scripts/export_artifacts.js",
            "--artifacts",
            str(directory / "build" / "artifacts"),
            "--out",
            str(out),
        ],
        env,
    )
    return out


def compiled_interfaces(directory: Path) -> dict[str, dict[str, Any]]:
    """Each deployed contract's ABI and storage layout, as the compiler output them."""
    found: dict[str, dict[str, Any]] = {}
    for info in (directory / "build" / "artifacts" / "build-info").glob("*.json"):
        contracts = json.loads(info.read_text())["output"]["contracts"]
        for name, source in DEPLOYED.items():
            output = contracts.get(source, {}).get(name)
            if output is not None and "storageLayout" in output:
                found[name] = {
                    "contractName": name,
                    "sourceName": source,
                    "abi": output["abi"],
                    "storageLayout": output["storageLayout"],
                }
    assert sorted(found) == sorted(DEPLOYED), "no storage layout in the build (hardhat.config.js)"
    return found


def abi_entries(abi: list[dict[str, Any]]) -> set[str]:
    """The ABI as a set of entries (order does not matter), each as canonical JSON."""
    return {DECLARING_SCOPE.sub(r"\1 ", json.dumps(entry, sort_keys=True)) for entry in abi}


def storage_layout(layout: Any) -> Any:
    """Slots, offsets, labels, types and encodings of a storage layout, without source node ids."""
    if isinstance(layout, dict):
        return {AST_ID.sub(")", k): storage_layout(v) for k, v in layout.items() if k != "astId"}
    if isinstance(layout, list):
        return [storage_layout(item) for item in layout]
    if isinstance(layout, str):
        return DECLARING_SCOPE.sub(r"\1 ", AST_ID.sub(")", layout))
    return layout


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    if not HARDHAT.exists():
        pytest.skip("node_modules is missing: run `npm ci` to rebuild and check the artifacts")
    directory = tmp_path_factory.mktemp("contracts")
    build(directory)
    yield directory


def test_shipped_artifacts_match_a_fresh_build(fresh_build: Path) -> None:
    out = fresh_build / "out"
    built = {path.name: path.read_text() for path in out.glob("*.json")}
    shipped = {path.name: path.read_text() for path in SHIPPED.glob("*.json")}
    assert sorted(built) == [f"{name}.json" for name in sorted(DEPLOYED)]
    assert sorted(shipped) == sorted(built), "run `npm run artifacts` and commit the result"
    stale = [name for name in built if built[name] != shipped[name]]
    assert not stale, f"{stale} differ from the sources: run `npm run artifacts`"


@pytest.mark.parametrize("name", sorted(DEPLOYED))
def test_abi_and_storage_layout_are_the_recorded_ones(fresh_build: Path, name: str) -> None:
    compiled = compiled_interfaces(fresh_build)[name]
    recorded = json.loads((RECORDED / f"{name}.json").read_text())

    built_abi, recorded_abi = abi_entries(compiled["abi"]), abi_entries(recorded["abi"])
    assert not built_abi - recorded_abi and not recorded_abi - built_abi, (
        f"{name}'s ABI changed.\nnew: {sorted(built_abi - recorded_abi)}\n"
        f"gone: {sorted(recorded_abi - built_abi)}"
    )
    assert len(compiled["abi"]) == len(recorded["abi"]), f"{name}'s ABI has duplicate entries"
    assert storage_layout(compiled["storageLayout"]) == storage_layout(recorded["storageLayout"]), (
        f"{name}'s storage layout changed"
    )


def test_the_comparison_sees_a_moved_slot_and_a_renamed_error() -> None:
    recorded = json.loads((RECORDED / "ReviewRegistry.json").read_text())
    layout = json.loads(json.dumps(recorded["storageLayout"]))
    layout["storage"][-1]["slot"] = str(int(layout["storage"][-1]["slot"]) + 1)
    assert storage_layout(layout) != storage_layout(recorded["storageLayout"])

    abi = [
        {**entry, "name": "Renamed"} if entry.get("name") == "InvalidBatch" else entry
        for entry in recorded["abi"]
    ]
    assert abi_entries(abi) != abi_entries(recorded["abi"])
    # The declaring scope of a struct is the only name the comparison sets aside.
    text = json.dumps(recorded["abi"])
    found = re.search(r'"struct ([A-Za-z0-9_.]+)', text)
    assert found, "the registry's ABI names a struct"
    struct = found.group(1)
    scoped = text.replace(f'"struct {struct}', f'"struct Elsewhere.{struct.split(".")[-1]}')
    assert scoped != text and abi_entries(json.loads(scoped)) == abi_entries(recorded["abi"])
    retyped = text.replace(f'"struct {struct}', '"struct Other')
    assert abi_entries(json.loads(retyped)) != abi_entries(recorded["abi"])


def _canonical(param: dict[str, Any]) -> str:
    """A parameter's type as signatures spell it, tuples expanded: `(bytes32,address)[]`."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in param["components"]) + ")" + kind[5:]
    return kind


def natspec_gaps(abi: list[dict[str, Any]], metadata: dict[str, Any]) -> list[str]:
    """The ABI's functions, events and errors that lack a notice, a `@param` or a `@return`."""
    user, dev = metadata["output"]["userdoc"], metadata["output"]["devdoc"]
    sections = {"function": "methods", "event": "events", "error": "errors"}
    gaps = []
    for entry in abi:
        if entry["type"] not in sections:
            continue
        section = sections[entry["type"]]
        key = f"{entry['name']}({','.join(_canonical(p) for p in entry['inputs'])})"
        # Errors map to a list: one documentation per declaration of the same signature.
        notice = user.get(section, {}).get(key, {})
        details = dev.get(section, {}).get(key, {})
        if section == "errors":
            notice, details = (notice or [{}])[0], (details or [{}])[0]
        if not notice.get("notice"):
            gaps.append(f"{key}: no @notice")
        gaps += [
            f"{key}: no @param {p['name']}"
            for p in entry["inputs"]
            if p["name"] and p["name"] not in details.get("params", {})
        ]
        outputs = entry.get("outputs", [])
        if len(details.get("returns", {})) < len(outputs):
            gaps.append(f"{key}: not every value has a @return")
    return gaps


def test_every_external_item_of_the_interfaces_has_natspec(fresh_build: Path) -> None:
    """Every function, event and error of the interfaces has a notice, @param and @return."""
    build_info = next((fresh_build / "build" / "artifacts" / "build-info").glob("*.json"))
    contracts = json.loads(build_info.read_text())["output"]["contracts"]
    erc20 = contracts["@openzeppelin/contracts/token/ERC20/IERC20.sol"]["IERC20"]["abi"]
    gaps = []
    for source, name, inherited in (
        ("contracts/interfaces/IReviewRegistry.sol", "IReviewRegistry", []),
        ("contracts/interfaces/IAnonymousReviews.sol", "IAnonymousReviews", []),
        ("contracts/interfaces/IRewardToken.sol", "IRewardToken", erc20),
    ):
        output = contracts[source][name]
        own = [entry for entry in output["abi"] if entry not in inherited]
        gaps += [f"{name}.{gap}" for gap in natspec_gaps(own, json.loads(output["metadata"]))]
    assert not gaps, "\n".join(gaps)


def record() -> None:
    """Writes tests/contracts/recorded/ from a fresh build of the current sources."""
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        build(directory)
        RECORDED.mkdir(exist_ok=True)
        for name, interface in compiled_interfaces(directory).items():
            (RECORDED / f"{name}.json").write_text(json.dumps(interface, indent=2) + "\n")
            print(f"recorded {name}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.contracts.test_artifacts --record")
    record()
