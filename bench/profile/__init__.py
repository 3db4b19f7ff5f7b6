"""Profiles of the service's hot paths, written to bench/results/*_profile.txt."""

from __future__ import annotations

from tests.support.anvil import PROJECT_ROOT


def repository_relative(text: str) -> str:
    """A profile's text with this checkout's paths relative to the repository: the
    recorded profile must not name the machine it ran on."""
    return text.replace(f"{PROJECT_ROOT}/", "")
