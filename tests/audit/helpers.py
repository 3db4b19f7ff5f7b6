"""Reviews anchored through the real API and worker; the CLI run as a user runs it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from dentareview.cli import app
from tests.api.system import System, new_wallet
from tests.support.siwe import signed_in

runner = CliRunner()


@dataclass
class Posted:
    id: int
    patient: LocalAccount
    dentist: LocalAccount
    visit: dict[str, Any]
    message: dict[str, Any]


def post_review(
    system: System,
    *,
    dentist: LocalAccount | None = None,
    patient: LocalAccount | None = None,
    **fields: Any,
) -> Posted:
    dentist = dentist or system.new_dentist()
    patient = patient or new_wallet()
    visit = system.attested_visit(dentist, patient)
    message = system.review_message(visit, **fields)
    response = system.post_review(patient, message)
    assert response.status_code == 202, response.text
    return Posted(response.json()["id"], patient, dentist, visit, message)


def proof_of(system: System, posted: Posted) -> dict[str, Any]:
    """The full proof, as the review's patient gets it: signed in with the patient's wallet."""
    client = signed_in(TestClient(system.client.app), posted.patient)
    response = client.get(f"/v1/me/reviews/{posted.id}/proof")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def public_proof_of(system: System, review_id: int) -> dict[str, Any]:
    """The public proof anyone gets."""
    response = system.client.get(f"/v1/reviews/{review_id}/proof")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def verify(system: System, proof: dict[str, Any], tmp_path: Path, *extra: str) -> Result:
    """`dentareview verify` against the deployment's registry, unless `extra` states one."""
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    trusted = [] if {"--registry", "--manifest"} & set(extra) else registry_option(system)
    return runner.invoke(
        app, ["verify", str(path), "--rpc-url", system.settings.rpc_url, *trusted, *extra]
    )


def registry_option(system: System) -> list[str]:
    return ["--registry", system.manifest.registry.address]


def verify_json(
    system: System, proof: dict[str, Any], tmp_path: Path
) -> tuple[int, dict[str, bool]]:
    """Exit code and {check name: ok}."""
    result = verify(system, proof, tmp_path, "--json")
    body = json.loads(result.stdout)
    return result.exit_code, {check["check"]: check["ok"] for check in body["checks"]}


def audit(system: System, *extra: str) -> Result:
    settings = system.settings
    return runner.invoke(
        app,
        [
            "audit",
            "--rpc-url",
            settings.rpc_url,
            "--data-dir",
            str(settings.data_dir),
            "--database-url",
            settings.resolved_database_url,
            *extra,
        ],
    )


def audit_json(system: System, *extra: str) -> tuple[int, dict[str, Any]]:
    result = audit(system, "--json", *extra)
    assert result.exit_code in (0, 1), result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, body
