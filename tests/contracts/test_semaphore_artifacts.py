"""The Semaphore V4 proving files installed from npm are the pinned ones: those of the public
ceremony (@zk-kit/semaphore-artifacts 4.13.0), byte for byte, for every depth 1..32."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.contracts.semaphore import ARTIFACTS, PINNED

DEPTHS = range(1, 33)
KINDS = ("json", "wasm", "zkey")


def pinned() -> dict[str, str]:
    hashes = {}
    for line in PINNED.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            hashes[name] = digest
    return hashes


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def test_every_depth_and_kind_is_pinned() -> None:
    assert sorted(pinned()) == sorted(f"semaphore-{d}.{k}" for d in DEPTHS for k in KINDS)


def test_the_installed_files_are_the_pinned_ones() -> None:
    if not ARTIFACTS.exists():
        pytest.skip("node_modules is missing: run `npm ci`")
    differ = [name for name, digest in pinned().items() if sha256(ARTIFACTS / name) != digest]
    assert not differ, f"{differ} differ from contracts/anonymous/semaphore-artifacts.sha256"
