"""The routes as the OpenAPI document lists them, so a test over "every route" covers a
route added tomorrow without being edited."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database

CHANGING_METHODS = ("post", "put", "patch", "delete")
COOKIE_SCHEME = "APIKeyCookie"  # api/auth.py's session_cookie


# A well-formed value for every path parameter the app has, so that a walk over every
# route reaches the route's own checks.
PATH_SAMPLES: Final[Mapping[str, object]] = {
    "review_id": 1,
    "address": "0x" + "ab" * 20,
    "visit_id": "0x" + "cd" * 32,
    "checkin_code": "HARBOUR2",
    "code": "HARBOUR2",
    "credential_id": "AAECAwQFBgcICQ",
    "short_code": "abc123",
    "unsubscribe_token": "unsubscribe-token_1",
    "anonymous_id": "0x" + "ef" * 16,
    "proving_file": "semaphore-1.json",
}


def fill(path: str, values: Mapping[str, object] = PATH_SAMPLES) -> str:
    """`path` with each {parameter} filled from `values` (a new parameter needs a sample)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"{path}: add a sample {name} to tests/security/routes.py"
        return str(values[name])

    return re.sub(r"\{(\w+)\}", value, path)


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the template, /v1/reviews/{review_id}/flags
    spec: dict[str, Any]

    @property
    def uses_cookie(self) -> bool:
        return any(COOKIE_SCHEME in entry for entry in self.spec.get("security", []))

    @property
    def takes_body(self) -> bool:
        return "requestBody" in self.spec

    def url(self, values: Mapping[str, object] | None = None) -> str:
        """The path with each {parameter} filled from `values`, else from the samples."""
        return fill(self.path, {**PATH_SAMPLES, **(values or {})})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(doc: dict[str, Any]) -> Iterator[Operation]:
    for path, methods in doc["paths"].items():
        for method, spec in methods.items():
            yield Operation(method.upper(), path, spec)


def cookie_changes(doc: dict[str, Any]) -> list[Operation]:
    """Every state-changing route that accepts the session cookie."""
    return [
        op for op in operations(doc) if op.method.lower() in CHANGING_METHODS and op.uses_cookie
    ]


def body_routes(doc: dict[str, Any]) -> list[Operation]:
    return [op for op in operations(doc) if op.takes_body]


def offline_app(data_dir: Path) -> FastAPI:
    """The app on a migrated SQLite file and no chain: enough for what is refused before
    a route's service runs."""
    url = f"sqlite:///{data_dir / 'dentareview.db'}"
    upgrade_database(url)
    return create_app(
        Settings(data_dir=data_dir, database_url=url, anchor_worker=False),
        run_anchor_worker=False,
    )
