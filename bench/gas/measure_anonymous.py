"""Measure what anonymous reviews cost on-chain: AnonymousReviews.submitAnonymousReview with
a real Semaphore v4 proof checked by Semaphore's own verifier, and commitGroupRoots for 1, 10
and 100 practices in one transaction.

Starts its own Anvil node, deploys the shipped artifacts, and measures:

- `commitGroupRoots`, for practices that had no root yet (new storage) and for the same
  practices committing their next root (the steady state: the previous root is marked replaced);
- `submitAnonymousReview`, each a rewarded review paid to a new token holder (a fresh address),
  proofs made against a group of 10 (depth 4), median of REVIEWS.

Gas is each receipt's `gasUsed`. Writes bench/results/gas_anonymous.json and gas_anonymous.md.

Run from the repository root:  python -m bench.gas.measure_anonymous
"""

from __future__ import annotations

import json
import os
import statistics
from typing import Any

from eth_account import Account
from web3 import Web3

from bench.gas.measure_submit_review import RESULTS_DIR, _anvil_version
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployer import deploy_contracts
from tests.contracts.helpers import transact
from tests.contracts.semaphore import commitments, message_of, prove, scope_of
from tests.support.anvil import AnvilNode, dev_account

COMMAND = "python -m bench.gas.measure_anonymous"
REVIEWS = 5
GROUP = 10
PRACTICES = (1, 10, 100)
REWARD = 10 * 10**18


def _random_roots(count: int) -> list[int]:
    return [int.from_bytes(os.urandom(31), "big") or 1 for _ in range(count)]


def measure() -> dict[str, Any]:
    node = AnvilNode()
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        admin, relayer, dentist = dev_account(0), dev_account(1), dev_account(2)
        deployed = deploy_contracts(
            w3,
            admin,
            relayer=relayer.address,
            reward_amount=REWARD,
            daily_reward_cap=1_000 * REWARD,
            dentist_daily_reward_limit=255,
        )
        registry = w3.eth.contract(
            address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
        )
        anonymous = w3.eth.contract(
            address=deployed.anonymous_reviews_address, abi=load_artifact("AnonymousReviews").abi
        )
        transact(w3, admin, registry.functions.registerDentist(dentist.address))

        commits: dict[str, dict[str, int]] = {}
        for count in PRACTICES:
            practices = [Account.create().address for _ in range(count)]
            sizes = [GROUP] * count
            first, second = (
                int(
                    transact(
                        w3,
                        relayer,
                        anonymous.functions.commitGroupRoots(
                            practices, _random_roots(count), sizes
                        ),
                    )["gasUsed"]
                )
                for _ in range(2)
            )
            commits[str(count)] = {"first_root": first, "next_root": second}

        secrets = [f"bench patient {i}" for i in range(GROUP)]
        members = commitments(secrets)
        period = int(anonymous.functions.currentPeriod().call())
        scope = scope_of(dentist.address, period)
        reviews = []
        root = None
        for secret in secrets[:REVIEWS]:
            digest, reward_to = os.urandom(32), Account.create().address
            proof = prove(secret, members, scope=scope, message=message_of(digest, reward_to))
            if root is None:
                root = proof.merkle_tree_root
                call = anonymous.functions.commitGroupRoots([dentist.address], [root], [GROUP])
                transact(w3, relayer, call)
            review = (
                dentist.address,
                period,
                proof.merkle_tree_root,
                proof.merkle_tree_depth,
                proof.nullifier,
                digest,
                reward_to,
            )
            call = anonymous.functions.submitAnonymousReview(review, list(proof.points))
            reviews.append(int(transact(w3, relayer, call)["gasUsed"]))
        return {
            "command": COMMAND,
            "anvil": _anvil_version(),
            "group_size": GROUP,
            "depth": proof.merkle_tree_depth,
            "submit_gas": reviews,
            "submit_median_gas": int(statistics.median(reviews)),
            "commit_gas": commits,
        }
    finally:
        node.stop()


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Anonymous reviews (Semaphore v4): gas",
        "",
        f"Command: `{result['command']}`",
        "",
        "Metric: receipt gasUsed. Semaphore v4's own `SemaphoreVerifier` (compiled from",
        "@semaphore-protocol/contracts 4.14.3 with the project's settings) checks real proofs made",
        "with the public ceremony's proving files.",
        "",
        "| operation | gas |",
        "|---|---:|",
        f"| `submitAnonymousReview`, rewarded, new holder (median of {len(result['submit_gas'])};"
        f" group of {result['group_size']}, depth {result['depth']}) |"
        f" {result['submit_median_gas']:,} |",
    ]
    for count, gas in result["commit_gas"].items():
        noun = "practice" if count == "1" else "practices"
        lines.append(
            f"| `commitGroupRoots`, {count} {noun}, first root | {gas['first_root']:,} "
            f"({gas['first_root'] // int(count):,} each) |"
        )
        lines.append(
            f"| `commitGroupRoots`, {count} {noun}, next root | {gas['next_root']:,} "
            f"({gas['next_root'] // int(count):,} each) |"
        )
    lines += [
        "",
        f"Each review: {', '.join(f'{gas:,}' for gas in result['submit_gas'])}.",
        "",
        f"Environment: {result['anvil']}, solc 0.8.37 (via-IR, 10,000 runs), evm prague,"
        f" {os.cpu_count()} cores.",
        "",
        "Notes:",
        "",
        "- The verifier's pairing check is most of a review's cost; its gas does not depend on the",
        "  tree depth (one verification key per depth, the same four public inputs).",
        "- A first root writes a new record (and the practice's latest root); a next root also",
        "  marks the previous one replaced, which starts its validity window.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    result = measure()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "gas_anonymous.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "gas_anonymous.md").write_text(render_markdown(result))
    print(render_markdown(result))


if __name__ == "__main__":
    main()
