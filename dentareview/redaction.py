"""Keep the secrets of node URLs out of errors, output and logs.

Provider URLs carry API keys: in the path (`/v2/KEY`), the query (`?apikey=KEY`)
or the user-info (`user:KEY@host`). `display_url` is what may be shown: scheme,
host and port. Every URL the service connects to is registered here
(`protect_url`), and a log record factory scrubs its secret parts from every log
message and traceback, whichever library wrote it (web3 logs the endpoint at
DEBUG; requests names the path in its connection errors).
"""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

MASK: Final = "***"
_MIN_SECRET_PART: Final = 6  # shorter path segments ("v2", "rpc") are not keys

_secrets: tuple[str, ...] = ()  # longest first; replaced whole, so readers need no lock
_lock = threading.Lock()
_factory_installed = False


def display_url(url: str) -> str:
    """`scheme://host:port`, and `/…` when a path or query was left out."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "(the configured node URL)"
    if not parts.scheme or host is None:
        return "(the configured node URL)"
    shown = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    return shown + ("/…" if parts.path.strip("/") or parts.query else "")


def secret_parts(url: str) -> set[str]:
    """The strings of `url` that may hold a credential."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return {url}
    found = {url}
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        found.add(userinfo)
        if parts.password:
            found.add(parts.password)
    path = parts.path.strip("/")
    if path:
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
        found.update(s for s in path.split("/") if len(s) >= _MIN_SECRET_PART)
    if parts.query:
        found.add(parts.query)
        found.update(v for _, v in parse_qsl(parts.query) if len(v) >= _MIN_SECRET_PART)
    if parts.fragment:
        found.add(parts.fragment)
    return {s for s in found if s}


def protect_url(url: str) -> None:
    """Scrub `url`'s secret parts from every log record from now on."""
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is not None and not (
        "@" in parts.netloc or parts.path.strip("/") or parts.query or parts.fragment
    ):
        return  # scheme, host and port only (a local node): nothing to hide
    global _secrets
    with _lock:
        merged = set(_secrets) | secret_parts(url)
        _secrets = tuple(sorted(merged, key=len, reverse=True))
        _install_factory()


def scrub(text: str) -> str:
    """`text` with every registered secret replaced by a mask (longest first)."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _install_factory() -> None:
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _scrub_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is logging's own problem
        return
    cleaned = scrub(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        cleaned = scrub(text)
        if cleaned != text:
            # Handlers format exc_text when set; the live exception (which names the
            # URL in its message) is not handed on.
            record.exc_text, record.exc_info = cleaned, None
