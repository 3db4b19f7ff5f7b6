"""Log lines as JSON (or plain text at a terminal), each with the request that caused it.

One handler on the root logger writes every record, uvicorn's access log and the
libraries' included, to stderr: JSON lines (python-json-logger) by default, plain text
when stderr is a terminal, or as `DENTAREVIEW_LOG_FORMAT` says. A record written while
a request is handled carries its id (`request_id`, from `api/request_id.py`); the
anchoring worker's records carry the ids of the reviews they handle (`review_id`), and
the review's intake logs both, which is how a review is followed from request to anchor.

What is never logged: secrets (node URLs are scrubbed by `dentareview.redaction`) and
personal data. The access log names the route template (`/v1/patients/{address}/rewards`),
not the path, has no query string and no client address.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from dentareview.linear_re import LinearPattern, compile_linear
from dentareview.observability.metrics import UNMATCHED_ROUTE

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

LogFormat = Literal["json", "text"]

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# The ASGI scope of the request being answered: its matched route names the access line.
REQUEST_SCOPE: ContextVar[MutableMapping[str, Any] | None] = ContextVar(
    "request_scope", default=None
)

_TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_JSON_FIELDS: Final = ("levelname", "name", "message")
_RENAMED: Final = {"levelname": "level", "name": "logger"}
_ACCESS_LOGGER: Final = "uvicorn.access"
_ADDRESS: Final = compile_linear(r"0x[0-9a-fA-F]{40}\b")  # 40 hex digits: not a tx hash
_EMAIL: Final = compile_linear(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Record attributes that are not fields: logging's own, and uvicorn's ANSI-coloured copy.
_NOT_FIELDS: Final = (*RESERVED_ATTRS, "color_message")


class RequestContext(logging.Filter):
    """Adds the current request's id to every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


class AccessLine(logging.Filter):
    """Rewrites uvicorn's access record: method, route template and status as fields;
    the raw path (it may hold a wallet or a token), query and client address dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) != 5:
            return True  # not the access line's shape: left as it is
        _client, method, _path, _version, status = args
        path = route_template(REQUEST_SCOPE.get())
        record.msg, record.args = "%s %s %s", (method, path, status)
        record.http_method, record.http_route, record.http_status = method, path, status
        return True


class CleanTracebacks(logging.Filter):
    """Masks wallets and emails in a record's traceback: an exception's text quotes what
    it failed on (PostgreSQL's "Key (patient)=(0x…) already exists"), which may be
    personal. Messages are the code's own words and are left as written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None  # formatters print exc_text instead
        if record.exc_text:
            text = _mask(_ADDRESS, "0x<address>", record.exc_text)
            record.exc_text = _mask(_EMAIL, "<email>", text)
        return True


def _mask(pattern: LinearPattern, mask: str, text: str) -> str:
    parts, at = [], 0
    for found in pattern.finditer(text):
        start, end = found.span()
        parts += [text[at:start], mask]
        at = end
    return "".join(parts) + text[at:]


def route_template(scope: MutableMapping[str, Any] | None) -> str:
    """The matched route's path template (a mount's prefix), else a placeholder."""
    route = scope.get("route") if scope is not None else None
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED_ROUTE
    return path or "/"


class _CurrentStderr:
    """Whatever `sys.stderr` is when a line is written (a test runner swaps it)."""

    def write(self, text: str) -> None:
        sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def resolve_format(wanted: LogFormat | None) -> LogFormat:
    """The format asked for, else text at a terminal and JSON everywhere else."""
    if wanted is not None:
        return wanted
    return "text" if sys.stderr.isatty() else "json"


def make_formatter(log_format: LogFormat) -> logging.Formatter:
    if log_format == "text":
        return logging.Formatter(_TEXT_FORMAT, defaults={"request_id": "-"})
    # Fields the record does not have (request_id outside a request) are left out.
    return JsonFormatter(
        _JSON_FIELDS, rename_fields=_RENAMED, timestamp="time", reserved_attrs=_NOT_FIELDS
    )


def make_handler(log_format: LogFormat, stream: SupportsWrite[str]) -> logging.Handler:
    """The service's handler: the request id added, tracebacks cleaned, then formatted."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(log_format))
    handler.addFilter(RequestContext())
    handler.addFilter(CleanTracebacks())
    return handler


def configure_logging(wanted: LogFormat | None = None, *, level: int = logging.INFO) -> LogFormat:
    """Route every record of this process through one handler on stderr; idempotent."""
    log_format = resolve_format(wanted)
    handler = make_handler(log_format, _CurrentStderr())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", _ACCESS_LOGGER):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # uvicorn's own config, if it ran first
        logger.propagate = True
    access = logging.getLogger(_ACCESS_LOGGER)
    if not any(isinstance(f, AccessLine) for f in access.filters):
        access.addFilter(AccessLine())
    logging.captureWarnings(True)  # warnings become records too, not bare stderr text
    return log_format


def uvicorn_options() -> dict[str, Any]:
    """What uvicorn is given so that it leaves the logging set up here alone."""
    return {"log_config": None, "log_level": "info", "access_log": True}
