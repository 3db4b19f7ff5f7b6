"""Measure how long a patient's device takes to make a Semaphore v4 proof in Node, by group size.

For groups of 10, 1,000 and 100,000 members (tree depths 4, 10 and 17) it runs
scripts/semaphore_prove.mjs (Semaphore's identity, group and proof packages with the pinned
proving files of the public V4 ceremony, offline) RUNS times and takes the median of:

- the proof itself (`generateProof`: witness and Groth16 proof, as timed inside Node);
- building the group's LeanIMT from its members (Poseidon hashes), which the device does
  unless the service hands it the Merkle path;
- the whole process, Node's start and the loading of the proving files included.

The prover is one real identity; the other members are random commitments (field elements),
which cost the tree the same. Writes bench/results/anonymous_proofs.json and .md.

Run from the repository root:  python -m bench.anonymous.proof_times
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import time
from typing import Any

from bench.gas.measure_submit_review import RESULTS_DIR
from tests.contracts.semaphore import commitments, prove

COMMAND = "python -m bench.anonymous.proof_times"
SIZES = (10, 1_000, 100_000)
RUNS = 3
# The BN254 scalar field: identity commitments are elements of it.
FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617
SECRET = "bench prover"


def members_of(size: int) -> list[int]:
    own = commitments([SECRET])[0]
    others = [secrets.randbelow(FIELD - 1) + 1 for _ in range(size - 1)]
    others.insert(size // 2, own)
    return others


def measure() -> dict[str, Any]:
    rows = []
    for size in SIZES:
        members = members_of(size)
        runs = []
        for run in range(RUNS):
            started = time.perf_counter()
            proof = prove(SECRET, members, scope=1000 + run, message=2000 + run)
            wall = (time.perf_counter() - started) * 1000
            runs.append({"proof_ms": proof.proof_ms, "group_ms": proof.group_ms, "wall_ms": wall})
        rows.append(
            {
                "members": size,
                "depth": proof.merkle_tree_depth,
                "runs": runs,
                "median_proof_ms": statistics.median(r["proof_ms"] for r in runs),
                "median_group_ms": statistics.median(r["group_ms"] for r in runs),
                "median_wall_ms": statistics.median(r["wall_ms"] for r in runs),
            }
        )
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    return {"command": COMMAND, "node": node.stdout.strip(), "cores": os.cpu_count(), "rows": rows}


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Anonymous reviews (Semaphore v4): proof time in Node",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Metric: milliseconds, median of {RUNS} runs of `scripts/semaphore_prove.mjs`",
        "(@semaphore-protocol/proof 4.14.3, snarkjs Groth16, the public V4 ceremony's proving",
        "files from @zk-kit/semaphore-artifacts 4.13.0, offline).",
        "",
        "| members | depth | proof (`generateProof`) | build the group's tree | whole process |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['members']:,} | {row['depth']} | {row['median_proof_ms']:,.0f} |"
            f" {row['median_group_ms']:,.0f} | {row['median_wall_ms']:,.0f} |"
        )
    lines += [
        "",
        f"Environment: Node {result['node']}, {result['cores']} cores.",
        "",
        "Notes:",
        "",
        "- The proof itself grows little with the depth (one Poseidon hash per Merkle level, a",
        "  small part of the circuit); building the tree grows with the members, and is avoidable:",
        "  the device needs only its Merkle path, which the service can hand it.",
        "- The whole process adds Node's start, reading the request (the members, as JSON) and",
        "  loading the wasm and zkey for the depth.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    result = measure()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "anonymous_proofs.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "anonymous_proofs.md").write_text(render_markdown(result))
    print(render_markdown(result))


if __name__ == "__main__":
    main()
