"""A plain, non-editable install (as a deployment or a container build makes) migrates."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from sqlalchemy import create_engine, inspect

from tests.support.anvil import PROJECT_ROOT

APP_TABLES = {"dentists", "visits", "reviews", "reward_payments", "batches", "payouts"}


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_the_built_wheel_installs_and_migrates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-build-isolation: the build uses this environment's setuptools (pinned in the
    # dev extras), not a download.
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--quiet", "--wheel-dir", dist, PROJECT_ROOT,
        cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = dist.glob("dentareview-*.whl")

    # A fresh virtualenv with the wheel alone installed; its dependencies are taken from
    # this environment's site-packages (a path, so this checkout's editable install is
    # not visible there), which keeps the test offline and quick.
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    )
    site.mkdir(parents=True, exist_ok=True)
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
        "--target", site, wheel,
        cwd=tmp_path,
    )  # fmt: skip

    python = venv / "bin" / "python"
    located = run(python, "-c", "import dentareview; print(dentareview.__file__)", cwd=tmp_path)
    assert Path(located.strip()).is_relative_to(site), located  # the wheel, not the checkout

    database = tmp_path / "deployed.db"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DENTAREVIEW_DATABASE_URL": f"sqlite:///{database}",
        "DENTAREVIEW_DATA_DIR": str(tmp_path / "data"),
    }
    migrate = "import sys; from dentareview.cli import app; sys.argv[1:] = ['migrate']; app()"
    run(python, "-c", migrate, cwd=tmp_path, env=env)
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert tables >= APP_TABLES
