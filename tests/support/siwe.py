"""Sign-In with Ethereum as a wallet does it: the EIP-4361 text, signed with personal_sign."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from httpx import Client, Response

# A test client of the app, or an HTTP client of a running service.
AnyClient = TypeVar("AnyClient", bound=Client)


def personal_sign(account: LocalAccount, text: str) -> str:
    """What `personal_sign` returns: EIP-191 version 0x45 over the UTF-8 text."""
    signed = Account.sign_message(encode_defunct(text=text), private_key=account.key)
    return "0x" + bytes(signed.signature).hex()


def siwe_text(
    *,
    address: str,
    nonce: str,
    domain: str = "127.0.0.1:8000",
    uri: str = "http://127.0.0.1:8000/",
    chain_id: int = 31337,
    issued_at: int | None = None,
    expiration: int | None = None,
    statement: str | None = "Sign in to DentaReview to see your own reviews and rewards.",
) -> str:
    """The message text exactly as viem's createSiweMessage writes it."""

    def stamp(seconds: int) -> str:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    issued = issued_at if issued_at is not None else int(datetime.now(UTC).timestamp())
    lines = [
        f"{domain} wants you to sign in with your Ethereum account:",
        address,
        "",
        *([statement, ""] if statement is not None else [""]),
        f"URI: {uri}",
        "Version: 1",
        f"Chain ID: {chain_id}",
        f"Nonce: {nonce}",
        f"Issued At: {stamp(issued)}",
    ]
    if expiration is not None:
        lines.append(f"Expiration Time: {stamp(expiration)}")
    return "\n".join(lines)


def get_nonce(client: Client) -> dict[str, Any]:
    response = client.get("/v1/auth/nonce")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def post_siwe(client: Client, text: str, signature: str) -> Response:
    return client.post("/v1/auth/siwe", json={"message": text, "signature": signature})


def sign_in(client: Client, account: LocalAccount, **fields: Any) -> Response:
    """A fresh nonce, the message built from what the service says, signed and posted."""
    offered = get_nonce(client)
    values: dict[str, Any] = {
        "address": account.address,
        "nonce": offered["nonce"],
        "domain": offered["domain"],
        "uri": offered["uri"] + "/",
        "chain_id": offered["chainId"],
    }
    values.update(fields)
    text = siwe_text(**values)
    return post_siwe(client, text, personal_sign(account, text))


def signed_in(client: AnyClient, account: LocalAccount) -> AnyClient:
    response = sign_in(client, account)
    assert response.status_code == 200, response.text
    return client


def wallet_client(client: TestClient, account: LocalAccount) -> TestClient:
    """A client of the same app with a cookie jar of its own, signed in as `account`."""
    return signed_in(TestClient(client.app), account)
