"""When an included transaction counts as final: a confirmation depth or a node block tag.

`DENTAREVIEW_FINALITY` is a number of confirmations (1: the including block itself is
enough, as on a local chain) or the tag `safe` / `finalized`, which the node answers
from its consensus client (Ethereum L1, and OP-stack or Arbitrum L2s that follow L1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from web3 import Web3

Tag = Literal["safe", "finalized"]


@dataclass(frozen=True)
class Finality:
    depth: int | None = None
    tag: Tag | None = None

    @classmethod
    def parse(cls, value: str) -> Finality:
        value = value.strip().lower()
        if value in ("safe", "finalized"):
            return cls(tag=value)  # type: ignore[arg-type]
        try:
            depth = int(value)
        except ValueError:
            raise ValueError(
                f"finality must be a number of confirmations or 'safe' / 'finalized', "
                f"not {value!r}"
            ) from None
        if depth < 1:
            raise ValueError("finality needs at least 1 confirmation")
        return cls(depth=depth)

    def describe(self) -> str:
        return f"the node's '{self.tag}' block" if self.tag else f"{self.depth} confirmations"

    def final_block(self, w3: Web3) -> int:
        """The highest block number that is final now (-1 if none is)."""
        if self.tag is not None:
            return int(w3.eth.get_block(self.tag)["number"])
        assert self.depth is not None
        return int(w3.eth.block_number) - (self.depth - 1)
