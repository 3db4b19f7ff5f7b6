"""EIP-1559 fees from the node, bumps for replacing a stuck transaction, and a ceiling.

Pure rules on numbers, plus one function that asks the node. The ceiling is the
operator's: past it nothing is sent (or replaced), and `/health` says the relay waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from web3 import Web3

GWEI = 10**9
# geth refuses a same-nonce replacement unless both fees rise by at least 10%.
MIN_BUMP_PERCENT = 10


@dataclass(frozen=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int


class FeesOverCap(Exception):
    """The fees the network asks for now exceed the operator's maximum."""


def suggest(base_fee: int, priority_fee: int) -> Fees:
    """Room for the base fee to double (two full blocks) before the transaction is priced out."""
    return Fees(2 * base_fee + priority_fee, priority_fee)


def bump(previous: Fees, current: Fees, *, percent: int) -> Fees:
    """Fees for a replacement: at least `percent` (>= geth's 10%) above the previous ones,
    and never below what the network asks for now."""
    percent = max(percent, MIN_BUMP_PERCENT + 1)

    def raised(value: int) -> int:
        return value + max(1, value * percent // 100)

    priority = max(raised(previous.max_priority_fee_per_gas), current.max_priority_fee_per_gas)
    max_fee = max(raised(previous.max_fee_per_gas), current.max_fee_per_gas, priority)
    return Fees(max_fee, priority)


def within_cap(fees: Fees, *, base_fee: int, max_fee_per_gas: int) -> Fees:
    """`fees` limited to the ceiling; FeesOverCap when even the ceiling cannot be mined now."""
    if base_fee + fees.max_priority_fee_per_gas > max_fee_per_gas:
        raise FeesOverCap(
            f"the base fee ({base_fee / GWEI:.2f} gwei) plus tip exceeds the maximum fee "
            f"({max_fee_per_gas / GWEI:.2f} gwei); transactions wait until fees fall"
        )
    return Fees(
        min(fees.max_fee_per_gas, max_fee_per_gas),
        min(fees.max_priority_fee_per_gas, max_fee_per_gas),
    )


def node_fees(w3: Web3) -> tuple[Fees, int]:
    """What the node suggests now, and the latest base fee."""
    base_fee = int(w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
    try:
        priority = int(w3.eth.max_priority_fee)
    except ValueError:  # a node without eth_maxPriorityFeePerGas: the median tip of 10 blocks
        history = w3.eth.fee_history(10, "latest", [50])
        rewards = [[int(tip) for tip in block] for block in history["reward"]] or [[GWEI]]
        tips = sorted(block[0] for block in rewards)
        priority = tips[len(tips) // 2]
    return suggest(base_fee, priority), base_fee
