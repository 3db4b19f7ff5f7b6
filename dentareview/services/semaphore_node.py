"""Semaphore's own JavaScript, run by Node: group roots (scripts/semaphore_group.mjs), and
the public ceremony's proving files (@zk-kit/semaphore-artifacts) served to browsers.

Python never reimplements Poseidon: a group root is computed by @semaphore-protocol/group,
the library the browser and the prover use. The proving files are served only when their
sha256 is the one pinned in contracts/anonymous/semaphore-artifacts.sha256.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from dentareview.errors import InternalError

GROUP_SCRIPT: Final = Path("scripts") / "semaphore_group.mjs"
ARTIFACTS: Final = Path("node_modules") / "@zk-kit" / "semaphore-artifacts"
PINNED: Final = Path("contracts") / "anonymous" / "semaphore-artifacts.sha256"
ARTIFACT_KINDS: Final = ("wasm", "zkey", "json")


def is_artifact_name(name: str) -> bool:
    """semaphore-<depth>.<wasm|zkey|json>, depth 1..32 written without leading zeros."""
    stem, _, kind = name.partition(".")
    prefix, _, depth = stem.partition("-")
    return (
        prefix == "semaphore"
        and kind in ARTIFACT_KINDS
        and depth.isascii()
        and depth.isdigit()
        and not depth.startswith("0")
        and 1 <= int(depth[:3]) <= 32
    )


def project_roots() -> list[Path]:
    """Where scripts/ and node_modules/ are looked for: the working directory and its
    parents, then the checkout this package runs from."""
    here = Path.cwd()
    return [here, *here.parents, Path(__file__).resolve().parents[2]]


def _find(relative: Path) -> Path | None:
    for root in project_roots():
        if (root / relative).exists():
            return root / relative
    return None


@dataclass(frozen=True)
class GroupRoot:
    root: int
    depth: int
    size: int


def group_root(commitments: Sequence[int], *, timeout: float) -> GroupRoot:
    """The Semaphore group root of `commitments` (in the group's order). Raises
    InternalError, saying what is missing, when Node or Semaphore's packages are not there."""
    node = shutil.which("node")
    script = _find(GROUP_SCRIPT)
    if node is None:
        raise InternalError("computing a group root needs Node.js (`node`) on the PATH")
    if script is None or _find(Path("node_modules") / "@semaphore-protocol" / "group") is None:
        raise InternalError(
            "computing a group root needs scripts/semaphore_group.mjs and "
            "@semaphore-protocol/group (run `npm ci` in the project)"
        )
    try:
        result = subprocess.run(
            [node, str(script)],
            input="".join(f"{c}\n" for c in commitments),
            capture_output=True,
            text=True,
            cwd=script.parents[1],
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise InternalError(f"the group root script took longer than {timeout} s") from error
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise InternalError(f"the group root script failed: {last[:300]}")
    answer = json.loads(result.stdout)
    return GroupRoot(int(answer["root"]), int(answer["depth"]), int(answer["size"]))


class ProvingFiles:
    """The public ceremony's proving files, each checked against its pinned sha256 once
    (on its first request: hashing all 100 files, 109 MB, would slow every start)."""

    def __init__(self) -> None:
        pinned = _find(PINNED)
        self._directory = _find(ARTIFACTS)
        self._pinned: dict[str, str] = {}
        if pinned is not None:
            for line in pinned.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    digest, name = line.split()
                    self._pinned[name] = digest
        self._checked: dict[str, bool] = {}
        self._lock = threading.Lock()

    def path(self, name: str) -> Path | None:
        """The file of `name` (semaphore-<depth>.<wasm|zkey|json>) if installed and pinned."""
        if not is_artifact_name(name) or self._directory is None:
            return None
        expected = self._pinned.get(name)
        path = self._directory / name
        if expected is None or not path.is_file():
            return None
        with self._lock:
            if name not in self._checked:
                self._checked[name] = _sha256(path) == expected
            if not self._checked[name]:
                raise InternalError(f"{name} does not match its pinned sha256; not served")
        return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
