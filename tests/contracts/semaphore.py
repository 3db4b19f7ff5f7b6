"""Semaphore v4 identities and proofs for the contract tests and the benchmarks.

Wraps the Node scripts scripts/semaphore_commitment.mjs and scripts/semaphore_prove.mjs, which
use @semaphore-protocol/identity, group and proof with the pinned proving files of the public
Semaphore V4 ceremony (@zk-kit/semaphore-artifacts), offline. Scope and message are built as
AnonymousReviews builds them.
"""

from __future__ import annotations

import functools
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak

from tests.support.anvil import PROJECT_ROOT

PROVE = PROJECT_ROOT / "scripts" / "semaphore_prove.mjs"
COMMITMENT = PROJECT_ROOT / "scripts" / "semaphore_commitment.mjs"
ARTIFACTS = PROJECT_ROOT / "node_modules" / "@zk-kit" / "semaphore-artifacts"
PINNED = PROJECT_ROOT / "contracts" / "anonymous" / "semaphore-artifacts.sha256"


@dataclass(frozen=True)
class SemaphoreProof:
    """A proof's public values and its eight points, as AnonymousReviews takes them."""

    merkle_tree_root: int
    merkle_tree_depth: int
    nullifier: int
    message: int
    scope: int
    points: tuple[int, ...]
    group_ms: int
    proof_ms: int


def scope_of(dentist: str, period: int) -> int:
    """`uint256(keccak256(abi.encode(dentist, period)))`: one nullifier per practice and period."""
    return int.from_bytes(keccak(encode(["address", "uint256"], [dentist, period])), "big")


def message_of(digest: bytes, reward_to: str) -> int:
    """`uint256(keccak256(abi.encode(digest, rewardTo)))`: what the proof binds."""
    return int.from_bytes(keccak(encode(["bytes32", "address"], [digest, reward_to])), "big")


def _node(script: str, *args: str, stdin: str = "", timeout: float = 600) -> str:
    result = subprocess.run(
        ["node", script, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script} failed: {result.stderr.strip()}")
    return result.stdout


@functools.cache
def _commitments(secrets: tuple[str, ...]) -> tuple[int, ...]:
    output = _node(str(COMMITMENT), stdin="".join(f"{secret}\n" for secret in secrets))
    return tuple(int(line) for line in output.split())


def commitments(secrets: Sequence[str]) -> list[int]:
    """The identity commitment of each private key, in order."""
    return list(_commitments(tuple(secrets)))


def prove(
    secret: str,
    members: Sequence[int],
    *,
    scope: int,
    message: int,
    depth: int | None = None,
    timeout: float = 1800,
) -> SemaphoreProof:
    """A proof that `secret`'s identity is one of `members` (the group in its order)."""
    request: dict[str, Any] = {
        "secret": secret,
        "members": [str(member) for member in members],
        "scope": str(scope),
        "message": str(message),
    }
    if depth is not None:
        request["depth"] = depth
    answer = json.loads(_node(str(PROVE), stdin=json.dumps(request), timeout=timeout))
    return SemaphoreProof(
        merkle_tree_root=int(answer["merkleTreeRoot"]),
        merkle_tree_depth=int(answer["merkleTreeDepth"]),
        nullifier=int(answer["nullifier"]),
        message=int(answer["message"]),
        scope=int(answer["scope"]),
        points=tuple(int(point) for point in answer["points"]),
        group_ms=int(answer["timings"]["groupMs"]),
        proof_ms=int(answer["timings"]["proofMs"]),
    )
