"""A day of 200 visits imported from FHIR and invited, and the wallet prompts it took.

Against the real service (`dentareview serve`, SQLite, one worker) on Anvil: a FHIR R4
Bundle of 200 finished Encounters, each patient with a DentaReview account and an email,
run through `dentareview visit sync` with the practice's key (wall time of the whole
command: reading, signing 200 Visits, one import, its answer). Then the same file again
(idempotent: nothing added). Each round uses a fresh practice (the daily visit limit
is 200 per dentist). The invitations queued are counted in the database; the wallet
prompts are the signatures asked of a wallet rather than made by the key in the
command: none.

    python bench/visit_import.py            # writes bench/results/visit_import.{json,md}
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from dentareview.cli.visits import signed_entries  # noqa: E402
from dentareview.db.models import InvitationRow  # noqa: E402
from dentareview.domain.fhir_visits import parse_fhir_bundle  # noqa: E402
from dentareview.domain.models import Eip712Domain  # noqa: E402
from dentareview.domain.visit_import import plan_visits  # noqa: E402
from tests.api.system import new_wallet  # noqa: E402
from tests.reliability.service import (  # noqa: E402
    DENTAREVIEW,
    Service,
    Stack,
    deployed_stack,
    running,
)
from tests.support.anvil import AnvilNode  # noqa: E402

VISITS = 200
ROUNDS = 3
RESULTS = PROJECT / "bench" / "results"


def day_bundle(visits: int, day_end: int) -> dict[str, Any]:
    """A practice system's export of one day: Patients and their finished Encounters."""
    entries: list[dict[str, Any]] = []
    for number in range(visits):
        pid, eid = f"p{number}", f"e{number}"
        end = day_end - (visits - number) * 120
        entries.append(
            {
                "fullUrl": f"https://clinic.example/fhir/Patient/{pid}",
                "resource": {
                    "resourceType": "Patient",
                    "id": pid,
                    "identifier": [
                        {
                            "system": "https://dentareview.org/fhir/account",
                            "value": new_wallet().address,
                        }
                    ],
                    "telecom": [{"system": "email", "value": f"patient{number}@example.org"}],
                },
            }
        )
        entries.append(
            {
                "fullUrl": f"https://clinic.example/fhir/Encounter/{eid}",
                "resource": {
                    "resourceType": "Encounter",
                    "id": eid,
                    "status": "finished",
                    "identifier": [{"system": "http://clinic.example/encounters", "value": eid}],
                    "class": {
                        "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                        "code": "AMB",
                    },
                    "subject": {"reference": f"Patient/{pid}"},
                    "period": {
                        "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end - 1800)),
                        "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(end)),
                    },
                },
            }
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_sync(service: Service, bundle: Path, key: str) -> tuple[float, float, str]:
    """Wall time, the command's CPU seconds, and its summary line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DENTAREVIEW_")}
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [DENTAREVIEW, "visit", "sync", str(bundle), "--key-env", "PRACTICE_KEY"]
        + ["--api-url", service.url],
        env={**env, "PRACTICE_KEY": key},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"visit sync failed: {done.stderr}")
    return elapsed, children_cpu() - cpu, done.stdout.strip()


def steps(stack: Stack, service: Service, bundle: Path) -> dict[str, float]:
    """The command's steps timed in this process (no start-up): parse, sign, import."""
    dentist = stack.new_dentist()
    started = time.perf_counter()
    parsed = parse_fhir_bundle(bundle.read_text())
    planned, errors = plan_visits(parsed.records, dentist=dentist.address, now=int(time.time()))
    assert not errors and len(planned) == VISITS
    parsed_at = time.perf_counter()
    domain = Eip712Domain(
        chain_id=stack.manifest.chain_id, verifying_contract=stack.manifest.registry.address
    )
    entries = signed_entries(planned, dentist, domain)
    signed_at = time.perf_counter()
    response = httpx.post(
        f"{service.url}/v1/practice/visits/import", json={"visits": entries}, timeout=300
    )
    assert response.status_code == 200, response.text
    done_at = time.perf_counter()
    return {
        "parse_seconds": round(parsed_at - started, 3),
        "sign_seconds": round(signed_at - parsed_at, 3),
        "import_request_seconds": round(done_at - signed_at, 3),
    }


def queued_invitations(stack: Stack, dentist: str) -> int:
    with stack.sessions() as session:
        stmt = select(func.count()).where(
            InvitationRow.dentist == dentist, InvitationRow.email.is_not(None)
        )
        return int(session.scalar(stmt) or 0)


def main() -> dict[str, Any]:
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        chain = AnvilNode()
        chain.start()
        try:
            with deployed_stack(chain, workdir, f"sqlite:///{workdir / 'bench.db'}") as stack:
                service = Service(stack.env(), log_path=workdir / "service.log")
                with running(service):
                    for number in range(ROUNDS):
                        dentist = stack.new_dentist()
                        bundle = workdir / f"day{number}.json"
                        bundle.write_text(json.dumps(day_bundle(VISITS, int(time.time()) - 60)))
                        key = "0x" + bytes(dentist.key).hex()
                        first, first_cpu, said = run_sync(service, bundle, key)
                        again, _, said_again = run_sync(service, bundle, key)
                        rounds.append(
                            {
                                "import_seconds": round(first, 3),
                                "import_cpu_seconds": round(first_cpu, 3),
                                "rerun_seconds": round(again, 3),
                                "summary": said,
                                "rerun_summary": said_again,
                                "invitations_queued": queued_invitations(stack, dentist.address),
                                "wallet_prompts": 0,
                            }
                        )
                    in_process = [steps(stack, service, bundle) for _ in range(ROUNDS)]
        finally:
            chain.stop()
    return {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        "visits": VISITS,
        "rounds": rounds,
        "import_median_seconds": round(statistics.median(r["import_seconds"] for r in rounds), 3),
        "rerun_median_seconds": round(statistics.median(r["rerun_seconds"] for r in rounds), 3),
        "steps_median": {
            name: round(statistics.median(step[name] for step in in_process), 3)
            for name in in_process[0]
        },
    }


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "visit_import.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = "\n".join(
        f"| {n} | {r['import_seconds']:.2f} s ({r['import_cpu_seconds']:.2f} s CPU) | "
        f"{r['rerun_seconds']:.2f} s | "
        f"{r['invitations_queued']} | {r['wallet_prompts']} | {r['rerun_summary']} |"
        for n, r in enumerate(result["rounds"], start=1)
    )
    steps = result["steps_median"]
    (RESULTS / "visit_import.md").write_text(
        f"""# A day of {result["visits"]} visits imported from FHIR and invited

```sh
python bench/visit_import.py
```

Measured {result["measured_at"]} ({result["machine"]}). `dentareview visit sync` on a FHIR R4
Bundle of {result["visits"]} finished Encounters (each patient with an account and an
email) against `dentareview serve` (SQLite, one worker) on Anvil, a fresh practice per
round; wall time of the whole command (start-up, parsing, signing every Visit with the
practice's key, one import, its answer), then the same file again.

| round | import | same file again | invitations queued | wallet prompts | second run |
|---:|---:|---:|---:|---:|---|
{rows}

Median: {result["import_median_seconds"]:.2f} s for the import,
{result["rerun_median_seconds"]:.2f} s for the re-run (which adds nothing).
The same steps in one process, without the command's start-up (median of
{len(result["rounds"])} fresh practices): parsing and checking the Bundle
{steps["parse_seconds"]:.2f} s, signing {result["visits"]} Visits
{steps["sign_seconds"]:.2f} s, the import request (every signature checked, one
transaction, {result["visits"]} invitations queued) {steps["import_request_seconds"]:.2f} s.
The rest of the command's wall time is its start-up and the wait for a CPU: the command
itself used the CPU seconds shown, on 2 cores shared with the service, Anvil and the load
noted above.

Wallet prompts: 0. Every Visit is signed by the key the command holds (the dentist's,
or a visit-signing key it authorised once); a browser wallet is asked nothing.
Attesting the same day from the practice page asks the wallet once per visit:
{result["visits"]} prompts.
"""
    )


if __name__ == "__main__":
    figures = main()
    write(figures)
    print(json.dumps(figures, indent=2))
