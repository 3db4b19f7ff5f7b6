"""The artifacts shipped in the Python package are exactly what the sources compile to."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.anvil import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "dentareview" / "chain" / "artifacts"
HARDHAT = PROJECT_ROOT / "node_modules" / ".bin" / "hardhat"


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def test_shipped_artifacts_match_a_fresh_build(tmp_path: Path) -> None:
    if not HARDHAT.exists():
        pytest.skip("node_modules is missing: run `npm ci` to rebuild and check the artifacts")
    env = {
        **os.environ,
        "CONTRACTS_BUILD_DIR": str(tmp_path / "build"),
        "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true",
    }
    out = tmp_path / "out"
    run([str(HARDHAT), "compile", "--force", "--quiet"], env)
    run(
        [
            "node",
            "scripts/export_artifacts.js",
            "--artifacts",
            str(tmp_path / "build" / "artifacts"),
            "--out",
            str(out),
        ],
        env,
    )

    built = {path.name: path.read_text() for path in out.glob("*.json")}
    shipped = {path.name: path.read_text() for path in SHIPPED.glob("*.json")}
    assert sorted(built) == ["ReviewRegistry.json", "RewardToken.json"]
    assert sorted(shipped) == sorted(built), "run `npm run artifacts` and commit the result"
    stale = [name for name in built if built[name] != shipped[name]]
    assert not stale, f"{stale} differ from the sources: run `npm run artifacts`"
