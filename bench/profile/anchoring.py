"""Profile the anchoring workers (pyinstrument) on Anvil and PostgreSQL, as the bench
runs them: per-review mode and batch mode. Writes bench/results/anchoring_profile.txt.

Run: python -m bench.profile.anchoring [single|batch ...]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from bench.profile import repository_relative
from bench.scale import anchoring
from bench.scale.common import Stopwatch
from tests.support.anvil import PROJECT_ROOT

RESULT = PROJECT_ROOT / "bench" / "results" / "anchoring_profile.txt"
REVIEWS = {"single": anchoring.SINGLE_REVIEWS, "batch": anchoring.BATCH_REVIEWS}


def _profiled(mode: str) -> tuple[dict[str, Any], str]:
    profiler = Profiler(interval=0.001)

    class ProfiledStopwatch(Stopwatch):  # profiles exactly what the bench times
        def __enter__(self) -> ProfiledStopwatch:
            profiler.start()
            super().__enter__()
            return self

        def __exit__(self, *exc: object) -> None:
            super().__exit__(*exc)
            profiler.stop()

    original = anchoring.Stopwatch
    anchoring.Stopwatch = ProfiledStopwatch  # type: ignore[misc]
    try:
        figures = anchoring._run(Path(tempfile.mkdtemp()), mode, REVIEWS[mode])
    finally:
        anchoring.Stopwatch = original  # type: ignore[misc]
    return figures, profiler.output_text(unicode=False, color=False, show_all=False)


def main(modes: list[str]) -> str:
    parts = []
    for mode in modes:
        figures, tree = _profiled(mode)
        parts.append(
            f"{mode} mode: {figures['reviews']} reviews in {figures['seconds']} s "
            f"({figures['per_second']} reviews/s under the profiler, which slows it)\n{tree}"
        )
    text = repository_relative("\n\n".join(parts))
    RESULT.write_text(text)
    return text


if __name__ == "__main__":
    print(main(sys.argv[1:] or ["single", "batch"]))
