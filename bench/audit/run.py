"""Time `dentareview audit` on 10k and 100k real anchored reviews, and count its RPC calls.

For each size: a fresh Anvil, the contracts deployed, N reviews signed by their
dentists and patients and anchored by the registry (see seed.py), the database
filled from the chain's events; then the audit command runs as a user runs it, on
SQLite and, when reachable, on PostgreSQL. Writes bench/results/audit.json and .md.

Run from the repository root:
    python -m bench.audit.run [--reviews 10000 100000] [--databases sqlite postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from web3 import Web3

from bench.audit.seed import anchors_by_visit, insert_rows, log, seed_chain
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine
from tests.support.anvil import PROJECT_ROOT, AnvilNode, anvil_binary
from tests.support.databases import fresh_postgres_schema

RESULTS = PROJECT_ROOT / "bench" / "results"
CLI = str(Path(sys.executable).parent / "dentareview")
REVIEWS_PER_BLOCK = 1_000
# No empty blocks between: with 100k reviews' state, Anvil takes seconds per empty block.
EMPTY_BLOCKS_BETWEEN = 0
SMALL_RANGE = 100  # a second SQLite audit, to show the calls growing with the ranges


def _audit(rpc_url: str, data_dir: Path, database_url: str, *extra: str) -> dict[str, Any]:
    command = [CLI, "audit", "--rpc-url", rpc_url, "--data-dir", str(data_dir),
               "--database-url", database_url, "--json", *extra]  # fmt: skip
    load = os.getloadavg()[0]  # other work on the machine skews the time: say how much
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the audit and its workers
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"audit exited {done.returncode}: {done.stderr}\n{done.stdout[:2000]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return {
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 1),
        "load_average_before": round(load, 2),
        "audit_seconds": report["seconds"],
        "ok": report["ok"],
        "counts": report["counts"],
        "blocks": report["blocks"],
        "rpc_calls": report["rpcCalls"],
        "rpc_calls_total": report["rpcCallsTotal"],
    }


def measure(reviews: int, databases: list[str], workdir: Path) -> dict[str, Any]:
    node = AnvilNode(extra_args=["--gas-limit", "3000000000"])
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url, request_kwargs={"timeout": 300}))
        data_dir = workdir / f"data-{reviews}"
        seeded = seed_chain(
            w3,
            node.rpc_url,
            data_dir,
            reviews=reviews,
            per_block=REVIEWS_PER_BLOCK,
            empty_blocks_between=EMPTY_BLOCKS_BETWEEN,
        )
        anchors = anchors_by_visit(w3, seeded)
        assert len(anchors) == reviews, f"{len(anchors)} anchors for {reviews} reviews"
        reward = seeded.settings.reward_amount
        results: dict[str, Any] = {
            "reviews": reviews,
            "chain_blocks": [seeded.first_block, seeded.last_block],
            "blocks_with_reviews": seeded.blocks_with_reviews,
            "seed_seconds": {k: round(v, 1) for k, v in seeded.seconds.items()},
            "audits": {},
        }
        for kind in databases:
            with ExitStack() as stack:
                if kind == "sqlite":
                    url = f"sqlite:///{workdir / f'audit-{reviews}.db'}"
                else:
                    url = stack.enter_context(fresh_postgres_schema())
                upgrade_database(url)
                engine = make_engine(url)
                started = time.perf_counter()
                insert_rows(engine, seeded, anchors, reward)
                engine.dispose()
                log(f"{kind}: inserted {reviews} reviews in {time.perf_counter() - started:.1f} s")
                audit = _audit(node.rpc_url, data_dir, url)
                log(f"{kind}: audit of {reviews} took {audit['wall_seconds']} s")
                results["audits"][kind] = audit
                if kind == "sqlite":
                    small = _audit(node.rpc_url, data_dir, url, "--block-range", str(SMALL_RANGE))
                    results["audits"][f"sqlite, --block-range {SMALL_RANGE}"] = small
        return results
    finally:
        node.stop()


def _environment() -> dict[str, Any]:
    anvil = subprocess.run([anvil_binary(), "--version"], capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "anvil": anvil.stdout.splitlines()[0] if anvil.stdout else "unknown",
        "reviews_per_block": REVIEWS_PER_BLOCK,
        "empty_blocks_between": EMPTY_BLOCKS_BETWEEN,
        "block_range": 10_000,
    }


def _markdown(data: dict[str, Any]) -> str:
    lines = [
        "# `dentareview audit`: time and RPC calls",
        "",
        f"Command: `{data['command']}`",
        "",
        "Each run: a fresh Anvil, N genuine reviews (dentist-signed visit, patient-signed "
        "review) anchored by `submitReview` with the reward minted, the database filled from "
        "the chain's events, then `dentareview audit --json` timed as a subprocess (wall time "
        "includes start-up). The audit recomputes every digest and both signatures of every "
        "review, reads all ReviewAnchored/RewardQueued/QueuedRewardPaid and mint logs in "
        "10,000-block ranges, and reconciles rewards.",
        "",
        "| reviews | database | audit wall (s) | audit internal (s) | CPU (s) | RPC calls | "
        "eth_getLogs | chain blocks | load before | result |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in data["runs"]:
        first, last = run["chain_blocks"]
        for kind, audit in run["audits"].items():
            lines.append(
                f"| {run['reviews']:,} | {kind} | {audit['wall_seconds']} | "
                f"{audit['audit_seconds']} | {audit['cpu_seconds']} | {audit['rpc_calls_total']} | "
                f"{audit['rpc_calls'].get('eth_getLogs', 0)} | {first}..{last} | "
                f"{audit['load_average_before']} | {'clean' if audit['ok'] else 'DISCREPANCIES'} |"
            )
    lines += [
        "",
        "Wall: the whole command, Python start-up included. Internal: the audit's own "
        "timer. CPU: user and system time of the audit process and its worker processes, "
        "which other work on the machine does not inflate; the hashing is spread over one "
        "process per CPU, so an idle machine needs about CPU / cores plus start-up. Load "
        "before: the 1-minute load average when the audit started (a shared machine). "
        "RPC calls: every JSON-RPC call the audit made, counted by its provider; "
        "eth_getLogs is one call per block range for the registry's events and one for the "
        "token's mints, whatever the number of reviews.",
        "",
        "Seeding (not part of the audit), seconds:",
        "",
    ]
    for run in data["runs"]:
        lines.append(f"- {run['reviews']:,} reviews: {run['seed_seconds']}")
    env = data["environment"]
    lines += [
        "",
        f"Environment: {env['cpus']} CPUs, Python {env['python']}, {env['anvil']}; "
        f"{env['reviews_per_block']} reviews per block followed by {env['empty_blocks_between']} "
        "empty blocks; audit with its defaults (one hashing process per CPU, 10,000-block ranges).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    command = "python -m bench.audit.run"
    if args.reviews != [10_000, 100_000]:
        command += " --reviews " + " ".join(map(str, args.reviews))
    if args.databases != ["sqlite", "postgresql"]:
        command += " --databases " + " ".join(args.databases)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [measure(n, args.databases, Path(tmp)) for n in args.reviews]
    data = {"command": command, "environment": _environment(), "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "audit.json").write_text(json.dumps(data, indent=2) + "\n")
    (RESULTS / "audit.md").write_text(_markdown(data))
    print(_markdown(data))


if __name__ == "__main__":
    main()
