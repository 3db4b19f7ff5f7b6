"""Prove that the registry and the token at published addresses run the published sources.

The shipped standard-JSON input (sources and settings) is compiled again through
py-solc-x with the recorded compiler; the result must equal the shipped artifacts,
and each address's code (eth_getCode) must equal the compiled runtime byte for byte,
metadata hash included, immutables aside: what Sourcify calls a full match.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import solcx
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.exceptions import Web3Exception

from dentareview.audit.bytecode import Comparison, Match, Span, compare_runtime, immutable_spans
from dentareview.audit.solc import Solc
from dentareview.audit.trusted_registry import TrustedRegistry
from dentareview.audit.verify.checks import Check
from dentareview.chain.artifacts import ContractArtifact, load_artifact
from dentareview.chain.registry import RegistryContract

# The deployed contracts by their role, the order they are checked in.
CONTRACTS: dict[str, str] = {"registry": "ReviewRegistry", "token": "RewardToken"}
_OUTPUTS = ["evm.bytecode.object", "evm.deployedBytecode.object"]
_IMMUTABLES = "evm.deployedBytecode.immutableReferences"


@dataclass(frozen=True)
class Compiled:
    name: str
    creation: bytes
    runtime: bytes
    immutables: list[Span]


def recompile(
    solc: Solc, standard_input: dict[str, Any], artifacts: list[ContractArtifact]
) -> dict[str, Compiled]:
    """Each artifact's contract compiled from `standard_input` by `solc` (SolcError if it fails)."""
    selection: dict[str, dict[str, list[str]]] = {}
    for artifact in artifacts:
        selection.setdefault(artifact.source_name, {})[artifact.name] = [*_OUTPUTS, _IMMUTABLES]
    request = {
        **standard_input,
        "settings": {**standard_input["settings"], "outputSelection": selection},
    }
    output = solcx.compile_standard(request, solc_binary=solc.path)
    compiled: dict[str, Compiled] = {}
    for artifact in artifacts:
        evm = output["contracts"][artifact.source_name][artifact.name]["evm"]
        compiled[artifact.name] = Compiled(
            artifact.name,
            bytes.fromhex(evm["bytecode"]["object"]),
            bytes.fromhex(evm["deployedBytecode"]["object"]),
            immutable_spans(evm["deployedBytecode"].get("immutableReferences", {})),
        )
    return compiled


def build_check(compiled: dict[str, Compiled], artifacts: list[ContractArtifact]) -> Check:
    """The shipped sources compile to exactly the shipped artifacts (creation and runtime)."""
    stale = [
        artifact.name
        for artifact in artifacts
        if compiled[artifact.name].creation != bytes.fromhex(artifact.bytecode.removeprefix("0x"))
        or compiled[artifact.name].runtime
        != bytes.fromhex(artifact.deployed_bytecode.removeprefix("0x"))
    ]
    if stale:
        return Check(
            "build",
            False,
            f"the shipped sources do not compile to the shipped artifacts of {', '.join(stale)}",
        )
    sizes = ", ".join(f"{name} {compiled[name].runtime.__len__():,} bytes" for name in compiled)
    return Check(
        "build",
        True,
        f"the shipped sources compile to the shipped artifacts byte for byte ({sizes} of runtime)",
    )


@dataclass
class ContractsReport:
    chain_id: int
    compiler: Solc
    addresses: dict[str, str | None]  # by role; None when it could not be found
    checks: list[Check] = field(default_factory=list)
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    compile_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "chainId": self.chain_id,
            "compiler": {"version": self.compiler.version, "origin": self.compiler.origin},
            "addresses": self.addresses,
            "checks": [check.to_json() for check in self.checks],
            "bytecode": {
                role: {
                    "match": comparison.match.value,
                    "deployedBytes": comparison.deployed_size,
                    "compiledBytes": comparison.compiled_size,
                    "immutableBytes": comparison.masked_bytes,
                }
                for role, comparison in self.comparisons.items()
            },
            "compileSeconds": round(self.compile_seconds, 2),
        }


def _code_checks(
    w3: Web3, role: str, address: str, compiled: Compiled, report: ContractsReport
) -> None:
    code = bytes(w3.eth.get_code(to_checksum_address(address)))
    if not code:
        report.checks.append(
            Check(
                f"{role}-code",
                False,
                f"no code at {address} on chain {report.chain_id}: nothing is deployed there "
                "(wrong address, or another chain)",
            )
        )
        return
    report.checks.append(
        Check(f"{role}-code", True, f"{address} holds {len(code):,} bytes of code")
    )
    comparison = compare_runtime(compiled.runtime, code, compiled.immutables)
    report.comparisons[role] = comparison
    report.checks.append(
        Check(
            f"{role}-bytecode", comparison.match is Match.FULL, comparison.describe(compiled.name)
        )
    )


def _token_address(w3: Web3, trusted: TrustedRegistry, report: ContractsReport) -> str | None:
    """The token to check: the manifest's, which the verified registry must pay with; without a
    manifest, the one the verified registry pays with."""
    registry_ok = (
        report.comparisons.get("registry") is not None
        and report.comparisons["registry"].match is Match.FULL
    )
    if not registry_ok:
        if trusted.token is not None:
            return trusted.token
        report.checks.append(
            Check(
                "token-address",
                False,
                "the token is read from the registry, and the registry is not the published code",
            )
        )
        return None
    paid_with = to_checksum_address(RegistryContract(w3, trusted.address).token_address())
    if trusted.token is None:
        report.checks.append(
            Check("token-address", True, f"{paid_with}, read from the registry's rewardToken()")
        )
        return paid_with
    same = paid_with == trusted.token
    detail = (
        f"{trusted.token}: the manifest's, and the one the registry pays rewards with"
        if same
        else f"the manifest names {trusted.token}, the registry pays rewards with {paid_with}"
    )
    report.checks.append(Check("token-address", same, detail))
    return trusted.token


def verify_deployed(
    w3: Web3, trusted: TrustedRegistry, solc: Solc, standard_input: dict[str, Any], chain_id: int
) -> ContractsReport:
    """Recompile, then compare the code at the registry and its token (raises SolcError,
    Web3Exception or OSError when a check cannot be made at all)."""
    artifacts = [load_artifact(name) for name in CONTRACTS.values()]
    report = ContractsReport(chain_id, solc, {"registry": trusted.address, "token": None})
    if trusted.chain_id is not None and trusted.chain_id != chain_id:
        report.checks.append(
            Check(
                "chain",
                False,
                f"the manifest {trusted.manifest} is for chain {trusted.chain_id}, "
                f"the node is chain {chain_id}",
            )
        )
    started = time.perf_counter()
    compiled = recompile(solc, standard_input, artifacts)
    report.compile_seconds = time.perf_counter() - started
    report.checks.append(build_check(compiled, artifacts))
    _code_checks(w3, "registry", trusted.address, compiled[CONTRACTS["registry"]], report)
    try:
        token = _token_address(w3, trusted, report)
    except Web3Exception as error:
        report.checks.append(
            Check("token-address", False, f"the registry's rewardToken() failed: {error}")
        )
        token = None
    report.addresses["token"] = token
    if token is not None:
        _code_checks(w3, "token", token, compiled[CONTRACTS["token"]], report)
    return report
