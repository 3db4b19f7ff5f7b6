"""Measure a Semaphore v4 proof made in headless Chromium, by group size.

Starts the real system (Anvil, the contracts, `dentareview serve`) as the browser tests do,
and drives Debian's Chromium with Playwright. The proof is made by the page's own code: the
built `prover` chunk of the web app (web/src/anonymous/prover.ts), imported into a page of
the service, starts the built proof worker (web/src/anonymous/worker.ts), which fetches the
proving files of the group's depth from the service's /zk/ and runs snarkjs.

For groups of 10, 1,000 and 100,000 members (tree depths 4, 10 and 17), RUNS times each,
every run in a fresh browser context (an empty HTTP cache, as a patient's first review):

- building the group's tree from the member list: the worker's `root` request (the page's
  message to the same worker chunk), after a warm-up request has loaded the worker;
- the proof: `prove()` as the page calls it, whole (worker start, tree, proving files,
  Groth16), and its last part alone, from the proving files' arrival (the worker's Resource
  Timing) to the answer on the page;
- the proving-file bytes fetched: Resource Timing's transferSize, encodedBodySize and
  decodedBodySize of /zk/semaphore-<depth>.wasm and .zkey, as the worker saw them, beside
  the files' sizes as served;
- verifying one proof: `verify()` as the verification page calls it (a new worker, the
  verification keys the package embeds).

The 10-member group is a real practice's group: ten patients join through the API and the
service commits its root on-chain; the page proves against the committed members and root.
The larger groups are built directly (one real identity, the other members random
commitments, which cost the tree the same): the worker needs only the members, the root and
the identity. Writes bench/results/anonymous_browser_proofs.json and .md.

Run from the repository root:  python -m bench.anonymous.browser_proofs
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

from bench.anonymous.proof_times import SECRET, members_of
from bench.gas.measure_submit_review import RESULTS_DIR
from tests.contracts.semaphore import commitments
from tests.support.anvil import PROJECT_ROOT
from tests.web.browser import CHROMIUM, CHROMIUM_FLAGS, DESKTOP
from tests.web.conftest import WebSystem, web_system
from tests.web.test_anonymous_reviews import FAST, join_by_api

COMMAND = "python -m bench.anonymous.browser_proofs"
SIZES = (10, 1_000, 100_000)
RUNS = 3
ASSETS = PROJECT_ROOT / "dentareview" / "webapp" / "assets"
GROUP_WAIT_S = 60

# A worker's `terminate()` is held back until the benchmark has read the worker's Resource
# Timing entries (the page ends its proof worker as soon as it answers); nothing else changes.
HOLD_TERMINATE = """
(() => {
  const terminate = Worker.prototype.terminate;
  const held = [];
  Worker.prototype.terminate = function () { held.push(this); };
  window.__endWorkers = () => { for (const worker of held.splice(0)) terminate.call(worker); };
})();
"""

# One run on a fresh page: the tree (worker `root` request), the proof (the page's prove()).
RUN_JS = """
async ({ proverUrl, workerUrl, secret, root, message, scope }) => {
  const members = window.__members;
  const ask = (worker, request) => new Promise((resolve, reject) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => reject(new Error(event.message || "worker failed"));
    worker.postMessage(request);
  });
  const worker = new Worker(workerUrl, { type: "module" });
  let started = performance.now();
  await ask(worker, { kind: "root", members: members.slice(0, 1) });  // loads the worker
  const warmupMs = performance.now() - started;
  started = performance.now();
  const tree = await ask(worker, { kind: "root", members });
  const treeMs = performance.now() - started;
  worker.terminate();
  window.__endWorkers();
  if (root !== null && tree.root !== root) throw new Error(`root ${tree.root} != ${root}`);

  const prover = await import(proverUrl);
  const functions = Object.values(prover).filter((f) => typeof f === "function");
  const prove = functions.find((f) => f.length === 5);
  started = performance.now();
  const proof = await prove(secret, members, tree.root, BigInt(message), BigInt(scope));
  const proveMs = performance.now() - started;
  const answeredAt = performance.timeOrigin + performance.now();
  return { warmupMs, treeMs, depth: tree.depth, root: tree.root, proveMs, answeredAt, proof };
}
"""

VERIFY_JS = """
async ({ proverUrl, proof, message, scope }) => {
  const prover = await import(proverUrl);
  const functions = Object.values(prover).filter((f) => typeof f === "function");
  const verify = functions.find((f) => f.length === 3);
  const started = performance.now();
  const valid = await verify(proof, BigInt(message), BigInt(scope));
  return { valid, verifyMs: performance.now() - started };
}
"""

WORKER_TIMING_JS = """
() => [performance.timeOrigin, performance.getEntriesByType("resource")
  .filter((entry) => entry.name.includes("/zk/")).map((entry) => entry.toJSON())]
"""


def built_chunks() -> tuple[str, str]:
    """The built prover chunk (the page's prove/verify) and the worker chunk it starts."""
    provers = [
        path
        for path in sorted(ASSETS.glob("prover-*.js"))
        if "the proof worker failed" in path.read_text()
    ]
    if len(provers) != 1:
        raise SystemExit(f"expected one built prover chunk in {ASSETS}, found {provers}")
    match = re.search(r"/assets/worker-[\w-]+\.js", provers[0].read_text())
    if match is None:
        raise SystemExit(f"{provers[0].name} names no worker chunk")
    return f"/assets/{provers[0].name}", match.group(0)


def practice_group(web: WebSystem) -> tuple[list[str], str, str]:
    """A practice whose ten patients joined through the API; its committed members and root
    once the service has committed all ten, and one member's identity secret."""
    dentist = web.new_dentist("Benchmark Dental")
    secrets_ = [f"{SECRET} {i}" for i in range(SIZES[0])]
    commitments(secrets_)
    for secret in secrets_:
        join_by_api(web, dentist, secret)
    deadline = time.monotonic() + GROUP_WAIT_S
    while time.monotonic() < deadline:
        body = httpx.get(f"{web.url}/v1/dentists/{dentist.address}/group", timeout=10).json()
        if body["committedSize"] == SIZES[0] and body["committedRoot"]:
            return body["members"], body["committedRoot"], secrets_[SIZES[0] // 2]
        time.sleep(0.5)
    raise SystemExit(f"the practice's group was not committed within {GROUP_WAIT_S} s")


def one_run(
    browser: Browser,
    web: WebSystem,
    chunks: tuple[str, str],
    members: list[str],
    secret: str,
    root: str | None,
    run: int,
) -> dict[str, Any]:
    load = os.getloadavg()[0]
    context = browser.new_context(viewport=DESKTOP)
    try:
        context.add_init_script(HOLD_TERMINATE)
        page = context.new_page()
        page.goto(f"{web.url}/")
        page.evaluate("(members) => { window.__members = members; }", members)
        message, scope = 2000 + run, 1000 + run
        result: dict[str, Any] = page.evaluate(
            RUN_JS,
            {
                "proverUrl": chunks[0],
                "workerUrl": chunks[1],
                "secret": secret,
                "root": root,
                "message": str(message),
                "scope": str(scope),
            },
        )
        entries = []
        for worker in page.workers:
            origin, found = worker.evaluate(WORKER_TIMING_JS)
            entries += [{**entry, "timeOrigin": origin} for entry in found]
        page.evaluate("() => window.__endWorkers()")
        files_at = max(entry["timeOrigin"] + entry["responseEnd"] for entry in entries)
        verified: dict[str, Any] = page.evaluate(
            VERIFY_JS,
            {
                "proverUrl": chunks[0],
                "proof": result["proof"],
                "message": str(message),
                "scope": str(scope),
            },
        )
        page.evaluate("() => window.__endWorkers()")
        if not verified["valid"]:
            raise SystemExit(f"the browser's proof did not verify: {result['proof']}")
        return {
            "load_1min_at_start": round(load, 2),
            "warmup_ms": result["warmupMs"],
            "tree_ms": result["treeMs"],
            "prove_ms": result["proveMs"],
            "proof_after_files_ms": result["answeredAt"] - files_at,
            "files_ms": max(e["responseEnd"] for e in entries)
            - min(e["startTime"] for e in entries),
            "verify_ms": verified["verifyMs"],
            "depth": result["depth"],
            "root": result["root"],
            "files": sorted(
                (
                    {
                        "path": "/zk/" + entry["name"].rsplit("/zk/", 1)[1],
                        "transferSize": entry["transferSize"],
                        "encodedBodySize": entry["encodedBodySize"],
                        "decodedBodySize": entry["decodedBodySize"],
                    }
                    for entry in entries
                ),
                key=lambda file: file["path"],
            ),
        }
    finally:
        context.close()


def served_size(web: WebSystem, path: str) -> int:
    response = httpx.get(f"{web.url}{path}", timeout=30)
    response.raise_for_status()
    return len(response.content)


def measure() -> dict[str, Any]:
    chunks = built_chunks()
    load_before = os.getloadavg()
    rows = []
    with (
        tempfile.TemporaryDirectory() as data_dir,
        web_system(Path(data_dir), **FAST) as web,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        version = browser.version
        for size in SIZES:
            if size == SIZES[0]:
                members, root, secret = practice_group(web)
                committed: str | None = root
            else:
                members = [str(member) for member in members_of(size)]
                secret, committed = SECRET, None
            runs = [
                one_run(browser, web, chunks, members, secret, committed, run)
                for run in range(RUNS)
            ]
            files = runs[0]["files"]
            if len(files) != 2 or any(run["files"] != files for run in runs):
                raise SystemExit(f"unexpected proving files fetched: {runs}")
            rows.append(
                {
                    "members": size,
                    "depth": runs[0]["depth"],
                    "root_committed_on_chain": committed is not None,
                    "runs": runs,
                    "files": [
                        {**file, "file_bytes": served_size(web, file["path"])} for file in files
                    ],
                    **{
                        f"median_{key}": statistics.median(run[key] for run in runs)
                        for key in (
                            "warmup_ms",
                            "tree_ms",
                            "prove_ms",
                            "proof_after_files_ms",
                            "files_ms",
                            "verify_ms",
                        )
                    },
                }
            )
        browser.close()
    load_after = os.getloadavg()
    return {
        "command": COMMAND,
        "chromium": version,
        "chunks": list(chunks),
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "machine": platform.machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "runs": RUNS,
        "rows": rows,
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def render_markdown(result: dict[str, Any]) -> str:
    runs = result["runs"]
    lines = [
        "# Anonymous reviews (Semaphore v4): proof time in Chromium",
        "",
        f"Command: `{result['command']}`",
        "",
        f"Metric: milliseconds, median of {runs} runs, each in a fresh browser context (empty",
        f"HTTP cache), headless Chromium {result['chromium']} driven by Playwright, against the",
        "running service (its pages, its built web app, its /zk/ proving files). The proof is",
        "made by the page's own `prove()` (the built prover chunk), in the page's proof worker.",
        "",
        "| members | depth | build the group's tree | `prove()` whole | proof after files |"
        " files fetched in | verify one proof |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['members']:,} | {row['depth']} | {row['median_tree_ms']:,.0f} |"
            f" {row['median_prove_ms']:,.0f} | {row['median_proof_after_files_ms']:,.0f} |"
            f" {row['median_files_ms']:,.0f} | {row['median_verify_ms']:,.0f} |"
        )
    lines += [
        "",
        "Proving files loaded for one review (Resource Timing in the worker, bytes):",
        "",
        "| members | file | transferSize | encodedBodySize | decodedBodySize | file size |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        for file in row["files"]:
            lines.append(
                f"| {row['members']:,} | `{file['path']}` | {file['transferSize']:,} |"
                f" {file['encodedBodySize']:,} | {file['decodedBodySize']:,} |"
                f" {file['file_bytes']:,} |"
            )
        total = sum(file["transferSize"] for file in row["files"])
        lines.append(f"| {row['members']:,} | total | {total:,} | | | |")
    cores = result["cores"] or 1
    loads = [run["load_1min_at_start"] for row in result["rows"] for run in row["runs"]]
    busy = result["load_average_before"][0] > cores / 2
    before = ", ".join(f"{x:.2f}" for x in result["load_average_before"])
    after = ", ".join(f"{x:.2f}" for x in result["load_average_after"])
    lines += [
        "",
        f"Machine: {result['cores']} cores ({result['cpu']}, {result['machine']}); load average"
        f" (1, 5, 15 min) {before} before the runs, {after} after.",
        f"One-minute load average at the start of each run: {min(loads):.2f} to"
        f" {max(loads):.2f} (the benchmark's own Chromium, service and chain included).",
        *(
            [
                f"The machine was busy before the runs (one-minute load {before.split(',')[0]}"
                f" on {cores} cores, other work sharing it): the times are upper bounds."
            ]
            if busy
            else []
        ),
        "",
        f"Web app chunks: `{result['chunks'][0]}`, `{result['chunks'][1]}`.",
        "",
        "Columns:",
        "",
        "- Build the group's tree: the worker's `root` request with the whole member list",
        "  (structured clone of the members, BigInt parsing, the LeanIMT's Poseidon hashes),",
        "  timed on the page after a one-member request has loaded the worker.",
        "- `prove()` whole: what the patient waits for after pressing the button: a new worker",
        "  (its module loaded), the tree built again, the root checked, the wasm and zkey",
        "  fetched (empty cache), the Merkle proof and snarkjs' witness and Groth16 proof.",
        "- Proof after files: from the later of the two proving files' `responseEnd` (the",
        "  worker's Resource Timing) to the answer on the page: the Merkle proof, the witness",
        "  and the Groth16 proof (`generateProof`), comparable to the Node figure.",
        "- Files fetched in: from the first file's `startTime` to the last one's `responseEnd`.",
        "- Verify one proof: the verification page's `verify()` on the run's proof: a new",
        "  worker and snarkjs' Groth16 check with the verification key the package embeds",
        "  (nothing fetched).",
        "",
        "Notes:",
        "",
        "- The 10-member group is a practice's real group: ten patients joined through the API",
        "  and the proof is made against the members and root the service committed on-chain.",
        "  The 1,000- and 100,000-member groups are built directly (one real identity, the",
        "  others random commitments): the worker needs only members, root and identity.",
        "- The service gzips the proving files on the fly (its GZip middleware; they are sent",
        "  as application/octet-stream): encodedBodySize is the gzip body, decodedBodySize the",
        "  file. transferSize adds the response's headers. Compressing on each request is part",
        '  of "files fetched in" (the service is on the same machine: no network time).',
        "- The proving files come with `Cache-Control: immutable`: a second review of the same",
        "  depth on the same device fetches nothing (each run here starts with an empty cache).",
        "- The page builds the tree twice only in this benchmark (once to time it, once",
        "  inside `prove()`); a review builds it once, inside `prove()`.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    result = measure()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "anonymous_browser_proofs.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "anonymous_browser_proofs.md").write_text(render_markdown(result))
    print(render_markdown(result))


if __name__ == "__main__":
    main()
