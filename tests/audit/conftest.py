"""The whole system per test (tests/api's fixtures), plus helpers to run the audit CLI."""

from __future__ import annotations

from tests.api.conftest import database_url, system

__all__ = ["database_url", "system"]
