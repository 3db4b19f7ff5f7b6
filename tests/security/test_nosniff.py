"""`X-Content-Type-Options: nosniff` on every answer: each route of the app (API, pages,
/docs, the OpenAPI document, assets), its errors, an unknown path, a wrong method and an
oversized body."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.security.routes import offline_app, operations

SAMPLE = {"review_id": "1", "address": "0x" + "ab" * 20, "visit_id": "0x" + "cd" * 32}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = offline_app(tmp_path_factory.mktemp("nosniff"))
    # No chain behind it: the chain's routes answer 503, an error like any other.
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


def _requests(client: TestClient) -> Iterator[tuple[str, str]]:
    """The API's operations from its OpenAPI document, and the routes the app holds
    itself (pages, /docs, /openapi.json, the widget, the assets' mount)."""
    for operation in operations(client.get("/openapi.json").json()):
        yield operation.method, _fill(operation.path)
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            yield "GET", route.path + "/missing.js"
        elif hasattr(route, "path"):  # routers' routes are in the document above
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield method, _fill(route.path)


def test_every_answer_says_nosniff(client: TestClient) -> None:
    requests = list(_requests(client))
    assert len(requests) > 30 and ("GET", "/docs") in requests
    requests += [("GET", "/v1/no-such-route"), ("DELETE", "/v1/chain"), ("GET", "/v1/reviews/x")]
    statuses = set()
    for method, path in requests:
        answer = client.request(method, path, json={} if method == "POST" else None)
        statuses.add(answer.status_code)
        assert answer.headers.get("x-content-type-options") == "nosniff", (method, path)
    assert {200, 404, 405, 422} <= statuses, statuses  # answers and errors alike
    big = client.post("/v1/reviews", content=b"x" * 70_000)
    assert big.status_code == 413 and big.headers["x-content-type-options"] == "nosniff"
