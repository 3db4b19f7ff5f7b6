"""`dentareview visit-key`: a visit-signing key for a practice system, so that its visits
need no wallet prompt each (`visit sync --key-file FILE --dentist ADDRESS` then signs
with it).

`new` writes a new key to a file only its owner may read and prints the `VisitSigner`
the dentist's wallet must sign; `authorize` sends the dentist's signature (made here with
the dentist's key from an environment variable, or in a wallet and pasted with
`--signature`) to the service, which puts it on-chain; `revoke` does the same with
validUntil = now: the service refuses the key's visits at once. No key is ever printed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex

from dentareview.cli.common import fail, with_settings
from dentareview.config import Settings
from dentareview.domain.models import parse_address
from dentareview.errors import DentaReviewError

visit_key_app = typer.Typer(
    help="A visit-signing key: the dentist's wallet authorises it once, then a practice "
    "system attests visits with it, no wallet prompt each.",
    no_args_is_help=True,
)

DAY = 86_400

ApiUrl = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        help="The DentaReview service (default: DENTAREVIEW_PUBLIC_URL)",
        show_default=False,
    ),
]
Dentist = Annotated[str, typer.Option("--dentist", help="The dentist's wallet address")]
DentistKeyEnv = Annotated[
    str | None,
    typer.Option(
        "--dentist-key-env",
        metavar="NAME",
        help="Sign with the dentist's key, read from environment variable NAME",
    ),
]
Signature = Annotated[
    str | None,
    typer.Option("--signature", help="The dentist's signature, made in a wallet (0x...)"),
]
KeyFile = Annotated[Path, typer.Option("--key-file", help="The visit-signing key's file")]


def _address(value: str, what: str) -> str:
    try:
        return parse_address(value, what)
    except DentaReviewError:
        raise fail(f"{what} is not a 0x address of 40 hex digits") from None


def _key_address(path: Path) -> str:
    try:
        account: LocalAccount = Account.from_key(path.read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, ValueError, TypeError):
        raise fail(f"{path} does not hold a visit-signing key (0x and 64 hex)") from None
    return str(account.address)


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        error = body.get("error") or {}
        raise fail(
            f"the service refused: {error.get('code', response.status_code)}: "
            f"{error.get('message', response.text[:200])}"
        )
    return body


def _typed_data(client: httpx.Client, dentist: str, signer: str, until: int) -> dict[str, Any]:
    served = _answer(client.get("/v1/eip712"))
    nonce = _answer(client.get(f"/v1/visit-signers/{dentist}/nonce"))["nextNonce"]
    types = served["types"]
    return {
        "types": {"EIP712Domain": types["EIP712Domain"], "VisitSigner": types["VisitSigner"]},
        "primaryType": "VisitSigner",
        "domain": served["domain"],
        "message": {"signer": signer, "validUntil": until, "nonce": nonce},
    }


def _send(
    api_url: str,
    dentist: str,
    signer: str,
    until: int,
    *,
    key_env: str | None,
    signature: str | None,
) -> dict[str, Any]:
    if (key_env is None) == (signature is None):
        raise fail("give the dentist's signature: --dentist-key-env NAME or --signature 0x...")
    try:
        with httpx.Client(base_url=api_url, timeout=30) as client:
            typed = _typed_data(client, dentist, signer, until)
            if key_env is not None:
                signature = _sign_as_dentist(key_env, dentist, typed)
            body = {"dentist": dentist, "message": typed["message"], "signature": signature}
            return _answer(client.post("/v1/visit-signers", json=body))
    except httpx.HTTPError:
        raise fail(f"the service cannot be reached at {api_url}", code=2) from None


def _sign_as_dentist(key_env: str, dentist: str, typed: dict[str, Any]) -> str:
    secret = os.environ.get(key_env)
    if not secret:
        raise fail(f"environment variable {key_env} (the dentist's key) is not set")
    try:
        account: LocalAccount = Account.from_key(secret)
    except (ValueError, TypeError):
        raise fail(f"environment variable {key_env} is not a valid private key") from None
    if account.address.lower() != dentist.lower():
        raise fail(f"the key in {key_env} is not the dentist {dentist}'s")
    return encode_hex(Account.sign_typed_data(account.key, full_message=typed).signature)


@visit_key_app.command("new")
@with_settings()
def new_command(
    settings: Settings,
    out: Annotated[Path, typer.Option("--out", help="Write the new key to this file (0600)")],
    dentist: Dentist,
    days: Annotated[int, typer.Option("--days", min=1, help="How long it may attest")] = 365,
    api_url: ApiUrl = None,
) -> None:
    """Make a new visit-signing key in FILE (readable by its owner only) and print its
    address and the VisitSigner the dentist's wallet must sign (eth_signTypedData_v4)."""
    dentist = _address(dentist, "--dentist")
    account = Account.create()
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise fail(f"{out} exists; choose another file (a key is never overwritten)") from None
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(encode_hex(account.key) + "\n")
    until = int(time.time()) + days * DAY
    api_url = api_url or settings.public_url
    try:
        with httpx.Client(base_url=api_url, timeout=30) as client:
            typed = _typed_data(client, dentist, account.address, until)
    except httpx.HTTPError:
        raise fail(f"the service cannot be reached at {api_url}", code=2) from None
    typer.echo(f"visit-signing key {account.address} written to {out}")
    typer.echo("The dentist's wallet signs this (eth_signTypedData_v4), once:")
    typer.echo(json.dumps(typed, indent=2))
    typer.echo(
        f"then: dentareview visit-key authorize --key-file {out} --dentist {dentist} "
        f"--valid-until {until} --signature 0x..."
    )


@visit_key_app.command("authorize")
@with_settings()
def authorize_command(
    settings: Settings,
    key_file: KeyFile,
    dentist: Dentist,
    dentist_key_env: DentistKeyEnv = None,
    signature: Signature = None,
    valid_until: Annotated[
        int | None,
        typer.Option("--valid-until", help="The validUntil signed (default: a year from now)"),
    ] = None,
    api_url: ApiUrl = None,
) -> None:
    """Send the dentist's authorisation of the key to the service, which puts it on-chain;
    the key attests visits once it is there."""
    until = valid_until if valid_until is not None else int(time.time()) + 365 * DAY
    answer = _send(
        api_url or settings.public_url,
        _address(dentist, "--dentist"),
        _key_address(key_file),
        until,
        key_env=dentist_key_env,
        signature=signature,
    )
    typer.echo(f"key {answer['signer']}: {answer['status']} (valid until {until})")


@visit_key_app.command("revoke")
@with_settings()
def revoke_command(
    settings: Settings,
    key_file: KeyFile,
    dentist: Dentist,
    dentist_key_env: DentistKeyEnv = None,
    signature: Signature = None,
    valid_until: Annotated[
        int | None,
        typer.Option(
            "--valid-until",
            help="The validUntil signed: now by default (earlier visits stay reviewable), "
            "0 voids them all",
        ),
    ] = None,
    api_url: ApiUrl = None,
) -> None:
    """Revoke the key: the service refuses its visits at once, the chain from the next
    block."""
    until = valid_until if valid_until is not None else int(time.time())
    answer = _send(
        api_url or settings.public_url,
        _address(dentist, "--dentist"),
        _key_address(key_file),
        until,
        key_env=dentist_key_env,
        signature=signature,
    )
    typer.echo(f"key {answer['signer']}: {answer['status']}")
