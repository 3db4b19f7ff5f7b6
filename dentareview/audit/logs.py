"""Reading contract events in block ranges, straight from `eth_getLogs`.

An audit reads every event of the registry and every mint of the token: one call
per range of blocks (and per contract), never one per review. Raw JSON-RPC results
are decoded here from the ABI, which is much faster than web3's per-log formatters
at 100k logs; only static argument types occur in these events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from web3 import Web3
from web3.types import RPCEndpoint

DEFAULT_BLOCK_RANGE: Final = 10_000
ZERO_TOPIC: Final = "0x" + "00" * 32
# Providers refuse large ranges with messages like these; a smaller range then works.
_TOO_LARGE = re.compile(r"limit|too many|too large|exceed|range|size|timeout", re.IGNORECASE)


class LogReadError(RuntimeError):
    """The node refused or failed an `eth_getLogs` call."""


@dataclass(frozen=True)
class EventDecoder:
    """Decodes one event's logs from raw JSON-RPC form into {argument: value}.

    Addresses come out as lowercase 0x-hex, bytes32 as 0x-hex, integers as int.
    """

    name: str
    topic: str
    fields: tuple[tuple[str, str, bool], ...]  # (name, type, indexed)

    @classmethod
    def from_abi(cls, abi: Sequence[dict[str, Any]], name: str) -> EventDecoder:
        (event,) = [item for item in abi if item.get("type") == "event" and item["name"] == name]
        fields = tuple((i["name"], i["type"], bool(i["indexed"])) for i in event["inputs"])
        for _name, kind, _indexed in fields:
            if not (kind in ("address", "bytes32", "bool") or kind.startswith("uint")):
                raise ValueError(f"{name}: {kind} is not a static type this decoder reads")
        signature = f"{name}({','.join(kind for _n, kind, _i in fields)})"
        return cls(name=name, topic=Web3.keccak(text=signature).to_0x_hex(), fields=fields)

    def decode(self, log: dict[str, Any]) -> dict[str, Any]:
        topics: list[str] = log["topics"]
        data: str = log["data"][2:]
        values: dict[str, Any] = {}
        topic_index, word_index = 1, 0
        for name, kind, indexed in self.fields:
            if indexed:
                word = topics[topic_index][2:]
                topic_index += 1
            else:
                word = data[64 * word_index : 64 * (word_index + 1)]
                word_index += 1
            values[name] = _static(kind, word)
        return values


def _static(kind: str, word: str) -> Any:
    if kind == "address":
        return "0x" + word[24:].lower()
    if kind == "bytes32":
        return "0x" + word.lower()
    if kind == "bool":
        return int(word, 16) != 0
    return int(word, 16)


def block_ranges(first: int, last: int, step: int) -> Iterator[tuple[int, int]]:
    for start in range(first, last + 1, step):
        yield start, min(start + step - 1, last)


def get_logs(
    w3: Web3,
    *,
    address: str,
    topics: list[Any],
    first: int,
    last: int,
    step: int = DEFAULT_BLOCK_RANGE,
    on_range: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Every log of `address` matching `topics` in blocks first..last, in chain order.

    One call per `step` blocks; a range the node refuses as too large is split in two.
    `on_range` is told how many blocks each finished range covered.
    """
    logs: list[dict[str, Any]] = []
    for start, end in block_ranges(first, last, step):
        logs += _range(w3, address, topics, start, end)
        if on_range is not None:
            on_range(end - start + 1)
    return logs


def _range(w3: Web3, address: str, topics: list[Any], start: int, end: int) -> list[dict[str, Any]]:
    params = {"address": address, "topics": topics, "fromBlock": hex(start), "toBlock": hex(end)}
    # Raw request: web3's result formatters would cost more than the node's answer.
    response = w3.provider.make_request(RPCEndpoint("eth_getLogs"), [params])
    error = response.get("error")
    if error is None:
        return list(response["result"])
    message = str(error.get("message", error) if isinstance(error, dict) else error)
    if end > start and _TOO_LARGE.search(message):
        middle = (start + end) // 2
        return _range(w3, address, topics, start, middle) + _range(
            w3, address, topics, middle + 1, end
        )
    raise LogReadError(f"eth_getLogs {start}..{end} failed: {message}")
