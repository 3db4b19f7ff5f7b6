"""The routes as the OpenAPI document lists them, so a test over "every route" covers a
route added tomorrow without being edited."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database

CHANGING_METHODS = ("post", "put", "patch", "delete")
COOKIE_SCHEME = "APIKeyCookie"  # api/auth.py's session_cookie


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

    def url(self, values: Mapping[str, object]) -> str:
        """The path with each {parameter} filled from `values`."""
        return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), self.path)

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
