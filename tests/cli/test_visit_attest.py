"""`dentareview visit attest --csv`: the dentist's key from the environment or an
encrypted keystore, each visit signed and posted to the real service on a real Anvil,
the invitation links printed or written to a CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from tests.api.system import new_wallet
from tests.reliability.service import DENTAREVIEW
from tests.web.conftest import WebSystem, web_system

NOW = int(time.time())


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSystem]:
    with web_system(tmp_path_factory.mktemp("cli-visits")) as running:
        yield running


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
    return subprocess.run(
        [DENTAREVIEW, "visit", "attest", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(["patient,visited_at", *rows]) + "\n", encoding="utf-8")
    return path


def test_attest_from_env_key_writes_links_that_open_each_visit(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    patients = [new_wallet() for _ in range(3)]
    visits = write_csv(
        tmp_path / "visits.csv",
        [
            f"{patients[0].address},{NOW - 3600}",
            f"{patients[1].address.lower()},2026-11-01T09:30:00Z",
            f"{patients[2].address},2026-11-02",
        ],
    )
    out = tmp_path / "links.csv"
    key = "0x" + bytes(dentist.key).hex()
    done = run(
        [
            "--csv",
            str(visits),
            "--out",
            str(out),
            "--key-env",
            "PRACTICE_KEY",
            "--api-url",
            system.url,
        ],
        PRACTICE_KEY=key,
    )
    assert done.returncode == 0, done.stderr
    assert key[2:] not in done.stdout + done.stderr  # the key is never echoed
    assert "3 of 3 visits recorded" in done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["result"] for r in rows] == ["recorded"] * 3
    for row, patient in zip(rows, patients, strict=True):
        assert row["invitation_link"] == f"{system.url}/invite/{row['visit_id']}"
        visit = system.api_get(f"/v1/visits/{row['visit_id']}", wallet=dentist)
        assert visit["patient"] == patient.address
        assert visit["dentist"] == dentist.address
        assert visit["visitedAt"] == int(row["visited_at"])
        # The link is the patient's page.
        page = httpx.get(row["invitation_link"], timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert int(rows[1]["visited_at"]) == 1793525400  # 2026-11-01T09:30:00Z
    assert int(rows[2]["visited_at"]) == 1793577600  # 2026-11-02 at midnight UTC


def test_attest_from_keystore_prints_links_and_reports_bad_lines(
    system: WebSystem, tmp_path: Path
) -> None:
    dentist = system.new_dentist("Harbour Dental")
    keystore = tmp_path / "dentist.json"
    keystore.write_text(json.dumps(Account.encrypt(dentist.key, "correct horse", iterations=2)))
    patient = new_wallet()
    visits = write_csv(
        tmp_path / "visits.csv",
        [
            f"{patient.address},{NOW - 60}",
            "0x1234,2026-11-01",
            f"{new_wallet().address},{NOW + 86_400}",
            f"{dentist.address},{NOW - 60}",
        ],
    )
    done = run(
        [
            "--csv",
            str(visits),
            "--keystore",
            str(keystore),
            "--password-env",
            "KS_PASSWORD",
            "--api-url",
            system.url,
            "--link-base",
            "https://reviews.example",
        ],
        KS_PASSWORD="correct horse",
    )
    assert done.returncode == 1, done.stderr  # not every line was recorded
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    results = [r["result"] for r in rows]
    assert results[0] == "recorded"
    assert rows[0]["invitation_link"] == f"https://reviews.example/invite/{rows[0]['visit_id']}"
    assert results[1].startswith("not sent: the patient's wallet is not a 0x address")
    assert results[2].startswith("VISIT_IN_FUTURE")
    assert results[3].startswith("SELF_REVIEW")
    assert "1 of 4 visits recorded" in done.stderr


def test_key_problems_are_said_plainly(system: WebSystem, tmp_path: Path) -> None:
    visits = write_csv(tmp_path / "visits.csv", [f"{new_wallet().address},{NOW - 60}"])
    missing = run(["--csv", str(visits), "--key-env", "NOPE", "--api-url", system.url])
    assert missing.returncode == 1
    assert "environment variable NOPE (the dentist key) is not set" in missing.stderr
    neither = run(["--csv", str(visits), "--api-url", system.url])
    assert "--key-env NAME or --keystore PATH" in neither.stderr
    keystore = tmp_path / "k.json"
    keystore.write_text(json.dumps(Account.encrypt(new_wallet().key, "right", iterations=2)))
    wrong = run(
        [
            "--csv",
            str(visits),
            "--keystore",
            str(keystore),
            "--password-env",
            "PW",
            "--api-url",
            system.url,
        ],
        PW="wrong",
    )
    assert wrong.returncode == 1
    assert "wrong password or not a keystore" in wrong.stderr
    # An unregistered wallet's visits are refused by the service, line by line.
    stranger = run(
        ["--csv", str(visits), "--key-env", "K", "--api-url", system.url],
        K="0x" + bytes(new_wallet().key).hex(),
    )
    assert stranger.returncode == 1
    assert "UNKNOWN_DENTIST" in stranger.stdout
