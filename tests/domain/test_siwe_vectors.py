"""EIP-4361 against the test vectors the reference implementation publishes
(tests/domain/vectors/siwe/README.md names the source): every message it parses we
parse to the same fields, every one it refuses we refuse, and its verification vectors
give the same verdict through our sign-in service on a real database. Each refusal is
one of our catalogued codes, pinned per vector."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy.orm import Session, sessionmaker

from dentareview.db.migrate import upgrade_database
from dentareview.db.queries.auth import insert_nonce
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.siwe import HEADER_SUFFIX, SiweExpectations, parse_siwe
from dentareview.domain.typed_data import parse_signature
from dentareview.errors import ERROR_CATALOG, DentaReviewError
from dentareview.services.auth import sign_in

VECTORS = Path(__file__).parent / "vectors" / "siwe"
CODES = {error.code for error in ERROR_CATALOG}


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((VECTORS / f"{name}.json").read_text())
    return loaded


PARSING_POSITIVE = _load("parsing_positive")
PARSING_NEGATIVE: dict[str, str] = _load("parsing_negative")
PARSING_NEGATIVE_OBJECTS = _load("parsing_negative_objects")
VERIFICATION_POSITIVE = _load("verification_positive")
VERIFICATION_NEGATIVE = _load("verification_negative")

# Where we deliberately differ from a vector, and why.
EXCEPTIONS = {
    # Verified at a "time" two years before its Issued At: we refuse a message issued in
    # the future (past the clock skew), as its nonce cannot have been issued yet.
    ("verification_positive", "expired message"): "SIWE_EXPIRED",
}

# The code each verification vector is refused with.
VERIFICATION_CODES = {
    "expired message": "SIWE_EXPIRED",
    "domain binding": "SIWE_DOMAIN_MISMATCH",
    "custom time": "SIWE_EXPIRED",
    "custom nonce": "SIWE_NONCE_UNKNOWN",
    "malformed signature": "INVALID_SIGNATURE",
    "wrong signature": "SIWE_SIGNATURE_MISMATCH",
    "not yet valid": "SIWE_EXPIRED",
    "invalid issuedAt": "SIWE_INVALID",
    "invalid notBefore": "SIWE_INVALID",
    "invalid expirationTime": "SIWE_INVALID",
}

_LINES = (
    ("URI", "uri"),
    ("Version", "version"),
    ("Chain ID", "chainId"),
    ("Nonce", "nonce"),
    ("Issued At", "issuedAt"),
    ("Expiration Time", "expirationTime"),
    ("Not Before", "notBefore"),
    ("Request ID", "requestId"),
)


def message_text(fields: dict[str, Any]) -> str:
    """The EIP's text of a vector's fields, each string exactly as given (as the
    reference writes a message object out before it signs or verifies it); a missing
    field leaves its line out."""
    domain = fields.get("domain", "")
    origin = f"{fields['scheme']}://{domain}" if fields.get("scheme") else domain
    lines = [origin + HEADER_SUFFIX, fields.get("address", ""), ""]
    if fields.get("statement") is not None:
        lines += [fields["statement"], ""]
    else:
        lines.append("")
    lines += [f"{tag}: {fields[key]}" for tag, key in _LINES if key in fields]
    if fields.get("resources"):
        lines += ["Resources:", *(f"- {resource}" for resource in fields["resources"])]
    return "\n".join(lines)


def _refusal(run: Any) -> str:
    with pytest.raises(DentaReviewError) as refused:
        run()
    code = refused.value.code
    assert code in CODES, f"{code} is not in the error catalogue"
    return code


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


# ---------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("name", sorted(PARSING_POSITIVE))
def test_messages_the_reference_parses_parse_to_its_fields(name: str) -> None:
    vector = PARSING_POSITIVE[name]
    fields = vector["fields"]
    parsed = parse_siwe(vector["message"])

    assert parsed.domain == fields["domain"]
    assert parsed.scheme == fields.get("scheme")
    assert parsed.address == fields["address"]
    assert parsed.statement == fields.get("statement")
    assert parsed.uri == fields["uri"]
    assert parsed.version == fields["version"]
    assert parsed.chain_id == fields["chainId"]
    assert parsed.nonce == fields["nonce"]
    assert parsed.issued_at == _instant(fields["issuedAt"])
    for ours, theirs in (
        (parsed.expiration_time, "expirationTime"),
        (parsed.not_before, "notBefore"),
    ):
        assert ours == (_instant(fields[theirs]) if theirs in fields else None)
    assert parsed.request_id == fields.get("requestId")
    assert parsed.resources == tuple(fields.get("resources", ()))


@pytest.mark.parametrize("name", sorted(PARSING_NEGATIVE))
def test_messages_the_reference_refuses_are_refused(name: str) -> None:
    assert _refusal(lambda: parse_siwe(PARSING_NEGATIVE[name])) == "SIWE_INVALID"


@pytest.mark.parametrize("name", sorted(PARSING_NEGATIVE_OBJECTS))
def test_message_objects_the_reference_refuses_are_refused(name: str) -> None:
    text = message_text(PARSING_NEGATIVE_OBJECTS[name])
    assert _refusal(lambda: parse_siwe(text)) == "SIWE_INVALID"


# ----------------------------------------------------------------------- verification


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('siwe') / 'dentareview.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def _verify(sessions: sessionmaker[Session], vector: dict[str, Any]) -> str:
    """Sign in with the vector's message as our service does; the signer's address.

    The service issued the nonce (the vector's own, or `matchNonce`); the service's
    origins are the message's domain and its URI's origin (or `domainBinding`); the
    time is the vector's `time`, or now as the reference uses. The vectors pin no limit
    on a message's age (ours is a setting), so none is applied here.
    """
    uri = urlsplit(vector["uri"])
    origins = (f"{uri.scheme}://{vector['domain']}", f"{uri.scheme}://{uri.netloc}")
    if "domainBinding" in vector:  # the service's own domain, not the message's
        origins = (f"{uri.scheme}://{vector['domainBinding']}",)
    expected = SiweExpectations(
        origins=origins,
        chain_id=vector["chainId"],
        max_age_seconds=10**10,
    )
    now = int(_instant(vector["time"]).timestamp()) if "time" in vector else int(time.time())
    with sessions() as session:
        nonce = vector.get("matchNonce", vector["nonce"])
        insert_nonce(session, nonce=nonce, now=now, expires_at=now + 600)
        signed = sign_in(
            session,
            message=message_text(vector),
            signature=parse_signature(vector["signature"], "signature"),
            expected=expected,
            now=now,
            session_ttl_seconds=3600,
        )
        session.rollback()
    return signed.session.wallet


@pytest.mark.parametrize("name", sorted(VERIFICATION_POSITIVE))
def test_signatures_the_reference_accepts_sign_in(
    sessions: sessionmaker[Session], name: str
) -> None:
    vector = VERIFICATION_POSITIVE[name]
    exception = EXCEPTIONS.get(("verification_positive", name))
    if exception is not None:
        assert _refusal(lambda: _verify(sessions, vector)) == exception
        return
    assert _verify(sessions, vector) == vector["address"]
    # Our builder writes the very text the reference signed.
    assert parse_siwe(message_text(vector)).to_text() == message_text(vector)


@pytest.mark.parametrize("name", sorted(VERIFICATION_NEGATIVE))
def test_signatures_the_reference_refuses_do_not_sign_in(
    sessions: sessionmaker[Session], name: str
) -> None:
    vector = VERIFICATION_NEGATIVE[name]
    assert _refusal(lambda: _verify(sessions, vector)) == VERIFICATION_CODES[name]


def test_every_vector_is_run() -> None:
    assert set(VERIFICATION_CODES) == set(VERIFICATION_NEGATIVE)
    assert len(PARSING_POSITIVE) >= 19 and len(PARSING_NEGATIVE) >= 27
