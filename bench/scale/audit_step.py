"""Full audit at 100k reviews: runs the audit benchmark (bench/audit/run.py) when present.

That runner seeds 100k real anchored reviews and times `dentareview audit` on them. It
writes bench/results/audit.json and .md itself; those files are kept as they were (its
own command refreshes them), and this run's figures go into the scale results instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.support.anvil import PROJECT_ROOT

RUNNER = PROJECT_ROOT / "bench" / "audit" / "run.py"
RESULTS = PROJECT_ROOT / "bench" / "results"
REVIEWS = 100_000
TIMEOUT_SECONDS = 900


def measure() -> dict[str, Any]:
    if not RUNNER.exists():
        return {"status": "pending", "reason": "bench/audit/run.py (dentareview audit) absent"}
    kept = {
        name: (RESULTS / name).read_text() if (RESULTS / name).exists() else None
        for name in ("audit.json", "audit.md")
    }
    try:
        result = subprocess.run(
            [sys.executable, "-m", "bench.audit.run", "--reviews", str(REVIEWS),
             "--databases", "postgresql"],
            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=TIMEOUT_SECONDS,
        )
        if result.returncode != 0:
            return {"status": "failed", "stderr_tail": result.stderr.strip().splitlines()[-5:]}
        (run,) = json.loads((RESULTS / "audit.json").read_text())["runs"]
    except subprocess.TimeoutExpired:
        return {"status": "timed out", "timeout_seconds": TIMEOUT_SECONDS}
    finally:
        for name, text in kept.items():
            if text is not None:
                (RESULTS / name).write_text(text)
    audit = run["audits"]["postgresql"]
    return {
        "status": "ran",
        "reviews": run["reviews"],
        "audit_seconds": audit["audit_seconds"],
        "wall_seconds": audit["wall_seconds"],
        "ok": audit["ok"],
        "seed_seconds": run["seed_seconds"],
    }
