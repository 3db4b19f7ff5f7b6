"""Runtime bytecode compared the way Sourcify decides a "full match": pure, no I/O.

The deployed code must equal the compiled runtime byte for byte, except where the
compiler says immutables sit (their values are written by the constructor). The
trailing metadata (CBOR, its length in the last two bytes) holds the hash of the
sources and settings: equal code with another metadata hash is only a partial match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Span:
    """`length` bytes from `start`, where the compiler leaves room for an immutable."""

    start: int
    length: int


def immutable_spans(references: Mapping[str, Sequence[Mapping[str, int]]]) -> list[Span]:
    """The spans of solc's `evm.deployedBytecode.immutableReferences`, in code order."""
    spans = [
        Span(int(ref["start"]), int(ref["length"])) for refs in references.values() for ref in refs
    ]
    return sorted(spans, key=lambda span: span.start)


def metadata_length(code: bytes) -> int:
    """Bytes of the trailing CBOR metadata, with its two length bytes; 0 when there is none."""
    if len(code) < 2:
        return 0
    length = int.from_bytes(code[-2:], "big") + 2
    # solc's metadata is a CBOR map: its first byte is a map header (major type 5).
    if length > len(code) or code[-length] >> 5 != 5:
        return 0
    return length


class Match(Enum):
    FULL = "full"  # same code and same metadata hash: the same sources and settings
    PARTIAL = "partial"  # same code, another metadata hash: other sources or settings
    NONE = "none"


@dataclass(frozen=True)
class Comparison:
    match: Match
    compiled_size: int
    deployed_size: int
    masked_bytes: int  # immutables set aside
    immutables: int
    first_difference: int | None  # offset of the first differing byte outside immutables

    def describe(self, name: str) -> str:
        """The verdict in words, for the contract called `name`."""
        masked = f"{self.immutables} immutable references ({self.masked_bytes} bytes) set aside"
        if self.match is Match.FULL:
            return f"full match with {name}: {self.deployed_size:,} bytes identical, {masked}"
        if self.match is Match.PARTIAL:
            return (
                f"{name}'s code ({masked}) but the metadata hash differs: compiled from other "
                "sources or settings (a partial match only)"
            )
        if self.compiled_size != self.deployed_size:
            size = f"{self.deployed_size:,} bytes deployed, {self.compiled_size:,} compiled"
        else:
            size = f"both {self.deployed_size:,} bytes"
        return f"not {name}'s code: {size}, first difference at byte {self.first_difference}"


def _first_difference(compiled: bytes, deployed: bytes, masked: Sequence[Span]) -> int | None:
    in_mask = bytearray(len(compiled))
    for span in masked:
        in_mask[span.start : span.start + span.length] = b"\x01" * span.length
    for offset, (a, b) in enumerate(zip(compiled, deployed, strict=False)):
        if a != b and not in_mask[offset]:
            return offset
    return None if len(compiled) == len(deployed) else min(len(compiled), len(deployed))


def compare_runtime(compiled: bytes, deployed: bytes, immutables: Sequence[Span]) -> Comparison:
    """How the code deployed at an address compares with the compiled runtime."""
    first = _first_difference(compiled, deployed, immutables)
    trailer = metadata_length(compiled)
    if first is None:
        match = Match.FULL
    elif (
        trailer
        and len(compiled) == len(deployed)
        and metadata_length(deployed) == trailer
        and first >= len(compiled) - trailer
    ):
        match = Match.PARTIAL
    else:
        match = Match.NONE
    return Comparison(
        match=match,
        compiled_size=len(compiled),
        deployed_size=len(deployed),
        masked_bytes=sum(span.length for span in immutables),
        immutables=len(immutables),
        first_difference=first,
    )
