"""Run the reliability and security scenarios and record what they measured.

    python bench/reliability/run.py

Runs tests/reliability and tests/security (real Anvil, PostgreSQL, uvicorn
workers), which record their figures into bench/results/reliability.json; then
renders bench/results/reliability.md from it.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"


def render(figures: dict[str, dict[str, object]]) -> str:
    lines = [
        "# Reliability and security scenarios",
        "",
        "Measured by `python bench/reliability/run.py` (the tests of tests/reliability and",
        f"tests/security) on {os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "`duplicates` counts second anchors or second rewards of one review: always 0.",
        "",
        "| scenario | figures |",
        "|---|---|",
    ]
    for name, numbers in sorted(figures.items()):
        shown = ", ".join(f"{key} {json.dumps(value)}" for key, value in sorted(numbers.items()))
        lines.append(f"| {name} | {shown} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / "reliability.json"
    target.unlink(missing_ok=True)
    env = {**os.environ, "DENTAREVIEW_RELIABILITY_RESULTS": str(target)}
    command = [sys.executable, "-m", "pytest", "-q", "tests/reliability", "tests/security"]
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if target.exists():
        (RESULTS / "reliability.md").write_text(render(json.loads(target.read_text())))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
