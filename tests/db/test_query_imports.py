"""Query functions are imported from the module that defines them, as the package says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_module_imports_query_functions_from_the_package_itself() -> None:
    pattern = re.compile(r"^from dentareview\.db\.queries import (?!\w+ as \w+_queries$)", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("dentareview", "tests", "bench", "scripts")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
