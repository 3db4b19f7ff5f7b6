"""Which RPC URL the web pages may show visitors: never one that could carry a secret."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from dentareview.config import Settings


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def public_rpc_url(settings: Settings) -> str | None:
    """`public_rpc_url` if set; else `rpc_url` when it is a bare loopback URL; else None."""
    if settings.public_rpc_url:
        return settings.public_rpc_url
    parts = urlsplit(settings.rpc_url)
    bare = (
        parts.scheme in ("http", "https")
        and parts.username is None
        and parts.password is None
        and not parts.query
        and not parts.fragment
        and parts.path in ("", "/")
    )
    if bare and parts.hostname is not None and _is_loopback(parts.hostname):
        return settings.rpc_url
    return None
