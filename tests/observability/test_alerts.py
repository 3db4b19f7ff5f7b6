"""The alert rules and the dashboard in deploy/: valid for Prometheus, each alert tested
by `promtool test rules`, and every metric they name exported by the service."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from dentareview.observability import metrics

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
RULE_TESTS = DEPLOY / "prometheus" / "alerts_test.yml"
DASHBOARD = DEPLOY / "grafana" / "dentareview.json"

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: apt-get install prometheus (see .ci/run)"
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120)


def exported_names() -> set[str]:
    """Every series name the service can export: the declared metrics with the suffixes
    their type adds, the gauges computed at scrape time, and the audit job's file."""
    assert metrics.HTTP_REQUESTS is not None  # declared on import, into the default registry
    names = set(metrics.SCRAPE_TIME) | set(metrics.AUDIT_JOB)
    for family in REGISTRY.collect():
        if family.name.startswith("dentareview_"):
            names.update(family.name + suffix for suffix in _SUFFIXES[family.type])
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: identifiers left once strings, label
    matchers, grouping clauses, ranges and numbers are removed, and that are neither a
    function or aggregation (followed by a parenthesis) nor a keyword."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"(?<![\w:])\d[\d.]*(?:e[+-]?\d+)?", "", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        if expr[match.end() :].lstrip().startswith("(") or match.group() in _KEYWORDS:
            continue
        names.add(match.group())
    return names


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def test_the_name_extraction_finds_metrics_and_nothing_else() -> None:
    expr = (
        'sum(rate(a_total{status=~"5..",route!="/health"}[5m])) by (route)'
        " / on(instance) sum without (pid) (b_bucket) > 0.9 and c or absent(d) * 1e9"
    )
    assert metric_names(expr) == {"a_total", "b_bucket", "c", "d"}


def test_the_rules_are_valid() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_fires_in_its_unit_test() -> None:
    tested = promtool("test", "rules", str(RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    cases = yaml.safe_load(RULE_TESTS.read_text())["tests"]
    firing = {
        case["alertname"]
        for test in cases
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    silent = {
        case["alertname"]
        for test in cases
        for case in test.get("alert_rule_test", [])
        if not case.get("exp_alerts")
    }
    alerts = {rule["alert"] for rule in rules()}
    assert alerts <= firing, f"alerts never shown firing: {alerts - firing}"
    assert alerts <= silent, f"alerts never shown silent: {alerts - silent}"


@pytest.mark.parametrize("source", ["rules", "dashboard"])
def test_every_metric_named_is_exported_by_the_service(source: str) -> None:
    exprs = [rule["expr"] for rule in rules()] if source == "rules" else dashboard_exprs()
    assert exprs
    named = set().union(*(metric_names(expr) for expr in exprs))
    unknown = named - exported_names()
    assert not unknown, f"the {source} name metrics the service does not export: {unknown}"


def test_the_dashboard_shows_the_alerts_and_what_each_one_watches() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert any(panel["type"] == "alertlist" for panel in panels)
    shown = set().union(*(metric_names(expr) for expr in dashboard_exprs()))
    for rule in rules():
        missing = metric_names(rule["expr"]) - shown
        assert not missing, f"{rule['alert']}: no panel shows {missing}"
