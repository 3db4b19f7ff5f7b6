"""No pattern can be made to backtrack: texts of the maximum length built against
backtracking engines are checked in time linear in their length, by every check that
matches patterns on user text, and by the running service while it answers /health.

The patterns run on RE2 (dentareview/linear_re.py) and phone numbers are found by
libphonenumber. The reply check once took 31 s on 121 characters of digits and spaces
(backtracking `re`), and stalled /health meanwhile: each hostile text here gets a
thousand times the cost of prose of the same length, far below such a stall.

Moderation signals take no text (counts and ratings only): nothing to check there.
"""

from __future__ import annotations

import ast
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.service import Service, deployed_stack, running
from tests.security.hostile import BENIGN, CHECKS, HOSTILE, MAX_CHARS, seconds
from tests.support.anvil import AnvilNode

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dentareview"

# A hostile text may cost this many times prose of the same length...
FACTOR = 1000
# ...and never less than this: a loaded machine gives a process a fraction of a core at
# times, and a backtracking pattern on these texts runs for hours or more.
FLOOR_SECONDS = 20.0
# A /health answer while the check runs (it waited 31 s behind the backtracking check).
HEALTH_SECONDS = 3.0
# Interpreter start and imports of the child process, before the first text.
START_SECONDS = 60.0

# Modules that may import a backtracking engine (`re`, `regex`), and why that is safe.
BACKTRACKING_ALLOWED = {
    "dentareview/audit/logs.py": "a node's error message against fixed words, no repetition",
    "dentareview/chain/artifacts.py": "contract names from our own compiler output",
    "dentareview/db/storage_errors.py": "the database's own constraint message",
    "dentareview/domain/practice_names.py": (
        "one Unicode property class matched on one character at a time (nothing to "
        "backtrack); RE2 has no Default_Ignorable_Code_Point property"
    ),
}
BACKTRACKING_ENGINES = {"re", "regex"}


def _imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_only_the_allow_list_imports_a_backtracking_regex_engine() -> None:
    offenders = {}
    re2_users = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        imported = set(_imported_modules(path))
        if imported & BACKTRACKING_ENGINES and name not in BACKTRACKING_ALLOWED:
            offenders[name] = sorted(imported & BACKTRACKING_ENGINES)
        if "re2" in imported:
            re2_users.add(name)
    assert offenders == {}, (
        "compile patterns on user text with dentareview.linear_re.compile_linear (RE2); "
        "a module that only reads trusted text goes in BACKTRACKING_ALLOWED with its reason"
    )
    assert re2_users == {"dentareview/linear_re.py"}, "RE2 is compiled in one place"


class _Lines:
    """Lines of a child's stdout, each awaited with a deadline (select on the pipe)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self._fd = process.stdout.fileno()
        self._buffer = b""

    def next(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                return None
            chunk = os.read(self._fd, 4096)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()


@pytest.mark.parametrize("check_name", sorted(CHECKS))
def test_hostile_texts_of_the_maximum_length_take_linear_time(check_name: str) -> None:
    check = CHECKS[check_name]
    check(BENIGN)  # compiled patterns and caches warm
    linear = min(seconds(check, BENIGN) for _ in range(3))
    budget = max(FLOOR_SECONDS, FACTOR * linear)
    assert all(len(text) == MAX_CHARS for text in HOSTILE.values())

    # Each text in a child process, so a check that would hang is killed at its budget.
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.security.hostile", check_name],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    try:
        lines = _Lines(child)
        assert lines.next(START_SECONDS) == "ready"
        for name in HOSTILE:
            line = lines.next(budget)
            assert line is not None, (
                f"{check_name}: {name!r} took over {budget:.1f} s "
                f"({FACTOR}x the {linear * 1000:.1f} ms of prose of the same length)"
            )
            spent, done = line.split(" ", 1)
            assert done == name and float(spent) < budget
    finally:
        child.kill()
        child.wait()


# --------------------------------------------------------------- the running service


@pytest.fixture(scope="module")
def service(anvil: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`dentareview serve` with one worker: /health shares the process (and its GIL)."""
    data_dir = tmp_path_factory.mktemp("data")
    database = f"sqlite:///{data_dir / 'dentareview.db'}"
    log = tmp_path_factory.mktemp("logs") / "service.log"
    with (
        deployed_stack(anvil, data_dir, database) as stack,
        running(Service(stack.env(), workers=1, log_path=log)) as service,
    ):
        yield service


def _worst_text() -> str:
    """The hostile text the reply check takes longest on, measured here."""
    check = CHECKS["reply PHI check"]
    return max(HOSTILE.values(), key=lambda text: seconds(check, text))


def test_the_worst_text_is_answered_quickly_while_health_answers(service: Service) -> None:
    worst = _worst_text()
    linear = min(seconds(CHECKS["reply PHI check"], BENIGN) for _ in range(3))
    budget = max(FLOOR_SECONDS, FACTOR * linear)
    answered: dict[str, float | int] = {}

    def post_check() -> None:
        started = time.monotonic()
        response = httpx.post(
            f"{service.url}/v1/replies/check", json={"text": worst}, timeout=budget + 30
        )
        answered["status"] = response.status_code
        answered["seconds"] = time.monotonic() - started

    poster = threading.Thread(target=post_check)
    poster.start()
    health_seconds = []
    with httpx.Client(base_url=service.url, timeout=budget + 30) as client:
        while poster.is_alive() or not health_seconds:
            started = time.monotonic()
            assert client.get("/health").status_code in (200, 503)  # 503: chain unhealthy
            health_seconds.append(time.monotonic() - started)
            time.sleep(0.05)
    poster.join()

    assert answered["status"] == 200
    assert answered["seconds"] < budget, answered
    # /health never waited for the check (a backtracking check held the GIL throughout).
    assert max(health_seconds) < HEALTH_SECONDS, health_seconds
