"""Every failure leaves as `{"error": {"code", "message"}}`; never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dentareview.api.request_id import HEADER as REQUEST_ID_HEADER
from dentareview.errors import ERROR_CATALOG, DentaReviewError
from dentareview.observability.logging import REQUEST_ID

log = logging.getLogger(__name__)

# Plain HTTP failures (unknown route, wrong method) get codes of their own.
HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _field_name(location: tuple[object, ...]) -> str:
    # ("body", "message", "rating") -> "message.rating"; the leading "body" says nothing.
    parts = [str(part) for part in location if part != "body"]
    return ".".join(parts) or "body"


async def on_service_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DentaReviewError)
    headers = getattr(error, "headers", None)
    return error_response(
        error.status, error.code, error.message, field=error.field, headers=headers
    )


async def on_validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": ("body",), "msg": "invalid body"}
    field = _field_name(tuple(first.get("loc", ("body",))))
    message = f"{field}: {first.get('msg', 'invalid value')}"
    return error_response(422, "VALIDATION_ERROR", message, field=field)


# FastAPI answers a JSON body it cannot decode at all (not UTF-8, an integer past
# Python's 4,300-digit conversion limit, nesting past the recursion limit) with a bare
# 400 of this detail, the cause chained; it is a malformed body like any other.
_UNDECODABLE_BODY = "There was an error parsing the body"


def _undecodable_body(cause: BaseException | None) -> JSONResponse:
    if isinstance(cause, UnicodeDecodeError):
        message = f"body: not valid UTF-8 (byte {cause.start})"
    elif isinstance(cause, RecursionError):
        message = "body: JSON nested too deeply"
    elif isinstance(cause, ValueError) and "digits" in str(cause):
        message = "body: a number has too many digits (at most 4300)"
    else:
        message = "body: not valid JSON"
    return error_response(422, "VALIDATION_ERROR", message, field="body")


async def on_http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and error.detail == _UNDECODABLE_BODY:
        return _undecodable_body(error.__cause__)
    code = HTTP_CODES.get(error.status_code, f"HTTP_{error.status_code}")
    return error_response(error.status_code, code, str(error.detail))


async def on_unexpected_error(_: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=error)
    # Starlette answers this one outside the middleware: the request id is added here.
    request_id = REQUEST_ID.get()
    return error_response(
        500,
        "INTERNAL_ERROR",
        "internal error; it has been logged",
        headers={REQUEST_ID_HEADER: request_id} if request_id else None,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DentaReviewError, on_service_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)


def error_catalog_markdown() -> str:
    """The table of error codes, for the OpenAPI description (and the README)."""
    rows = ["| code | HTTP | meaning |", "|---|---|---|"]
    rows += [f"| `{e.code}` | {e.status} | {e.description} |" for e in ERROR_CATALOG]
    return "\n".join(rows)
