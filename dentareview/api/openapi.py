"""OpenAPI descriptions: each route lists the error codes it can answer with."""

from __future__ import annotations

from typing import Any, Final

from dentareview.api.schemas import ErrorResponse
from dentareview.errors import ERROR_CATALOG

_BY_CODE = {error.code: error for error in ERROR_CATALOG}


# Errors are JSON even from a route whose answer is a page: named by reference, since a
# `model` would be documented under the route's own media type (text/html).
_JSON_ERROR: Final = {
    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
}


def error_responses(*codes: str, page: bool = False) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: one entry per status, naming every code behind it.
    `page`: the route answers HTML, and its errors JSON."""
    by_status: dict[int, list[str]] = {}
    for code in codes:
        error = _BY_CODE[code]
        by_status.setdefault(error.status, []).append(f"`{code}`: {error.description}")
    body: dict[str, Any] = {"content": _JSON_ERROR} if page else {"model": ErrorResponse}
    return {
        status: {**body, "description": "; ".join(lines)}
        for status, lines in sorted(by_status.items())
    }


# A body that is not JSON at all (not UTF-8, truncated, a number of more than 4,300
# digits) is refused before any route's validation: 422 VALIDATION_ERROR, field "body".
MALFORMED_BODY: Final[dict[int | str, dict[str, Any]]] = error_responses("VALIDATION_ERROR")
