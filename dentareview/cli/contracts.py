"""`dentareview verify-contracts`: the code at the published addresses is the published sources."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from solcx.exceptions import SolcError
from web3.exceptions import Web3Exception

from dentareview.audit.contract_code import ContractsReport, verify_deployed
from dentareview.audit.rpc import counting_web3, format_calls, rpc_calls
from dentareview.audit.solc import CompilerNotFound, find_solc
from dentareview.audit.trusted_registry import UntrustedRegistry, trusted_registry
from dentareview.chain.artifacts import ArtifactError, load_artifact, load_standard_json_input
from dentareview.chain.client import chain_id_or_none
from dentareview.cli.auditor import (
    CANNOT_RUN,
    JsonOption,
    ManifestOption,
    RegistryOption,
    print_checks,
)
from dentareview.cli.common import (
    fail,
    with_settings,
)
from dentareview.config import Settings
from dentareview.redaction import display_url

SolcOption = Annotated[
    Path | None,
    typer.Option(
        "--solc",
        help="A solc executable of the recorded version (default: one py-solc-x installed, "
        "`solc` on PATH, else the project's npm solc on Node)",
        show_default=False,
    ),
]


def _header(report: ContractsReport, registry: str, seconds: float) -> str:
    token = report.addresses["token"] or "unknown"
    return (
        f"Contracts on chain {report.chain_id}: registry {registry}, token {token}\n"
        f"Compiler: solc {report.compiler.version}, {report.compiler.origin}; "
        f"compiled in {report.compile_seconds:.1f} s, checked in {seconds:.1f} s"
    )


@with_settings("rpc")
def verify_contracts_command(
    settings: Settings,
    registry: RegistryOption = None,
    manifest: ManifestOption = None,
    solc: SolcOption = None,
    as_json: JsonOption = False,
) -> None:
    """Prove that the registry and its token run exactly the published sources: recompile
    them with the recorded compiler and settings and compare the code on-chain, metadata
    hash included (a full match). Exit 0 if every check holds, 1 if one fails, 2 if the
    check cannot be made."""
    started = time.perf_counter()
    try:
        trusted = trusted_registry(registry=registry, manifest=manifest)
    except UntrustedRegistry as error:
        raise fail(str(error), CANNOT_RUN) from None
    try:
        standard_input = load_standard_json_input()
        version = load_artifact("ReviewRegistry").compiler_version
    except ArtifactError as error:
        raise fail(str(error), CANNOT_RUN) from None
    url = settings.rpc_url
    w3 = counting_web3(url)
    chain_id = chain_id_or_none(w3)
    if chain_id is None:
        raise fail(f"the node at {display_url(url)} does not answer", CANNOT_RUN)
    with tempfile.TemporaryDirectory(prefix="dentareview-solc-") as workdir:
        try:
            compiler = find_solc(version, Path(workdir), given=solc)
            report = verify_deployed(w3, trusted, compiler, standard_input, chain_id)
        except CompilerNotFound as error:
            raise fail(str(error), CANNOT_RUN) from None
        except SolcError as error:
            raise fail(f"solc {version} failed: {error.message}", CANNOT_RUN) from None
        except (OSError, Web3Exception) as error:
            raise fail(f"the node at {display_url(url)} failed: {error}", CANNOT_RUN) from None
    seconds = time.perf_counter() - started
    calls = rpc_calls(w3)
    if as_json:
        body = {**report.to_json(), "registry": trusted.to_json(), "rpcCalls": dict(calls)}
        typer.echo(json.dumps(body, indent=2))
    else:
        header = f"{_header(report, trusted.describe(), seconds)}"
        print_checks(report.checks, [], header, format_calls(calls))
    raise typer.Exit(0 if report.ok else 1)
