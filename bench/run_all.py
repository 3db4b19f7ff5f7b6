"""`make bench`: the scale benchmarks in one run, side by side, with their targets.

1. gas per review (receipts): per-review mode, batch mode at N = 1, 16, 256, 1024 with
   the reward share apart, a Dentacoin-style baseline, the EAS reference;
2. intake: POST /v1/reviews per second and p50/p99 at 1, 8, 32 clients on PostgreSQL,
   beside a bare endpoint that only validates the body;
3. anchoring throughput on Anvil, per-review mode (pipelined) vs batch mode, the median
   of three runs each;
4. reputation query latency at 100k reviews;
5. full audit time at 100k reviews (bench/audit/run.py);
6. the rate limits' cost per write, shared in Redis vs in process memory.

Writes bench/results/scale.json and scale.md.  Run: python -m bench.run_all [--skip-audit]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scale import anchoring, audit_step, gas, intake, ratelimit, reputation
from bench.scale.report import render
from tests.support.anvil import PROJECT_ROOT, anvil_binary

RESULTS = PROJECT_ROOT / "bench" / "results"


def _environment() -> dict[str, Any]:
    anvil = subprocess.run([anvil_binary(), "--version"], capture_output=True, text=True)
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip() if sys.platform != "win32" else ""
    import os

    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "anvil": anvil.stdout.splitlines()[0].strip() if anvil.stdout else "?",
        "postgresql_client": postgres,
    }


def _cpu_times() -> list[int]:
    """The machine's CPU time so far, in ticks: user, nice, system, idle, iowait, irq,
    softirq, steal (the first line of /proc/stat; empty where there is none)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return []
    return [int(value) for value in first[1:9]]


def _stolen_share(start: list[int], end: list[int]) -> float | None:
    """The share of the run's CPU time the hypervisor gave to other machines (steal)."""
    if len(start) < 8 or len(end) < 8:
        return None
    spent = [b - a for a, b in zip(start, end, strict=True)]
    return round(spent[7] / sum(spent), 3) if sum(spent) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-audit", action="store_true", help="leave out step 5")
    args = parser.parse_args(argv)
    started, cpu_at_start = time.perf_counter(), _cpu_times()
    results: dict[str, Any] = {"environment": _environment()}
    results["command"] = " ".join(["python -m bench.run_all", *(argv or sys.argv[1:])])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, step in (
            ("gas", gas.measure),
            ("intake", lambda: intake.measure(work)),
            ("anchoring", lambda: anchoring.measure(work)),
            ("reputation", lambda: reputation.measure(work)),
            ("ratelimit", ratelimit.measure),
        ):
            print(f"bench: {name} ...", flush=True)
            t0 = time.perf_counter()
            results[name] = step()
            print(f"bench: {name} done in {time.perf_counter() - t0:.0f} s", flush=True)
    if args.skip_audit:
        results["audit"] = {"status": "skipped", "reason": "--skip-audit"}
    else:
        print("bench: audit ...", flush=True)
        results["audit"] = audit_step.measure()
    results["total_seconds"] = round(time.perf_counter() - started)
    results["environment"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["environment"]["cpu_stolen"] = _stolen_share(cpu_at_start, _cpu_times())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "scale.md").write_text(render(results))
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
