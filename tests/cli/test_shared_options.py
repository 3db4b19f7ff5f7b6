"""The CLI's shared options are declared once, in cli/common.py, and read into Settings once."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from dentareview.cli import app
from dentareview.cli.common import _SHARED

CLI = Path(__file__).resolve().parents[2] / "dentareview" / "cli"
SHARED_NAMES = {name for group in _SHARED.values() for name, _, _ in group}


def test_no_command_module_declares_or_reads_the_shared_options_itself() -> None:
    for module in sorted(CLI.glob("*.py")):
        if module.name == "common.py":
            continue
        source = module.read_text(encoding="utf-8")
        assert "load_settings(" not in source, module.name
        for name in SHARED_NAMES:
            assert not re.search(rf"^\s+{name}: \w+", source, re.M), (module.name, name)


def test_every_command_that_takes_settings_offers_the_shared_flags() -> None:
    command = typer.main.get_command(app)
    serve = command.commands["serve"]  # type: ignore[attr-defined]
    flags = {flag for param in serve.params for flag in param.opts}
    assert {"--rpc-url", "--private-key", "--data-dir", "--database-url"} <= flags
    assert "settings" not in {param.name for param in serve.params}
