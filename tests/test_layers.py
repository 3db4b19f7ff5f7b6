"""The package's layers import only downwards: pure rules never reach for I/O, the chain
never for the relay, the request path never for the background writers."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dentareview"
# Lower ranks may not import higher ones; equal ranks may import each other.
RANK = {
    "errors": 0,
    "linear_re": 0,
    "redaction": 0,
    "domain": 1,
    "config": 2,
    "db": 3,
    "chain": 3,
    # Email through SMTP: settings in, nothing above.
    "mail": 3,
    # Metrics: read the database and settings; imported by relay, services, anchoring, api.
    "observability": 3.5,
    "relay": 4,
    "audit": 5,
    "services": 5,
    "anchoring": 6,
    # Practices' news delivered (webhooks, email): a background loop like anchoring's.
    "news": 6,
    "api": 7,
    "cli": 8,
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.module.split(".")[1]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module is not None
        and node.module.startswith("dentareview.")
    }


def test_every_top_level_part_of_the_package_has_a_layer() -> None:
    parts = {path.relative_to(PACKAGE).with_suffix("").parts[0] for path in PACKAGE.rglob("*.py")}
    assert parts - {"__init__", "webapp"} == set(RANK)


def test_no_module_imports_from_a_higher_layer() -> None:
    upward = sorted(
        f"{path.relative_to(PACKAGE)} imports dentareview.{target}"
        for path in PACKAGE.rglob("*.py")
        if (layer := path.relative_to(PACKAGE).with_suffix("").parts[0]) in RANK
        for target in _imports(path)
        if target in RANK and RANK[target] > RANK[layer]
    )
    assert upward == []
