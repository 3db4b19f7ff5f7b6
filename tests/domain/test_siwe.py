"""EIP-4361 messages: the EIP's own examples parse, the builder writes them back, and
every malformed or foreign message is refused with the code a client can act on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from dentareview.domain.siwe import (
    SiweExpectations,
    SiweMessage,
    accepted_origins,
    check_siwe,
    parse_siwe,
    siwe_signer,
)
from dentareview.errors import InvalidSignature, SiweDomainMismatch, SiweExpired, SiweInvalid

# The example of EIP-4361 ("Example message"), byte for byte.
SPEC_EXAMPLE = """\
service.org wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.org/tos

URI: https://service.org/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json"""

# The EIP's example with a scheme in front of the domain.
SPEC_EXAMPLE_WITH_SCHEME = "https://" + SPEC_EXAMPLE

# No statement: the EIP's grammar leaves two empty lines (as viem writes it).
NO_STATEMENT = """\
127.0.0.1:8000 wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2


URI: http://127.0.0.1:8000
Version: 1
Chain ID: 31337
Nonce: abcdef0123456789
Issued At: 2026-01-02T03:04:05.678Z
Expiration Time: 2026-01-02T04:04:05Z
Not Before: 2026-01-02T03:00:00+00:00
Request ID: req-17"""

NOW = int(datetime(2026, 1, 2, 3, 5, tzinfo=UTC).timestamp())
LOCAL = SiweExpectations(
    origins=accepted_origins("http://127.0.0.1:8000"), chain_id=31337, max_age_seconds=600
)


def test_the_eips_example_parses_field_by_field() -> None:
    message = parse_siwe(SPEC_EXAMPLE)

    assert message == SiweMessage(
        domain="service.org",
        address="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        statement="I accept the ServiceOrg Terms of Service: https://service.org/tos",
        uri="https://service.org/login",
        version="1",
        chain_id=1,
        nonce="32891756",
        issued_at=datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC),
        resources=(
            "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
            "https://example.com/my-web2-claim.json",
        ),
    )


@pytest.mark.parametrize("text", [SPEC_EXAMPLE, SPEC_EXAMPLE_WITH_SCHEME, NO_STATEMENT])
def test_the_builder_writes_back_what_was_parsed(text: str) -> None:
    assert parse_siwe(text).to_text() == text.replace("+00:00", "Z")


def test_optional_fields_and_the_scheme() -> None:
    assert parse_siwe(SPEC_EXAMPLE_WITH_SCHEME).scheme == "https"
    message = parse_siwe(NO_STATEMENT)
    assert message.statement is None
    assert message.expiration_time == datetime(2026, 1, 2, 4, 4, 5, tzinfo=UTC)
    assert message.not_before == datetime(2026, 1, 2, 3, 0, 0, tzinfo=UTC)
    assert message.request_id == "req-17"
    assert message.issued_at.microsecond == 678_000


def test_no_statement_with_a_single_empty_line_is_accepted_too() -> None:
    older = NO_STATEMENT.replace("\n\n\nURI:", "\n\nURI:")
    assert parse_siwe(older) == parse_siwe(NO_STATEMENT)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda t: t.replace("wants you to sign in", "wants you to log in"), "first line"),
        (
            lambda t: t.replace(
                "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
            ),
            "EIP-55",
        ),
        (
            lambda t: t.replace(
                "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756CC2",
            ),
            "EIP-55",
        ),
        (lambda t: t.replace("Version: 1", "Version: 2"), "Version"),
        (lambda t: t.replace("Chain ID: 1\n", "Chain ID: one\n"), "Chain ID"),
        (lambda t: t.replace("Chain ID: 1\n", "Chain ID: 01\n"), "Chain ID"),
        (lambda t: t.replace("Nonce: 32891756", "Nonce: 1234"), "Nonce"),
        (lambda t: t.replace("Nonce: 32891756", "Nonce: 3289-1756"), "Nonce"),
        (lambda t: t.replace("2021-09-30T16:25:24Z", "yesterday"), "RFC 3339"),
        (lambda t: t.replace("2021-09-30T16:25:24Z", "2021-09-30T16:25:24"), "RFC 3339"),
        (lambda t: t.replace("2021-09-30T16:25:24Z", "2021-02-30T16:25:24Z"), "date-time"),
        (lambda t: t.replace("URI: https://service.org/login", "URI: /login"), "scheme"),
        (lambda t: t.replace("URI: https", "Uri: https"), "URI"),
        (lambda t: t.replace("\n- https://example.com", "\n* https://example.com"), "resource"),
        (lambda t: t.replace("\n", "\r\n"), "LF"),
        (lambda t: t + "\nExtra: line", "resource"),
        (lambda t: t.replace("Resources:\n", "Foo: bar\nResources:\n"), "unexpected"),
        (lambda t: t.replace("service.org wants", "service org wants"), "authority"),
        (lambda t: t.split("\nURI:")[0], "ends before"),
        (lambda t: t.split("URI:")[0], "URI"),
        (
            lambda t: t.replace(
                "Terms of Service: https://service.org/tos\n", "Terms\nof Service\n"
            ),
            "empty line",
        ),
        (lambda t: t.replace("Terms of", "Terms\x00of"), "printable"),
    ],
)
def test_malformed_messages_are_refused(change: object, says: str) -> None:
    assert callable(change)
    with pytest.raises(SiweInvalid, match=says) as caught:
        parse_siwe(change(SPEC_EXAMPLE))
    assert caught.value.code == "SIWE_INVALID"


def local(**changes: object) -> SiweMessage:
    return replace(parse_siwe(NO_STATEMENT), **changes)  # type: ignore[arg-type]


def test_a_message_for_this_service_passes() -> None:
    check_siwe(local(), LOCAL, now=NOW)
    check_siwe(local(domain="localhost:8000", uri="http://localhost:8000/me"), LOCAL, now=NOW)
    check_siwe(local(scheme="http"), LOCAL, now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"domain": "evil.example"},
        {"domain": "127.0.0.1:8001"},
        {"scheme": "https"},
        {"uri": "http://evil.example/login"},
        {"uri": "https://127.0.0.1:8000/"},
        {"chain_id": 1},
    ],
)
def test_another_domain_uri_or_chain_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(SiweDomainMismatch):
        check_siwe(local(**changes), LOCAL, now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"issued_at": datetime(2026, 1, 2, 2, 0, tzinfo=UTC)},  # older than max_age
        {"issued_at": datetime(2026, 1, 2, 3, 10, tzinfo=UTC)},  # in the future
        {"expiration_time": datetime(2026, 1, 2, 3, 5, tzinfo=UTC)},  # now: expired
        {"not_before": datetime(2026, 1, 2, 3, 30, tzinfo=UTC)},
    ],
)
def test_stale_expired_or_early_messages_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(SiweExpired):
        check_siwe(local(**changes), LOCAL, now=NOW)


def test_a_public_https_host_accepts_only_itself() -> None:
    assert accepted_origins("https://reviews.example.com") == ("https://reviews.example.com",)
    assert accepted_origins("http://localhost:8000/") == (
        "http://127.0.0.1:8000",
        "http://localhost:8000",
    )
    with pytest.raises(ValueError):
        accepted_origins("reviews.example.com")


def test_the_signer_is_recovered_as_personal_sign_makes_it() -> None:
    wallet = Account.create()
    text = local(address=wallet.address).to_text()
    signed = Account.sign_message(encode_defunct(text=text), private_key=wallet.key)

    assert siwe_signer(text, bytes(signed.signature)) == wallet.address
    assert siwe_signer(text + " ", bytes(signed.signature)) != wallet.address
    with pytest.raises(InvalidSignature):
        siwe_signer(text, b"\x01" * 64)
