"""`dentareview visit-key`: a practice system's key, written to a 0600 file, authorised by
the dentist's key, put on-chain by the running service, attesting visits with no wallet;
then revoked, refused at once. Never printed."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from tests.api.system import new_wallet
from tests.reliability.service import DENTAREVIEW, Service, deployed_stack, running
from tests.support.anvil import AnvilNode
from tests.support.wallet import sign_typed
from tests.web.conftest import WebSystem


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    data_dir = tmp_path_factory.mktemp("visit-key")
    chain = AnvilNode()
    chain.start()
    try:
        with ExitStack() as stack:
            deployed = stack.enter_context(
                deployed_stack(chain, data_dir, f"sqlite:///{data_dir / 'dentareview.db'}")
            )
            service = Service(deployed.env(), log_path=data_dir / "service.log")
            stack.enter_context(running(service))
            yield WebSystem(deployed, service)
    finally:
        chain.stop()


def visit_key(system: WebSystem, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
    return subprocess.run(
        [DENTAREVIEW, "visit-key", *args, "--api-url", system.url],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def post_key_visit(system: WebSystem, key_file: Path, dentist: str) -> httpx.Response:
    key = Account.from_key(key_file.read_text().strip())
    message = {
        "visitId": "0x" + os.urandom(32).hex(),
        "patient": new_wallet().address,
        "dentist": dentist,
        "visitedAt": int(time.time()) - 3600,
    }
    eip712 = httpx.get(f"{system.url}/v1/eip712", timeout=10).json()
    signature = sign_typed(key, eip712, "Visit", message)
    return httpx.post(
        f"{system.url}/v1/visits", json={"message": message, "signature": signature}, timeout=10
    )


def test_a_new_key_is_authorised_attests_visits_and_is_revoked(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    dentist_key = "0x" + bytes(dentist.key).hex()
    key_file = tmp_path / "visits.key"

    made = visit_key(system, "new", "--out", str(key_file), "--dentist", dentist.address)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = Account.from_key(key_file.read_text().strip())
    assert key.address in made.stdout and '"primaryType": "VisitSigner"' in made.stdout
    assert key_file.read_text().strip()[2:] not in made.stdout + made.stderr  # never printed
    again = visit_key(system, "new", "--out", str(key_file), "--dentist", dentist.address)
    assert again.returncode == 1 and "exists" in again.stderr  # a key is never overwritten

    authorised = visit_key(
        system, "authorize", "--key-file", str(key_file), "--dentist", dentist.address,
        "--dentist-key-env", "DENTIST_KEY", DENTIST_KEY=dentist_key,
    )  # fmt: skip
    assert authorised.returncode == 0, authorised.stderr
    assert f"key {key.address}: pending" in authorised.stdout
    assert dentist_key[2:] not in authorised.stdout + authorised.stderr

    deadline = time.monotonic() + 60  # the service's worker puts it on-chain
    while (answer := post_key_visit(system, key_file, dentist.address)).status_code != 201:
        assert answer.json()["error"]["code"] == "VISIT_SIGNER_NOT_ACTIVE", answer.text
        assert time.monotonic() < deadline, "the key never became active"
        time.sleep(0.5)

    revoked = visit_key(
        system, "revoke", "--key-file", str(key_file), "--dentist", dentist.address,
        "--dentist-key-env", "DENTIST_KEY", DENTIST_KEY=dentist_key,
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    assert f"key {key.address}: revoked" in revoked.stdout
    refused = post_key_visit(system, key_file, dentist.address)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "VISIT_SIGNER_REVOKED"

    # Another wallet's signature is refused, by the service, with its code.
    wrong = visit_key(
        system, "authorize", "--key-file", str(key_file), "--dentist", dentist.address,
        "--dentist-key-env", "OTHER", OTHER="0x" + bytes(new_wallet().key).hex(),
    )  # fmt: skip
    assert wrong.returncode == 1 and "not the dentist" in wrong.stderr
