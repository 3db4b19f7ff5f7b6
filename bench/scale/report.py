"""The markdown table of bench/results/scale.md, with each target and whether it is met."""

from __future__ import annotations

from typing import Any

ANCHOR_GAS_TARGET = 1_000  # per review, batch mode, N >= 64
INTAKE_RATIO_TARGET = 0.3  # of the bare endpoint's rate, at 8 clients
INTAKE_P50_TARGET_MS = 5  # at 1 client
SINGLE_TARGET = 200  # reviews/s anchored one transaction each, on Anvil
BATCH_TARGET = 2_000  # reviews/s anchored in Merkle batches, on Anvil
REPUTATION_P50_TARGET_MS = 10
REPUTATION_P99_TARGET_MS = 30
AUDIT_TARGET_SECONDS = 60
REVIEWS_PER_PATIENT = (1, 3)  # per payout: the assumption behind the amortized reward cost


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _gas(results: dict[str, Any]) -> list[str]:
    gas = results["gas"]
    single, payouts = gas["single"]["median_gas"], gas["payouts"]
    existing = payouts["existing_holders"]["per_patient"]
    new = payouts["new_holders"]["per_patient"]
    lines = [
        "## 1. Gas per review (receipts' gasUsed)",
        "",
        "| mode | anchoring per review | reward per review | total per review |",
        "|---|---:|---:|---:|",
        f"| per-review `submitReview`, rewarded (median, new/existing holder mix) | "
        f"{single['not_rewarded']:,} (no mint) | {single['overall'] - single['not_rewarded']:,} "
        f"| {single['overall']:,} |",
    ]
    for n, row in gas["batch_anchoring"].items():
        anchor = row["per_review"]
        for r in REVIEWS_PER_PATIENT:
            reward = existing / r
            lines.append(
                f"| batch, N = {n}, {r} review(s) per patient per payout, existing holder | "
                f"{anchor:,.0f} | {reward:,.0f} | {anchor + reward:,.0f} |"
            )
    dc = gas["dentacoin_style"]
    lines += [
        f"| Dentacoin-2017-style baseline (storage + pool transfer; median, new/existing) | — | — "
        f"| {dc['overall']:,} ({dc['new_holder']:,} / {dc['existing_holder']:,}) |",
        f"| EAS `attest` (reference figure from the brief, not measured here) | — | — "
        f"| {gas['eas_attest_reference']:,} |",
        "",
        "Batch root transaction: "
        + ", ".join(
            f"N = {n}: {row['batch_gas']:,} gas" for n, row in gas["batch_anchoring"].items()
        )
        + " (size-independent: one new slot per root plus the shared credit word).",
        f"Aggregate payout of {payouts['patients_per_payout']} patients: "
        f"{payouts['existing_holders']['payout_gas']:,} gas to existing holders "
        f"({existing:,.0f} per patient), {payouts['new_holders']['payout_gas']:,} to new holders "
        f"({new:,.0f} per patient). A patient's first ever reward pays the new-holder price once.",
        "",
    ]
    at64 = gas["batch_anchoring"]["256"]["batch_gas"] / 64
    lines.append(
        f"Target: batch anchoring <= {ANCHOR_GAS_TARGET:,} gas per review at N >= 64: "
        f"{at64:,.0f} at N = 64 (same root cost / 64) — {_met(at64 <= ANCHOR_GAS_TARGET)}."
    )
    return [*lines, ""]


def _intake(results: dict[str, Any]) -> list[str]:
    intake = results["intake"]
    lines = [
        "## 2. Intake: POST /v1/reviews on PostgreSQL "
        f"({intake['workers']} uvicorn workers, {intake['cores']} cores, client on the same cores)",
        "",
        f"Medians over {intake['rounds']} rounds; in each round the service and the bare "
        "endpoint run one after the other at each concurrency, and the ratio is the median "
        "of the rounds' own ratios.",
        "",
        "| clients | service req/s | p50 ms | p99 ms | bare req/s | bare p50 ms | bare p99 ms "
        "| ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c, row in intake["service"].items():
        bare = intake["bare"][c]
        lines.append(
            f"| {c} | {row['per_second']:,} | {row['p50_ms']} | {row['p99_ms']} | "
            f"{bare['per_second']:,} | {bare['p50_ms']} | {bare['p99_ms']} | {intake['ratio'][c]} |"
        )
    ratio = intake["ratio"]["8"]
    p50 = intake["service"]["1"]["p50_ms"]
    every = ", ".join(
        f"{s['per_second']:,} / {b['per_second']:,}"
        for s, b in zip(
            intake["service"]["8"]["rounds"], intake["bare"]["8"]["rounds"], strict=True
        )
    )
    service8, bare8 = intake["service"]["8"], intake["bare"]["8"]
    lines += [
        "",
        f"Every round at 8 clients (service / bare req/s): {every}.",
        "",
        "CPU per request at 8 clients (medians, from /proc): the service's processes "
        f"{service8['server_cpu_ms']} ms and PostgreSQL {service8['postgres_cpu_ms']} ms; "
        f"the bare endpoint's processes {bare8['server_cpu_ms']} ms.",
        "",
        f"Targets: >= {INTAKE_RATIO_TARGET} of the bare rate at 8 clients — {ratio} "
        f"({_met(ratio >= INTAKE_RATIO_TARGET)}); p50 <= {INTAKE_P50_TARGET_MS} ms at 1 client "
        f"— {p50} ms ({_met(p50 <= INTAKE_P50_TARGET_MS)}). Profile: "
        "`python -m bench.profile.intake` (bench/results/intake_profile.txt).",
        "",
    ]
    return lines


def _rest(results: dict[str, Any]) -> list[str]:
    anchoring, rep, audit = results["anchoring"], results["reputation"], results["audit"]
    p50 = rep["typical"]["p50_ms"]
    lines = [
        "## 3. Anchoring throughput on Anvil (PostgreSQL)",
        "",
        "| mode | reviews | seconds (median run) | reviews/s (median) | every run | target |",
        "|---|---:|---:|---:|---|---|",
        *(_anchoring_row(name, anchoring[key], target) for key, name, target in (
            ("single", f"per-review, up to {anchoring['single'].get('in_flight_per_pass', '?')} "
             "in flight", SINGLE_TARGET),
            ("batch", f"batch (N = {anchoring['batch']['batch_size']})", BATCH_TARGET),
        )),
        "",
        f"Batch mode over per-review mode: {anchoring.get('batch_over_single', '?')}x. "
        "Profile: `python -m bench.profile.anchoring` (bench/results/anchoring_profile.txt).",
        "",
        f"## 4. Reputation query at {rep['reviews']:,} reviews ({rep['dentists']:,} dentists)",
        "",
        "| dentist | queries | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
        f"| typical (~{rep['reviews'] // rep['dentists']} reviews) | {rep['typical']['queries']} | "
        f"{p50} | {rep['typical']['p99_ms']} |",
        f"| large practice ({rep['reviews_of_large_dentist']:,} reviews) | "
        f"{rep['large']['queries']} | {rep['large']['p50_ms']} | {rep['large']['p99_ms']} |",
        *_revalidated(rep),
        "",
        f"Target: p50 < {REPUTATION_P50_TARGET_MS} ms and p99 < {REPUTATION_P99_TARGET_MS} ms "
        f"at 100k (the large practice, over HTTP) — "
        f"{_met(_large_ok(rep))}. Reads come from per-dentist totals kept as reviews are "
        f"anchored; rebuilding them all from the 100k reviews took "
        f"{rep.get('rebuild_seconds', '?')} s.",
        "",
        "## 5. Full audit at 100k reviews",
        "",
    ]
    if audit.get("status") == "ran":
        seconds = audit["audit_seconds"]
        lines.append(
            f"`dentareview audit` on {audit['reviews']:,} reviews (PostgreSQL): {seconds} s "
            f"(ok: {audit['ok']}). Target < {AUDIT_TARGET_SECONDS} s — "
            f"{_met(seconds < AUDIT_TARGET_SECONDS)}."
        )
    else:
        lines.append(f"Not measured: {audit.get('status')} ({audit.get('reason', '')}).")
    return [*lines, ""]


def render(results: dict[str, Any]) -> str:
    env = results["environment"]
    head = [
        "# Scale benchmarks",
        "",
        f"Command: `{results.get('command', 'python -m bench.run_all')}` (`make bench` runs "
        "`python -m bench.run_all`). One run, side by side.",
        f"Environment: {env['cpus']} CPUs, Python {env['python']}, {env['anvil']}, "
        f"{env['postgresql_client']}; total {results['total_seconds']} s.",
        *_load(env),
        "",
    ]
    return "\n".join(
        head + _gas(results) + _intake(results) + _rest(results) + _ratelimit(results)
    )


def _load(env: dict[str, Any]) -> list[str]:
    if "load_average" not in env:
        return []
    stolen = env.get("cpu_stolen")
    steal = (
        f" The hypervisor gave {stolen:.0%} of the run's CPU time to other machines "
        "(steal, /proc/stat)."
        if stolen is not None
        else ""
    )
    return [
        f"Load average (1, 5, 15 min) at the start: {env['load_average']}, at the end: "
        f"{env.get('load_average_end', '?')}.{steal} The cores are shared with other work: "
        "the figures are noisy, compare them within one run."
    ]


def _ratelimit(results: dict[str, Any]) -> list[str]:
    limits = results.get("ratelimit")
    if not limits:
        return []
    memory, shared = limits["memory"], limits["redis"]
    return [
        "",
        "## 6. Rate limits: the checks of one write (client IP and wallet, moving windows)",
        "",
        "| store | checks | p50 µs | p99 µs |",
        "|---|---:|---:|---:|",
        f"| process memory (no Redis) | {limits['checks']:,} | {memory['p50_us']} | "
        f"{memory['p99_us']} |",
        f"| Redis (shared by every process and host) | {limits['checks']:,} | "
        f"{shared['p50_us']} | {shared['p99_us']} |",
        "",
    ]


def _anchoring_row(name: str, row: dict[str, Any], target: int) -> str:
    runs = ", ".join(f"{r:,}" for r in row.get("runs_per_second", [row["per_second"]]))
    return (
        f"| {name} | {row['reviews']:,} | {row['seconds']} | {row['per_second']:,} | {runs} | "
        f">= {target:,} — {_met(row['per_second'] >= target)} |"
    )


def _revalidated(rep: dict[str, Any]) -> list[str]:
    row = rep.get("large_revalidated_304")
    if row is None:
        return []
    return [
        f"| large practice, revalidated with its ETag (304) | {row['queries']} | "
        f"{row['p50_ms']} | {row['p99_ms']} |"
    ]


def _large_ok(rep: dict[str, Any]) -> bool:
    large = rep["large"]
    return bool(
        large["p50_ms"] < REPUTATION_P50_TARGET_MS and large["p99_ms"] < REPUTATION_P99_TARGET_MS
    )
