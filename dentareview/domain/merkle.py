"""Merkle trees of review digests, as OpenZeppelin's StandardMerkleTree builds them.

Leaf type `["bytes32"]`: leaf = keccak256(keccak256(abi.encode(digest))), which for a
bytes32 value is keccak256(keccak256(digest)); the double hash keeps a leaf from ever
being mistaken for an inner node. Inner nodes hash the sorted pair, so proofs carry no
left/right flags and `MerkleProof.verify` (Solidity) checks them as they are.

Layout (`@openzeppelin/merkle-tree` 1.x, `sortLeaves: true`): leaves sorted by hash,
stored in a flat array of 2n-1 nodes with leaf i at index 2n-2-i, node k's children at
2k+1 and 2k+2, the root at 0. Any tree built there from the same digests, in any order,
has the same root and the same proofs as here. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_utils.crypto import keccak

__all__ = [
    "MerkleTree",
    "hash_pair",
    "leaf_hash",
    "process_proof",
    "verify_proof",
]


def leaf_hash(digest: bytes) -> bytes:
    """The StandardMerkleTree leaf of a bytes32 value."""
    if len(digest) != 32:
        raise ValueError(f"a leaf value is 32 bytes, got {len(digest)}")
    return bytes(keccak(keccak(digest)))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """An inner node: keccak256 of the two children, smaller first."""
    return bytes(keccak(a + b if a < b else b + a))


def process_proof(leaf: bytes, proof: Iterable[bytes]) -> bytes:
    """The root that `proof` leads to from `leaf` (as `MerkleProof.processProof`)."""
    node = leaf
    for sibling in proof:
        if len(sibling) != 32:
            raise ValueError("proof nodes are 32 bytes")
        node = hash_pair(node, sibling)
    return node


def verify_proof(root: bytes, digest: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the review `digest` is a leaf of the tree with `root`."""
    try:
        return process_proof(leaf_hash(digest), proof) == root
    except ValueError:
        return False


def verify_batch_proof(*, digest: str, root: str, proof: list[str]) -> bool:
    """Whether `proof` (0x-hex nodes) leads from the review `digest` to `root`, as the
    proof JSON gives them; False for any malformed hex."""
    try:
        return verify_proof(
            bytes.fromhex(root.removeprefix("0x")),
            bytes.fromhex(digest.removeprefix("0x")),
            [bytes.fromhex(node.removeprefix("0x")) for node in proof],
        )
    except ValueError:
        return False


@dataclass(frozen=True)
class MerkleTree:
    """A tree of review digests; `values[i]` is the digest of leaf i (leaves sorted by hash)."""

    values: tuple[bytes, ...]
    nodes: tuple[bytes, ...]  # the flat array: root first, leaf i at len(nodes) - 1 - i

    @classmethod
    def of(cls, digests: Iterable[bytes]) -> MerkleTree:
        hashed = sorted((leaf_hash(d), d) for d in digests)
        if not hashed:
            raise ValueError("a Merkle tree needs at least one leaf")
        if any(a[0] == b[0] for a, b in zip(hashed, hashed[1:], strict=False)):
            raise ValueError("duplicate digest: a review can be a leaf only once")
        size = 2 * len(hashed) - 1
        nodes: list[bytes] = [b""] * size
        for i, (leaf, _) in enumerate(hashed):
            nodes[size - 1 - i] = leaf
        for k in range(size - 1 - len(hashed), -1, -1):
            nodes[k] = hash_pair(nodes[2 * k + 1], nodes[2 * k + 2])
        return cls(values=tuple(d for _, d in hashed), nodes=tuple(nodes))

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def __len__(self) -> int:
        return len(self.values)

    def index_of(self, digest: bytes) -> int:
        """The leaf index of `digest`; ValueError if it is not in the tree."""
        return self.values.index(digest)

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from leaf `index` up to the root (empty for a one-leaf tree)."""
        if not 0 <= index < len(self.values):
            raise IndexError(f"leaf index {index} out of range 0..{len(self.values) - 1}")
        k = len(self.nodes) - 1 - index
        path: list[bytes] = []
        while k > 0:
            path.append(self.nodes[k + 1 if k % 2 else k - 1])
            k = (k - 1) // 2
        return path
