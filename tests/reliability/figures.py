"""Measured figures of the reliability and security scenarios.

Each scenario records what it counted (requests sent, accepted, refused by code,
anchored, rewards minted, duplicates). They are printed at the end of the run and,
when DENTAREVIEW_RELIABILITY_RESULTS names a JSON file, merged into it
(`bench/reliability/run.py` does that for bench/results/).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RESULTS_VARIABLE = "DENTAREVIEW_RELIABILITY_RESULTS"

_figures: dict[str, dict[str, Any]] = {}
_reported = False


def codes_of(responses: Iterable[tuple[int, dict[str, Any]]]) -> dict[str, int]:
    """Count answers by error code, successes under their HTTP status."""
    counted: Counter[str] = Counter()
    for status, body in responses:
        error = body.get("error") if isinstance(body, dict) else None
        counted[error["code"] if error else str(status)] += 1
    return dict(sorted(counted.items()))


def record(scenario: str, **numbers: Any) -> None:
    _figures[scenario] = numbers
    path = os.environ.get(RESULTS_VARIABLE)
    if path:
        target = Path(path)
        existing = json.loads(target.read_text()) if target.exists() else {}
        existing[scenario] = numbers
        target.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")


def summary_lines() -> list[str]:
    """The figures once per run (both test packages' conftests ask for them)."""
    global _reported
    if _reported or not _figures:
        return []
    _reported = True
    return [f"{name}: {json.dumps(numbers, sort_keys=True)}" for name, numbers in _figures.items()]
