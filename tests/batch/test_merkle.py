"""Our Merkle trees are OpenZeppelin's: same roots, same proofs, same verdicts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest

from dentareview.domain.merkle import (
    MerkleTree,
    hash_pair,
    leaf_hash,
    process_proof,
    verify_batch_proof,
    verify_proof,
)
from tests.support.anvil import PROJECT_ROOT

OZ_SCRIPT = PROJECT_ROOT / "tests" / "batch" / "oz_tree.js"
OZ_PACKAGE = PROJECT_ROOT / "node_modules" / "@openzeppelin" / "merkle-tree"
SIZES = [1, 2, 3, 4, 5, 7, 8, 13, 16, 33, 100]


def digests(n: int) -> list[bytes]:
    return [os.urandom(32) for _ in range(n)]


def hexes(values: list[bytes]) -> list[str]:
    return ["0x" + v.hex() for v in values]


def openzeppelin(values: list[bytes], check: list[dict[str, Any]] | None = None) -> Any:
    if shutil.which("node") is None or not OZ_PACKAGE.exists():
        pytest.skip("node or node_modules missing: run `npm ci`")
    result = subprocess.run(
        ["node", str(OZ_SCRIPT)],
        input=json.dumps({"values": hexes(values), "check": check or []}),
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize("size", SIZES)
def test_root_layout_and_every_proof_match_openzeppelin(size: int) -> None:
    values = digests(size)
    ours = MerkleTree.of(values)
    theirs = openzeppelin(values)

    assert "0x" + ours.root.hex() == theirs["root"]
    assert hexes(list(ours.nodes)) == theirs["tree"]  # the same flat layout, node for node
    for index, value in enumerate(ours.values):
        assert hexes(ours.proof(index)) == theirs["proofs"]["0x" + value.hex()]
        assert verify_proof(ours.root, value, ours.proof(index))


def test_input_order_does_not_change_the_tree() -> None:
    values = digests(9)
    assert MerkleTree.of(values) == MerkleTree.of(list(reversed(values)))


@pytest.mark.parametrize("size", [1, 6, 16, 37])
def test_first_middle_and_last_leaf_proofs_verify_in_python_and_openzeppelin(size: int) -> None:
    tree = MerkleTree.of(digests(size))
    root = "0x" + tree.root.hex()
    picks = sorted({0, size // 2, size - 1})
    checks: list[dict[str, Any]] = [
        {"root": root, "value": "0x" + tree.values[i].hex(), "proof": hexes(tree.proof(i))}
        for i in picks
    ]
    assert openzeppelin(list(tree.values), checks)["verdicts"] == [True] * len(picks)
    for check in checks:
        assert verify_batch_proof(digest=check["value"], root=root, proof=check["proof"])


def test_a_single_leaf_tree_has_the_leaf_as_root_and_an_empty_proof() -> None:
    (value,) = digests(1)
    tree = MerkleTree.of([value])
    assert tree.root == leaf_hash(value) and tree.proof(0) == []
    assert verify_proof(tree.root, value, [])


def test_leaf_is_double_keccak_of_the_abi_encoded_digest() -> None:
    from eth_utils.crypto import keccak

    value = bytes(range(32))
    assert leaf_hash(value) == keccak(keccak(value))  # abi.encode(bytes32) is the bytes
    a, b = keccak(b"a"), keccak(b"b")
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(min(a, b) + max(a, b))


def forgeries(tree: MerkleTree, index: int) -> list[tuple[bytes, list[bytes]]]:
    value, proof = tree.values[index], tree.proof(index)
    other = tree.values[(index + 1) % len(tree)]
    flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
    return [
        (os.urandom(32), proof),  # a digest not in the batch
        (value, flipped),  # one node changed
        (value, proof[:-1]),  # a node missing
        (value, [*proof, os.urandom(32)]),  # a node too many
        (other, proof),  # another leaf's path
        (value, list(reversed(proof))),  # right nodes, wrong order
    ]


def test_forged_paths_are_refused_by_python_and_openzeppelin() -> None:
    tree = MerkleTree.of(digests(11))
    root = "0x" + tree.root.hex()
    for index in (0, 5, 10):
        cases = forgeries(tree, index)
        for value, proof in cases:
            assert not verify_proof(tree.root, value, proof)
            assert not verify_batch_proof(digest="0x" + value.hex(), root=root, proof=hexes(proof))
        checks = [
            {"root": root, "value": "0x" + value.hex(), "proof": hexes(proof)}
            for value, proof in cases
        ]
        assert openzeppelin(list(tree.values), checks)["verdicts"] == [False] * len(cases)


def test_malformed_input_is_refused_not_crashed() -> None:
    tree = MerkleTree.of(digests(3))
    assert not verify_proof(tree.root, b"short", tree.proof(0))
    assert not verify_batch_proof(digest="0xzz", root="0x" + tree.root.hex(), proof=[])
    assert not verify_proof(tree.root, tree.values[0], [b"\x00" * 31])
    with pytest.raises(ValueError):
        process_proof(tree.root, [b"\x01"])
    with pytest.raises(ValueError, match="duplicate"):
        MerkleTree.of([tree.values[0], tree.values[0]])
    with pytest.raises(ValueError):
        MerkleTree.of([])
    with pytest.raises(IndexError):
        tree.proof(3)
