"""Fixtures: a chain of the module's own (its nonces and blocks are ours to count)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.figures import summary_lines
from tests.support.anvil import AnvilNode


@pytest.fixture(scope="module")
def own_chain() -> Iterator[AnvilNode]:
    node = AnvilNode()
    node.start()
    yield node
    node.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = summary_lines()
    if lines:
        terminalreporter.section("reliability and security figures")
        for line in lines:
            terminalreporter.write_line(line)
