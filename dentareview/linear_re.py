"""Patterns matched against text from outside, compiled once with RE2 (linear time).

Python's `re` backtracks: a pattern with ambiguous repetition can take time exponential
in the text's length, and holds the GIL all the while, stalling every thread of the
process. RE2 matches in time linear in the text, whatever the pattern. Every pattern
applied to user input is compiled here; tests/security/test_linear_time.py fails when a
module of the package compiles one with `re` instead.

RE2 has no lookaround and no backreferences: a module needing "not followed by" checks
it in Python on the match. Its `\\b`, `\\w`, `\\d` and `\\s` are ASCII, where `re`'s are
Unicode: spell out `\\p{L}` and the like where that matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, cast

import re2  # type: ignore[import-untyped]


class LinearMatch(Protocol):
    """The part of a match object callers use (RE2's matches are `re`-compatible)."""

    def start(self, group: int = 0) -> int: ...

    def end(self, group: int = 0) -> int: ...

    def span(self, group: int = 0) -> tuple[int, int]: ...

    def group(self, group: int = 0) -> str: ...


class LinearPattern:
    """One RE2 pattern; positions are code-point indices, as with `re`."""

    __slots__ = ("_regexp", "pattern")

    def __init__(self, pattern: str, *, ignore_case: bool = False) -> None:
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = not ignore_case
        self.pattern = pattern
        # Raises re2.error at import time for a pattern RE2 cannot run.
        self._regexp = re2.compile(pattern, options)

    def search(self, text: str) -> LinearMatch | None:
        return cast("LinearMatch | None", self._regexp.search(text))

    def match(self, text: str) -> LinearMatch | None:
        """A match at the start of `text`."""
        return cast("LinearMatch | None", self._regexp.match(text))

    def fullmatch(self, text: str) -> LinearMatch | None:
        return cast("LinearMatch | None", self._regexp.fullmatch(text))

    def finditer(self, text: str) -> Iterator[LinearMatch]:
        """Every non-overlapping match, left to right. The text is encoded once for the
        whole scan: call this rather than `search` in a loop, which would encode it anew
        each time (quadratic in the text)."""
        return cast("Iterator[LinearMatch]", self._regexp.finditer(text))


def compile_linear(pattern: str, *, ignore_case: bool = False) -> LinearPattern:
    return LinearPattern(pattern, ignore_case=ignore_case)
