"""`dentareview verify` checks a proof against a registry the user states or trusts,
never against the one the proof names: anyone can deploy a look-alike registry,
sign a proof for it and anchor it there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from dentareview.cli import app
from tests.api.system import System
from tests.audit.helpers import Posted, post_review, proof_of, runner

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def anchored(system: System) -> Posted:
    posted = post_review(system)
    assert system.anchor().anchored == 1
    return posted


def _verify(system: System, proof: dict[str, Any], tmp_path: Path, *extra: str) -> Result:
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    return runner.invoke(app, ["verify", str(path), "--rpc-url", system.settings.rpc_url, *extra])


def _manifest(system: System) -> Path:
    return system.settings.deployments_dir / f"{system.manifest.chain_id}.json"


def test_without_a_stated_registry_verify_refuses_to_run(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    result = _verify(system, proof_of(system, anchored), tmp_path)
    assert result.exit_code == 2, result.output
    assert "--registry" in result.output and "--manifest" in result.output
    assert "VERIFIED" not in result.output


def test_the_stated_registry_is_used_and_named(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    registry = system.manifest.registry.address
    result = _verify(
        system, proof_of(system, anchored), tmp_path, "--registry", registry.lower()
    )
    assert result.exit_code == 0, result.output
    assert f"Registry: {registry} (stated with --registry)" in result.output
    assert "VERIFIED" in result.output


def test_a_trusted_manifest_gives_the_registry_and_is_named(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    manifest = _manifest(system)
    result = _verify(system, proof_of(system, anchored), tmp_path, "--manifest", str(manifest))
    assert result.exit_code == 0, result.output
    registry = system.manifest.registry.address
    chain = system.manifest.chain_id
    assert f"Registry: {registry} (from the manifest {manifest}, chain {chain})" in result.output

    as_json = _verify(
        system, proof_of(system, anchored), tmp_path, "--manifest", str(manifest), "--json"
    )
    body = json.loads(as_json.stdout)
    assert body["ok"] is True
    assert body["registry"] == {
        "address": registry,
        "source": "manifest",
        "manifest": str(manifest),
        "chainId": chain,
    }


def test_a_proof_for_a_look_alike_registry_fails_against_the_manifest(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    trusted = tmp_path / "trusted.json"
    data = json.loads(_manifest(system).read_text())
    data["registry"]["address"] = "0x" + "11" * 20  # the real one; the proof names another
    trusted.write_text(json.dumps(data))
    result = _verify(system, proof_of(system, anchored), tmp_path, "--manifest", str(trusted))
    assert result.exit_code == 1, result.output
    assert "FAIL  domain" in result.output


def test_a_manifest_of_another_chain_fails(
    system: System, anchored: Posted, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    data = json.loads(_manifest(system).read_text())
    data["chain_id"] = 1
    other.write_text(json.dumps(data))
    result = _verify(system, proof_of(system, anchored), tmp_path, "--manifest", str(other))
    assert result.exit_code == 1, result.output
    assert "FAIL  registry" in result.output
    assert "chain 1" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--registry", "0x1234"], "not an address"),
        (["--manifest", "missing.json"], "cannot read"),
        (["--manifest", "broken.json"], "not a deployment manifest"),
        (["--registry", "0x" + "22" * 20, "--manifest", "MANIFEST"], "disagree"),
    ],
    ids=["bad address", "missing manifest", "broken manifest", "disagreeing"],
)
def test_a_registry_that_cannot_be_trusted_stops_verify(
    system: System, anchored: Posted, tmp_path: Path, extra: list[str], message: str
) -> None:
    (tmp_path / "broken.json").write_text('{"chain_id": 31337}')
    extra = [
        str(_manifest(system))
        if e == "MANIFEST"
        else str(tmp_path / e)
        if e.endswith(".json")
        else e
        for e in extra
    ]
    result = _verify(system, proof_of(system, anchored), tmp_path, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
