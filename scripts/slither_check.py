"""Run Slither on the contracts (Hardhat's build output) and judge its findings.

Fails on any High or Medium finding, and on any Low finding that docs/SECURITY.md
does not list with its justification in the table of accepted findings, a row
`| \`detector\` | \`Contract.function\` | impact | why |`. So a new finding stops CI
until someone fixes it or writes down why it is acceptable. Informational and
optimisation findings are not reported.

    python scripts/slither_check.py --slither .venv-slither/bin/slither
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECURITY_DOC = ROOT / "docs" / "SECURITY.md"
ACCEPTED_ROW = re.compile(r"^\|\s*`([\w-]+)`\s*\|\s*`([\w.]+)`\s*\|")


def accepted_findings(doc: Path) -> set[tuple[str, str]]:
    rows = (ACCEPTED_ROW.match(line) for line in doc.read_text().splitlines())
    return {(row[1], row[2]) for row in rows if row}


def where(finding: dict[str, object]) -> str:
    """`Contract.function` of the finding's first function element, else its first name."""
    elements = finding.get("elements")
    assert isinstance(elements, list) and elements
    for element in elements:
        if element.get("type") == "function":
            parent = element["type_specific_fields"]["parent"]["name"]
            return f"{parent}.{element['name']}"
    return str(elements[0].get("name"))


def run_slither(slither: str, artifacts: Path) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "slither.json"
        subprocess.run(
            [
                slither,
                ".",
                "--hardhat-ignore-compile",  # compiled by `npx hardhat compile`, offline
                "--hardhat-artifacts-directory",
                str(artifacts),
                "--filter-paths",
                "node_modules",
                "--exclude-informational",
                "--exclude-optimization",
                "--json",
                str(report),
            ],
            cwd=ROOT,
            check=False,  # non-zero whenever it finds anything: judged below
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not report.exists():
            sys.exit("slither produced no report: run it by hand to see why")
        body = json.loads(report.read_text())
    if not body.get("success"):
        sys.exit(f"slither failed: {body.get('error')}")
    detectors: list[dict[str, object]] = body.get("results", {}).get("detectors", [])
    return detectors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slither", default="slither", help="the slither executable")
    parser.add_argument("--artifacts", type=Path, default=ROOT / "artifacts")
    args = parser.parse_args()
    accepted = accepted_findings(SECURITY_DOC)
    findings = run_slither(args.slither, args.artifacts)
    problems = 0
    for finding in sorted(findings, key=lambda f: (str(f["impact"]), str(f["check"]))):
        key = (str(finding["check"]), where(finding))
        justified = finding["impact"] == "Low" and key in accepted
        verdict = "accepted (docs/SECURITY.md)" if justified else "NOT ACCEPTED"
        print(f"{finding['impact']:<6} {key[0]:<22} {key[1]:<45} {verdict}")
        problems += not justified
    print(f"slither: {len(findings)} findings (High/Medium/Low), {problems} not accepted")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
