"""Measure the gas of `ReviewRegistry.anchorStatements`: signed edits, erasures and replies.

Starts its own Anvil node, deploys the shipped artifacts, and anchors fresh random
digests in transactions of 1, 2, 10, 50 and 200 (the worker's largest), three of each,
then resends 10 digests already anchored (what a resend after a crash costs). Gas is
each receipt's `gasUsed`.

Writes bench/results/gas_statements.json and gas_statements.md.

Run from the repository root:  python -m bench.gas.measure_statements
"""

from __future__ import annotations

import json
import os
import statistics
from typing import Any

from web3 import Web3

from bench.gas.measure_submit_review import RESULTS_DIR, _anvil_version
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployer import deploy_contracts
from tests.contracts.helpers import transact
from tests.support.anvil import AnvilNode, dev_account

COMMAND = "python -m bench.gas.measure_statements"
SIZES = (1, 2, 10, 50, 200)
REPEATS = 3


def measure() -> dict[str, Any]:
    node = AnvilNode()
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        admin, relayer = dev_account(0), dev_account(1)
        deployed = deploy_contracts(
            w3, admin, relayer=relayer.address, reward_amount=10**19, daily_reward_cap=10**21
        )
        registry = w3.eth.contract(
            address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
        )

        def anchor(digests: list[bytes]) -> int:
            call = registry.functions.anchorStatements(digests)
            return int(transact(w3, relayer, call)["gasUsed"])

        fresh: dict[int, int] = {}
        for size in SIZES:
            fresh[size] = int(
                statistics.median(
                    anchor([os.urandom(32) for _ in range(size)]) for _ in range(REPEATS)
                )
            )
        again = [os.urandom(32) for _ in range(10)]
        anchor(again)
        resend = anchor(again)
    finally:
        node.stop()
    return {
        "command": COMMAND,
        "metric": "receipt gasUsed of anchorStatements, median of 3 transactions per size",
        "environment": {"anvil": _anvil_version()},
        "fresh": {str(size): gas for size, gas in fresh.items()},
        "per_statement_at_200": round(fresh[200] / 200),
        "resend_of_10_already_anchored": resend,
    }


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# anchorStatements gas (digests of signed edits, erasures and replies)",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Metric: {result['metric']}. {result['environment']['anvil']}.",
        "",
        "| digests in the transaction | gas | gas per digest |",
        "|---:|---:|---:|",
    ]
    for size, gas in result["fresh"].items():
        lines.append(f"| {size} | {gas:,} | {gas / int(size):,.0f} |")
    lines += [
        "",
        f"A resend of 10 digests already anchored (a crash's retry): "
        f"{result['resend_of_10_already_anchored']:,} gas; nothing is recorded twice.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    result = measure()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "gas_statements.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "gas_statements.md").write_text(render_markdown(result))
    print(render_markdown(result))


if __name__ == "__main__":
    main()
