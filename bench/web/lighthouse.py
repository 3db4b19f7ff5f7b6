"""Lighthouse (mobile) on every public page: performance score, layout shift, LCP, bytes.

A real system (Anvil, the contracts, `dentareview serve` on SQLite) with three practices,
one of them with four anchored reviews, one edited; then Lighthouse 12.8.2 (pinned in
bench/lighthouse/package.json, installed here with `npm ci`) in Debian's Chromium,
headless, its default mobile settings (a Moto G Power-sized screen, simulated slow 4G and
a 4x slower CPU), three runs per page; the median of each figure is reported.

    python -m bench.web.lighthouse      # writes bench/results/lighthouse.{json,md}
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from eth_account import Account

from tests.web.conftest import WebSystem, web_system

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "bench" / "lighthouse"
RESULTS = ROOT / "bench" / "results"
RUNS = 3
CHROMIUM = "/usr/bin/chromium"


def install() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=True)
    return binary


def seed(web: WebSystem) -> dict[str, str]:
    """The pages to measure, with data on them."""
    dentist = web.new_dentist("Smile Studio Kraków")
    web.new_dentist("Ząbek Family Dentistry")
    web.new_dentist("Dr. Weiss Zahnarztpraxis")
    texts = [
        "Painless cleaning and a clear explanation of every step. The team was kind and on time.",
        "Booked within a week, the filling was quick and the dentist checked I was comfortable.",
        "Friendly reception, short wait, and the hygienist gave practical advice for my gums.",
        "The crown fits well. The price was explained up front and there were no surprises.",
    ]
    ids = []
    for index, text in enumerate(texts):
        patient = Account.create()
        visit = web.visit(dentist, patient)
        ids.append(web.review(patient, visit, text=text, rating=5 - index % 2))
    for review_id in ids:
        web.wait_anchored(review_id)
    invited = web.visit(dentist, Account.create())  # a visit not yet reviewed: its invitation
    return {
        "home / directory": "/",
        "search": "/?q=Krak",
        "dentist profile": f"/dentists/{dentist.address}",
        "verification": f"/verify/{ids[0]}",
        "invitation": f"/invite/{invited['visitId']}",
        "how reviews work": "/how-reviews-work",
        "my reviews (signed out)": "/me",
    }


def measure(binary: Path, url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        subprocess.run(
            [
                str(binary),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                "--only-categories=performance,accessibility",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
            ],
            check=True,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
        data: dict[str, Any] = json.loads(report.read_text())
    audits = data["audits"]
    return {
        "performance": 100 * data["categories"]["performance"]["score"],
        "accessibility": 100 * data["categories"]["accessibility"]["score"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "bytes_kb": audits["total-byte-weight"]["numericValue"] / 1000,
    }


def main() -> None:
    binary = install()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as data, web_system(Path(data)) as web:
        for name, path in seed(web).items():
            runs = [measure(binary, web.url + path) for _ in range(RUNS)]
            results[name] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            print(name, results[name], file=sys.stderr)
    RESULTS.joinpath("lighthouse.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Lighthouse, mobile: every public page",
        "",
        "```sh",
        "python -m bench.web.lighthouse",
        "```",
        "",
        f"Lighthouse 12.8.2, Debian's Chromium, headless, default mobile settings (simulated "
        f"slow 4G, 4x CPU slowdown); median of {RUNS} runs per page; {platform.machine()}, "
        f"{os.cpu_count()} cores. The built pages are served gzipped.",
        "",
        "| page | performance | layout shift (CLS) | LCP | total blocking | bytes "
        "| accessibility |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['performance']:.0f} | {r['cls']:.3f} | {r['lcp_s']:.1f} s "
            f"| {r['tbt_ms']:.0f} ms | {r['bytes_kb']:.0f} KB | {r['accessibility']:.0f} |"
        )
    RESULTS.joinpath("lighthouse.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
