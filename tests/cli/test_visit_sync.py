"""`dentareview visit sync`: a practice system's FHIR Bundle or CSV, signed with the
practice's key (no wallet prompt) and imported into the real service on a real Anvil,
all or nothing, on SQLite and PostgreSQL; the same file twice adds nothing."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex

from dentareview.db.queries.invitations import get_invitation
from dentareview.domain.visit_import import NO_ACCOUNT, derive_visit_id
from tests.api.system import new_wallet
from tests.reliability.service import (
    DENTAREVIEW,
    Service,
    deployed_stack,
    postgres_stack,
    running,
)
from tests.support.anvil import AnvilNode
from tests.web.conftest import WebSystem

FHIR_DAY = Path(__file__).parents[1] / "domain" / "fixtures" / "day_bundle.json"
ENCOUNTER = "Encounter?http://clinic.example/encounters|ENC-e1"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def system(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WebSystem]:
    data_dir = tmp_path_factory.mktemp(f"visit-sync-{request.param}")
    chain = AnvilNode()
    chain.start()
    try:
        with ExitStack() as stack:
            if request.param == "sqlite":
                deployed = stack.enter_context(
                    deployed_stack(chain, data_dir, f"sqlite:///{data_dir / 'dentareview.db'}")
                )
            else:
                deployed = stack.enter_context(postgres_stack(chain, data_dir))
            service = Service(deployed.env(), log_path=data_dir / "service.log")
            stack.enter_context(running(service))
            yield WebSystem(deployed, service)
    finally:
        chain.stop()


def sync(system: WebSystem, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
    return subprocess.run(
        [DENTAREVIEW, "visit", "sync", *args, "--api-url", system.url],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def hex_key(account: LocalAccount) -> str:
    return "0x" + bytes(account.key).hex()


def recorded(system: WebSystem, visit_id: bytes) -> bool:
    response = httpx.get(f"{system.url}/v1/visits/{encode_hex(visit_id)}/invitation", timeout=10)
    return response.status_code == 200


def test_a_fhir_day_is_imported_once_with_its_invitation(system: WebSystem) -> None:
    dentist = system.new_dentist("Harbour Dental")
    first = sync(system, str(FHIR_DAY), "--key-env", "PRACTICE_KEY", PRACTICE_KEY=hex_key(dentist))
    assert first.returncode == 0, first.stderr
    assert "imported 2, already there 0, left out 2" in first.stdout
    assert "left out: entry 6 (Encounter/e2): status planned, not finished" in first.stderr
    assert hex_key(dentist)[2:] not in first.stdout + first.stderr  # never printed
    encounter = derive_visit_id(dentist.address, ENCOUNTER)
    assert recorded(system, encounter)
    assert recorded(system, derive_visit_id(dentist.address, "Appointment/a1"))
    with system.stack.sessions() as session:
        invitation = get_invitation(session, visit_id=encode_hex(encounter))
        assert invitation is not None and invitation.email == "pat.one@example.org"

    again = sync(system, str(FHIR_DAY), "--key-env", "PRACTICE_KEY", PRACTICE_KEY=hex_key(dentist))
    assert again.returncode == 0, again.stderr
    assert "imported 0, already there 2, left out 2" in again.stdout


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_one(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    key_file = tmp_path / "practice.key"
    key_file.write_text(hex_key(dentist) + "\n", encoding="utf-8")
    patient = new_wallet().address
    future = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86_400))
    bad = write(
        tmp_path / "visits.csv",
        [
            "Visit Ref,Patient Account,Visited At,Email",
            f"V-1,{patient},2026-11-02T09:30:00Z,pat@example.org",
            f",{patient},2026-11-02,",
            "V-3,,2026-11-02,",
            f"V-4,{patient},last tuesday,",
            f"V-5,{patient},{future},",
            f"V-1,{patient},2026-11-02,",
        ],
    )
    done = sync(system, str(bad), "--key-file", str(key_file))
    assert done.returncode == 1
    assert "line 3, visit_ref: missing" in done.stderr
    assert f"line 4, patient_account: {NO_ACCOUNT}" in done.stderr
    assert "line 5, visited_at: not a date or time: 'last tuesday'" in done.stderr
    assert "line 6, visited_at: the visit is in the future" in done.stderr
    assert "line 7, visit: the same visit as line 2 (V-1)" in done.stderr
    assert "5 problems" in done.stderr and "nothing was imported" in done.stderr
    assert not recorded(system, derive_visit_id(dentist.address, "V-1"))

    good = write(
        tmp_path / "fixed.csv",
        ["visit_ref,patient_account,visited_at,email", f"V-1,{patient},2026-11-02T09:30:00Z,"],
    )
    checked = sync(system, str(good), "--dry-run", "--dentist", dentist.address)
    assert checked.returncode == 0, checked.stderr
    assert "1 visits ready, 0 left out (dry run: nothing signed or sent)" in checked.stdout
    assert not recorded(system, derive_visit_id(dentist.address, "V-1"))
    imported = sync(system, str(good), "--key-file", str(key_file))
    assert imported.returncode == 0, imported.stderr
    assert "imported 1, already there 0" in imported.stdout


def test_a_changed_visit_is_a_conflict_and_the_rest_waits(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    patient = new_wallet().address
    header = "visit_ref,patient_account,visited_at"
    key = {"PRACTICE_KEY": hex_key(dentist)}
    first = write(tmp_path / "a.csv", [header, f"V-1,{patient},2026-11-02T09:30:00Z"])
    assert sync(system, str(first), "--key-env", "PRACTICE_KEY", **key).returncode == 0
    changed = write(
        tmp_path / "b.csv",
        [header, f"V-2,{patient},2026-11-03", f"V-1,{patient},2026-11-02T10:30:00Z"],
    )
    done = sync(system, str(changed), "--key-env", "PRACTICE_KEY", **key)
    assert done.returncode == 1
    assert "line 3 (V-1): VISIT_CONFLICT" in done.stderr
    assert "1 of 2 visits were refused; none was imported" in done.stderr
    assert not recorded(system, derive_visit_id(dentist.address, "V-2"))


def test_signing_over_the_local_deployment_domain(system: WebSystem) -> None:
    dentist = system.new_dentist("Harbour Dental")
    done = sync(
        system,
        str(FHIR_DAY),
        "--key-env",
        "PRACTICE_KEY",
        "--domain-from",
        "local",
        "--rpc-url",
        system.rpc_url,
        "--data-dir",
        str(system.stack.settings.data_dir),
        PRACTICE_KEY=hex_key(dentist),
    )
    assert done.returncode == 0, done.stderr
    assert "imported 2" in done.stdout


def test_key_and_file_problems_are_said_plainly(system: WebSystem, tmp_path: Path) -> None:
    neither = sync(system, str(FHIR_DAY))
    assert neither.returncode == 1
    assert "--key-file PATH" in neither.stderr
    bad_key = tmp_path / "bad.key"
    bad_key.write_text("0x1234", encoding="utf-8")
    refused = sync(system, str(FHIR_DAY), "--key-file", str(bad_key))
    assert refused.returncode == 1 and "does not hold a private key" in refused.stderr
    assert "0x1234" not in refused.stderr
    broken = write(tmp_path / "broken.json", ['{"resourceType": "Patient"}'])
    unregistered = new_wallet()
    done = sync(system, str(broken), "--key-env", "K", K=hex_key(unregistered))
    assert done.returncode == 1
    assert "bundle, resourceType: not a FHIR Bundle" in done.stderr
    stranger = sync(system, str(FHIR_DAY), "--key-env", "K", K=hex_key(unregistered))
    assert stranger.returncode == 1
    assert "UNKNOWN_DENTIST" in stranger.stderr
    assert "none was imported" in stranger.stderr
    assert hex_key(unregistered)[2:] not in stranger.stdout + stranger.stderr


def test_a_visit_signing_key_the_dentist_authorised_syncs_for_the_dentist(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    key_file = tmp_path / "visits.key"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}

    def visit_key(*args: str) -> None:
        done = subprocess.run(
            [DENTAREVIEW, "visit-key", *args, "--dentist", dentist.address]
            + ["--api-url", system.url],
            env={**clean, "DENTIST_KEY": hex_key(dentist)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    visit_key("new", "--out", str(key_file))
    visit_key("authorize", "--key-file", str(key_file), "--dentist-key-env", "DENTIST_KEY")
    args = [str(FHIR_DAY), "--key-file", str(key_file), "--dentist", dentist.address]
    deadline = time.monotonic() + 90  # the service's worker puts the grant on-chain
    while (done := sync(system, *args)).returncode != 0:
        assert "VISIT_SIGNER_NOT_ACTIVE" in done.stderr, done.stderr
        assert time.monotonic() < deadline, "the key never became active"
        time.sleep(1)
    assert "imported 2, already there 0, left out 2" in done.stdout
    assert recorded(system, derive_visit_id(dentist.address, ENCOUNTER))
