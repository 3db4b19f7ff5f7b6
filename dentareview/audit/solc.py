"""The Solidity compiler of a recorded version, found on this machine, for py-solc-x.

In order: a native solc that py-solc-x installed, a native `solc` on PATH, then the
pinned npm `solc` (solc.js on Node) through a small executable shim. Each must report
exactly the recorded version, commit included. Nothing is downloaded.
"""

from __future__ import annotations

import shlex
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version
from solcx.exceptions import SolcError, SolcNotInstalled
from solcx.install import get_executable, get_installed_solc_versions
from solcx.wrapper import get_solc_version

SOLC_JS = Path("node_modules") / "solc" / "solc.js"


class CompilerNotFound(Exception):
    """No compiler of the recorded version on this machine."""


@dataclass(frozen=True)
class Solc:
    path: Path
    version: str  # e.g. 0.8.37+commit.f401782d
    origin: str  # where it came from, in words


def _version_of(path: Path) -> str | None:
    try:
        return str(get_solc_version(path, with_commit_hash=True))
    except (OSError, SolcError, subprocess.CalledProcessError, ValueError):
        return None


def _native(version: str) -> Solc | None:
    wanted = Version(version)
    if Version(wanted.base_version) in get_installed_solc_versions():
        try:
            path = get_executable(wanted.base_version)
        except SolcNotInstalled:
            path = None
        if path is not None and _version_of(path) == version:
            return Solc(path, version, f"native solc installed by py-solc-x ({path})")
    on_path = shutil.which("solc")
    if on_path is not None and _version_of(Path(on_path)) == version:
        return Solc(Path(on_path), version, f"native solc on PATH ({on_path})")
    return None


def _solc_js_candidates() -> list[Path]:
    # The working directory and its parents, then the checkout this package runs from.
    roots = [Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parents[2]]
    return [root / SOLC_JS for root in roots if (root / SOLC_JS).is_file()]


def write_shim(directory: Path, node: str, solc_js: Path) -> Path:
    """An executable `solc` in `directory` that runs solc.js through the shim module."""
    command = [sys.executable, "-m", "dentareview.audit.solcjs_shim", node, str(solc_js)]
    path = directory / "solc"
    path.write_text(f'#!/bin/sh\nexec {shlex.join(command)} "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def _npm(version: str, workdir: Path) -> Solc | None:
    node = shutil.which("node")
    if node is None:
        return None
    for solc_js in _solc_js_candidates():
        shim = write_shim(workdir, node, solc_js)
        if _version_of(shim) == version:
            return Solc(shim, version, f"npm solc on Node ({solc_js})")
    return None


def find_solc(version: str, workdir: Path, *, given: Path | None = None) -> Solc:
    """The compiler to use: `given` if stated, else the first of native and npm found.

    `workdir` is a directory where the npm shim may be written."""
    if given is not None:
        found = _version_of(given)
        if found != version:
            raise CompilerNotFound(
                f"--solc {given} is {found or 'not a solc executable'}; the contracts were "
                f"compiled with solc {version}"
            )
        return Solc(given, version, f"stated with --solc ({given})")
    solc = _native(version) or _npm(version, workdir)
    if solc is None:
        raise CompilerNotFound(
            f"no solc {version} here: install it with py-solc-x "
            f"(python -c \"import solcx; solcx.install_solc('{Version(version).base_version}')\"), "
            "put it on PATH, pass --solc PATH, or run `npm ci` in the project for the npm solc"
        )
    return solc
