"""Sign-In with Ethereum (EIP-4361): a strict parser and builder of the message text.

Pure: no clock, no storage. The message is what a wallet shows and signs with
`personal_sign` (EIP-191 version 0x45); `personal_message_digest` is the hash it signs.

The grammar (EIP-4361 ABNF), line by line:

    [scheme "://"] domain " wants you to sign in with your Ethereum account:"
    address                      (EIP-55 checksummed)
    (empty line)
    [statement]                  (the optional line and the empty line after it)
    (empty line)
    URI: uri
    Version: 1
    Chain ID: chain-id
    Nonce: nonce                 (at least 8 letters or digits)
    Issued At: date-time         (RFC 3339)
    [Expiration Time: date-time]
    [Not Before: date-time]
    [Request ID: request-id]
    [Resources:
    - uri ...]

Messages without a statement are accepted with two empty lines (the EIP's grammar, as
viem writes them) and with one (as older libraries write them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from eth_account.messages import encode_defunct
from eth_utils.address import is_checksum_address
from eth_utils.crypto import keccak

from dentareview.domain.typed_data import recover_signer
from dentareview.errors import SiweDomainMismatch, SiweExpired, SiweInvalid
from dentareview.linear_re import compile_linear

HEADER_SUFFIX: Final = " wants you to sign in with your Ethereum account:"
VERSION: Final = "1"

_SCHEME: Final = compile_linear(r"[A-Za-z][A-Za-z0-9+\-.]*")
# RFC 3986 authority: [userinfo@]host[:port]; no spaces, slashes, or other delimiters.
_AUTHORITY: Final = compile_linear(r"(?:[A-Za-z0-9\-._~%!$&'()*+,;=:]+@)?[A-Za-z0-9\-._~%\[\]:]+")
_ADDRESS: Final = compile_linear(r"0x[0-9a-fA-F]{40}")
_NONCE: Final = compile_linear(r"[A-Za-z0-9]{8,}")
_CHAIN_ID: Final = compile_linear(r"[1-9][0-9]{0,17}")
_DATE_TIME: Final = compile_linear(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
)
_URI_CHARS: Final = compile_linear(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_REQUEST_ID: Final = compile_linear(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%]*")


@dataclass(frozen=True)
class SiweMessage:
    """The fields of an EIP-4361 message; times are aware UTC datetimes."""

    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: datetime
    statement: str | None = None
    version: str = VERSION
    scheme: str | None = None
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default=())

    def to_text(self) -> str:
        """The message as a wallet displays and signs it (the EIP's grammar)."""
        origin = f"{self.scheme}://{self.domain}" if self.scheme else self.domain
        lines = [f"{origin}{HEADER_SUFFIX}", self.address, ""]
        if self.statement is not None:
            lines.append(self.statement)
        lines += [
            "",
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {format_time(self.issued_at)}",
        ]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {format_time(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {format_time(self.not_before)}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines.append("Resources:")
            lines += [f"- {resource}" for resource in self.resources]
        return "\n".join(lines)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, to the second (or millisecond when it has one)."""
    utc = moment.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(value: str, what: str) -> datetime:
    if not _DATE_TIME.fullmatch(value):
        raise SiweInvalid(f"{what} must be an RFC 3339 date-time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SiweInvalid(f"{what} is not a valid date-time: {value!r}") from None
    return parsed.astimezone(UTC)


def _uri(value: str, what: str) -> str:
    if not _URI_CHARS.fullmatch(value):
        raise SiweInvalid(f"{what} must be an RFC 3986 URI")
    scheme = urlsplit(value).scheme
    if not scheme or not _SCHEME.fullmatch(scheme):
        raise SiweInvalid(f"{what} must be an absolute URI with a scheme")
    return value


class _Lines:
    """The message's lines, consumed from the top."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._at = 0

    def next(self, what: str) -> str:
        if self._at >= len(self._lines):
            raise SiweInvalid(f"the message ends before its {what}")
        line = self._lines[self._at]
        self._at += 1
        return line

    def peek(self) -> str | None:
        return self._lines[self._at] if self._at < len(self._lines) else None

    def tagged(self, tag: str) -> str:
        line = self.next(f'"{tag}: " line')
        if not line.startswith(f"{tag}: "):
            raise SiweInvalid(f'expected a "{tag}: " line, got {line[:40]!r}')
        return line[len(tag) + 2 :]

    def optional(self, tag: str) -> str | None:
        line = self.peek()
        if line is None or not line.startswith(f"{tag}: "):
            return None
        return self.tagged(tag)

    def done(self) -> bool:
        return self._at >= len(self._lines)


def _header(line: str) -> tuple[str | None, str]:
    if not line.endswith(HEADER_SUFFIX):
        raise SiweInvalid(f'the first line must end with "{HEADER_SUFFIX.strip()}"')
    origin = line[: -len(HEADER_SUFFIX)]
    scheme: str | None = None
    if "://" in origin:
        scheme, origin = origin.split("://", 1)
        if not _SCHEME.fullmatch(scheme):
            raise SiweInvalid(f"the scheme {scheme!r} is not a URI scheme")
    if not _AUTHORITY.fullmatch(origin):
        raise SiweInvalid("the domain must be an RFC 3986 authority (host[:port])")
    return scheme, origin


def _statement(lines: _Lines) -> str | None:
    if lines.next("empty line after the address") != "":
        raise SiweInvalid("an empty line must follow the address")
    if (lines.peek() or "").startswith("URI: "):  # no statement, one empty line (older writers)
        return None
    line = lines.next("URI")
    if line == "":  # no statement, the EIP's two empty lines
        return None
    if lines.next("empty line after the statement") != "":
        raise SiweInvalid("an empty line must follow the statement (one line, no line breaks)")
    return line


def _resources(lines: _Lines) -> tuple[str, ...]:
    if lines.peek() != "Resources:":
        return ()
    lines.next("Resources")
    found: list[str] = []
    while not lines.done():
        line = lines.next("resource")
        if not line.startswith("- "):
            raise SiweInvalid(f'each resource line must start with "- ", got {line[:40]!r}')
        found.append(_uri(line[2:], "each resource"))
    return tuple(found)


def parse_siwe(text: str) -> SiweMessage:
    """The fields of an EIP-4361 message; raises SiweInvalid naming what is wrong."""
    if "\r" in text:
        raise SiweInvalid("lines must end with LF only")
    lines = _Lines(text)
    scheme, domain = _header(lines.next("header"))
    address = lines.next("address")
    if not _ADDRESS.fullmatch(address) or not is_checksum_address(address):
        raise SiweInvalid("the address must be an EIP-55 checksummed 0x address")
    statement = _statement(lines)
    if statement is not None and ("\n" in statement or not statement.isprintable()):
        raise SiweInvalid("the statement must be printable text on one line")
    uri = _uri(lines.tagged("URI"), "URI")
    version = lines.tagged("Version")
    if version != VERSION:
        raise SiweInvalid(f"Version must be {VERSION}, got {version!r}")
    chain = lines.tagged("Chain ID")
    if not _CHAIN_ID.fullmatch(chain):
        raise SiweInvalid(f"Chain ID must be a positive decimal integer, got {chain!r}")
    nonce = lines.tagged("Nonce")
    if not _NONCE.fullmatch(nonce):
        raise SiweInvalid("Nonce must be at least 8 letters or digits")
    issued_at = _time(lines.tagged("Issued At"), "Issued At")
    expiration = lines.optional("Expiration Time")
    not_before = lines.optional("Not Before")
    request_id = lines.optional("Request ID")
    if request_id is not None and not _REQUEST_ID.fullmatch(request_id):
        raise SiweInvalid("Request ID has characters a URI path segment cannot hold")
    resources = _resources(lines)
    if not lines.done():
        raise SiweInvalid(f"unexpected line {lines.next('line')[:40]!r}")
    return SiweMessage(
        domain=domain,
        address=address,
        uri=uri,
        chain_id=int(chain),
        nonce=nonce,
        issued_at=issued_at,
        statement=statement,
        version=version,
        scheme=scheme,
        expiration_time=None if expiration is None else _time(expiration, "Expiration Time"),
        not_before=None if not_before is None else _time(not_before, "Not Before"),
        request_id=request_id,
        resources=resources,
    )


def personal_message_digest(text: str) -> bytes:
    """The hash `personal_sign` signs: EIP-191 version 0x45 over the UTF-8 text."""
    signable = encode_defunct(text=text)
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


# ------------------------------------------------------------------ verification

_LOOPBACK_NAMES: Final = ("127.0.0.1", "localhost")


def accepted_origins(public_url: str) -> tuple[str, ...]:
    """The origins (scheme://host[:port]) a sign-in may name for a service at `public_url`.

    A loopback URL also accepts the other loopback name, so a developer's browser on
    http://localhost:8000 signs in to a service configured as http://127.0.0.1:8000.
    """
    parts = urlsplit(public_url)
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"the public URL {public_url!r} must be absolute, like https://host")
    if parts.hostname not in _LOOPBACK_NAMES:
        return (f"{parts.scheme}://{parts.netloc}",)
    suffix = f":{parts.port}" if parts.port is not None else ""
    return tuple(f"{parts.scheme}://{name}{suffix}" for name in _LOOPBACK_NAMES)


@dataclass(frozen=True)
class SiweExpectations:
    """What a sign-in to this service must say, and how old it may be."""

    origins: tuple[str, ...]
    chain_id: int
    max_age_seconds: int  # issued-at no older than this (the nonce lives no longer)
    clock_skew_seconds: int = 60


def _origin_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_siwe(message: SiweMessage, expected: SiweExpectations, *, now: int) -> None:
    """Domain, URI, chain and times; raises the error a client can act on.

    The nonce (single use) and the signature are checked by the caller.
    """
    origins = {origin.lower() for origin in expected.origins}
    authorities = {_origin_of(origin).split("://", 1)[1] for origin in origins}
    if message.domain.lower() not in authorities:
        raise SiweDomainMismatch(f"the message is for {message.domain}, not this service")
    if message.scheme is not None and f"{message.scheme}://{message.domain}".lower() not in (
        origins
    ):
        raise SiweDomainMismatch(f"the message is for {message.scheme}://{message.domain}")
    if _origin_of(message.uri) not in origins:
        raise SiweDomainMismatch("the message's URI is not on this service")
    if message.chain_id != expected.chain_id:
        raise SiweDomainMismatch(
            f"the message is for chain {message.chain_id}; this service is on chain "
            f"{expected.chain_id}"
        )
    issued = int(message.issued_at.timestamp())
    if issued > now + expected.clock_skew_seconds:
        raise SiweExpired("Issued At lies in the future")
    if issued < now - expected.max_age_seconds:
        raise SiweExpired("the message was issued too long ago; ask for a new nonce")
    if message.expiration_time is not None and message.expiration_time.timestamp() <= now:
        raise SiweExpired("the message's Expiration Time has passed")
    if (
        message.not_before is not None
        and message.not_before.timestamp() > now + expected.clock_skew_seconds
    ):
        raise SiweExpired("the message is not valid before its Not Before time")


def siwe_signer(text: str, signature: bytes) -> str:
    """The checksummed address whose `personal_sign` of `text` is `signature`."""
    return recover_signer(personal_message_digest(text), signature)
