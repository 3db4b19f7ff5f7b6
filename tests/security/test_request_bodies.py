"""Bodies: one that is not JSON at all is a VALIDATION_ERROR like any other (never a
code outside the catalogue), and every request body refuses fields it does not know."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dentareview.errors import ERROR_CATALOG
from tests.security.routes import body_routes, offline_app

# Not UTF-8 (a lone 0xff at byte 12), and an integer past Python's 4,300-digit limit.
UNDECODABLE = {
    "invalid UTF-8": (b'{"reason": "\xff"}', "byte 12"),
    "integer of 4,301 digits": (b'{"reason": ' + b"9" * 4301 + b"}", "4300"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(offline_app(tmp_path_factory.mktemp("bodies"))) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    doc: dict[str, Any] = client.get("/openapi.json").json()
    return doc


def test_every_body_route_answers_an_undecodable_body_with_a_catalogued_code(
    client: TestClient, openapi: dict[str, Any]
) -> None:
    routes = body_routes(openapi)
    assert len(routes) >= 10, routes  # the walk found the write routes
    catalogued = {error.code for error in ERROR_CATALOG}
    for route in routes:
        for label, (body, detail) in UNDECODABLE.items():
            answer = client.request(
                route.method,
                route.url(),
                content=body,
                headers={"Content-Type": "application/json"},
            )
            error = answer.json()["error"]
            assert answer.status_code == 422, (str(route), label, answer.text)
            assert error["code"] == "VALIDATION_ERROR" in catalogued, (str(route), label)
            assert error["field"] == "body" and detail in error["message"], (str(route), error)


def _objects(schema: Any, schemas: dict[str, Any], seen: set[str]) -> Iterator[tuple[str, Any]]:
    """Every object schema a body schema reaches, by name (through $ref) or inline."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                target = schemas[name]
                if target.get("type") == "object" or "properties" in target:
                    yield name, target
                yield from _objects(target, schemas, seen)
            return
        for value in schema.values():
            yield from _objects(value, schemas, seen)
    elif isinstance(schema, list):
        for item in schema:
            yield from _objects(item, schemas, seen)


def test_every_request_body_model_forbids_unknown_fields(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    checked: dict[str, bool] = {}
    for route in body_routes(openapi):
        for name, schema in _objects(route.spec["requestBody"], schemas, set()):
            checked[name] = schema.get("additionalProperties") is False
    assert {"FlagIn", "DecisionIn", "SignedReview", "ReviewMessage"} <= checked.keys()
    assert [name for name, closed in checked.items() if not closed] == []


def test_a_flag_with_an_unknown_field_is_refused(client: TestClient) -> None:
    answer = client.post("/v1/reviews/1/flags", json={"reason": "advertising", "extra": 1})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert answer.json()["error"]["field"] == "extra"
    known = client.post("/v1/reviews/1/flags", json={"reason": "advertising"})
    assert known.json()["error"]["code"] == "REVIEW_NOT_FOUND"  # the same body, known fields
