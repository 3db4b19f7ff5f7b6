"""Compiled contract artifacts shipped inside the package.

The JSON files next to this module are written by `npm run artifacts` from the
Solidity sources; a test rebuilds them and fails if they differ.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


class ArtifactError(Exception):
    """An artifact is missing or malformed."""


@dataclass(frozen=True)
class ContractArtifact:
    """ABI, bytecode and compiler provenance of one deployable contract."""

    name: str
    source_name: str  # e.g. contracts/ReviewRegistry.sol
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str
    compiler_version: str
    compiler_settings: dict[str, Any]


_PACKAGE = "dentareview.chain"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@cache
def _read_text(name: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise ArtifactError(f"{name!r} is not a contract name")
    resource = resources.files(_PACKAGE).joinpath("artifacts", f"{name}.json")
    if not resource.is_file():
        raise ArtifactError(f"no artifact for contract {name!r}: run `npm run artifacts`")
    return resource.read_text(encoding="utf-8")


def _read(name: str) -> dict[str, Any]:
    # Parsed afresh on each call, so callers never share (and cannot corrupt) one ABI object.
    data = json.loads(_read_text(name))
    if not isinstance(data, dict):
        raise ArtifactError(f"artifact {name!r} is not a JSON object")
    return data


def load_artifact(name: str) -> ContractArtifact:
    """The shipped artifact of the contract called `name` (e.g. "ReviewRegistry")."""
    data = _read(name)
    try:
        compiler = data["compiler"]
        return ContractArtifact(
            name=str(data["contractName"]),
            source_name=str(data["sourceName"]),
            abi=list(data["abi"]),
            bytecode=str(data["bytecode"]),
            deployed_bytecode=str(data["deployedBytecode"]),
            compiler_version=str(compiler["version"]),
            compiler_settings=dict(compiler["settings"]),
        )
    except (KeyError, TypeError) as error:
        raise ArtifactError(f"artifact {name!r} is malformed: {error}") from error


def load_standard_json_input() -> dict[str, Any]:
    """The compiler's standard-JSON input the shipped artifacts were built from (sources and
    settings, no outputSelection): `npm run artifacts` writes it beside them."""
    resource = resources.files(_PACKAGE).joinpath("artifacts", "standard-json", "input.json")
    if not resource.is_file():
        raise ArtifactError("no standard-JSON input beside the artifacts: run `npm run artifacts`")
    data = json.loads(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise ArtifactError("the shipped standard-JSON input is malformed")
    return data
