"""`dentareview visit attest`: practice software signs visits and gets invitation links.

The dentist's key comes from an encrypted JSON keystore (its password from an
environment variable) or from an environment variable, never from argv. Each visit is
signed as an EIP-712 `Visit` over exactly what the service's GET /v1/eip712 serves and
posted to POST /v1/visits, as the web page does.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import httpx
import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex

from dentareview.cli.common import fail
from dentareview.domain.spreadsheet import write_csv
from dentareview.domain.visit_csv import VisitLine, parse_visits_csv

visit_app = typer.Typer(
    help="Attest patients' visits with the dentist's key.", no_args_is_help=True
)

OUT_HEADER = ("line", "patient", "visited_at", "visit_id", "invitation_link", "result")


def _secret_from_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise fail(f"environment variable {name} ({what}) is not set")
    return value


def load_dentist_key(
    *, key_env: str | None, keystore: Path | None, password_env: str | None
) -> LocalAccount:
    """The dentist's account from an environment variable or an encrypted keystore."""
    if (key_env is None) == (keystore is None):
        raise fail("give the dentist's key with --key-env NAME or --keystore PATH (one of them)")
    if key_env is not None:
        try:
            account: LocalAccount = Account.from_key(_secret_from_env(key_env, "the dentist key"))
        except (ValueError, TypeError):
            raise fail(f"environment variable {key_env} is not a valid private key") from None
        return account
    assert keystore is not None
    if password_env is None:
        raise fail("the keystore needs --password-env NAME (the variable holding its password)")
    password = _secret_from_env(password_env, "the keystore password")
    try:
        encrypted = json.loads(keystore.read_text(encoding="utf-8"))
    except OSError as error:
        raise fail(f"cannot read the keystore {keystore}: {error.strerror}") from None
    except ValueError:
        raise fail(f"the keystore {keystore} is not JSON") from None
    try:
        key = Account.decrypt(encrypted, password)
    except (ValueError, KeyError, TypeError):
        raise fail(f"cannot decrypt {keystore}: wrong password or not a keystore") from None
    decrypted: LocalAccount = Account.from_key(key)
    return decrypted


def _visit_types(served: dict[str, Any]) -> dict[str, Any]:
    """The served domain and the two types a `Visit` signature covers."""
    types = served["types"]
    return {
        "domain": served["domain"],
        "types": {"EIP712Domain": types["EIP712Domain"], "Visit": types["Visit"]},
        "primaryType": "Visit",
    }


def _error_text(response: httpx.Response) -> str:
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


def attest_line(
    client: httpx.Client, dentist: LocalAccount, typed: dict[str, Any], line: VisitLine
) -> tuple[str, str]:
    """(visit id, result) of one line: signed and posted, or why not."""
    if line.problem is not None or line.visited_at is None:
        return "", f"not sent: {line.problem}"
    visit_id = encode_hex(secrets.token_bytes(32))
    message: dict[str, Any] = {
        "visitId": visit_id,
        "patient": line.patient,
        "dentist": dentist.address,
        "visitedAt": line.visited_at,
    }
    signed = Account.sign_typed_data(dentist.key, full_message={**typed, "message": message})
    body = {"message": message, "signature": encode_hex(signed.signature)}
    response = client.post("/v1/visits", json=body)
    if response.status_code == 201:
        return visit_id, "recorded"
    return "", _error_text(response)


def _write(out: TextIO, rows: list[tuple[str, ...]]) -> None:
    # A line's patient cell is echoed as the practice wrote it: maybe a formula.
    write_csv(out, [OUT_HEADER, *rows])


@visit_app.command("attest")
def attest_command(
    csv_file: Annotated[
        Path,
        typer.Option(
            "--csv",
            help="Visits, one per line: patient wallet, visit time (unix seconds or ISO 8601); "
            "a header line is optional",
            exists=True,
            dir_okay=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the results and invitation links to this CSV"),
    ] = None,
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", metavar="NAME", help="Read the dentist's key from env NAME"),
    ] = None,
    keystore: Annotated[
        Path | None,
        typer.Option("--keystore", help="The dentist's encrypted JSON keystore"),
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env", metavar="NAME", help="Env variable holding the keystore's password"
        ),
    ] = None,
    api_url: Annotated[
        str, typer.Option("--api-url", help="The DentaReview service")
    ] = "http://127.0.0.1:8000",
    link_base: Annotated[
        str | None,
        typer.Option(
            "--link-base",
            help="Where patients open invitations (default: the --api-url origin)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Sign each visit of a CSV with the dentist's key, post it, and print (or write) each
    visit's invitation link. Exit 1 if any line was not recorded."""
    dentist = load_dentist_key(key_env=key_env, keystore=keystore, password_env=password_env)
    try:
        lines = parse_visits_csv(csv_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise fail(f"cannot read {csv_file}: {error}") from None
    if not lines:
        raise fail(f"{csv_file} has no visit lines")
    base = (link_base or api_url).rstrip("/")
    rows: list[tuple[str, ...]] = []
    try:
        with httpx.Client(base_url=api_url, timeout=30) as client:
            served = client.get("/v1/eip712")
            if served.status_code != 200:
                raise fail(f"the service's GET /v1/eip712 failed: {_error_text(served)}")
            typed = _visit_types(served.json())
            for line in lines:
                visit_id, result = attest_line(client, dentist, typed, line)
                link = f"{base}/invite/{visit_id}" if visit_id else ""
                visited = "" if line.visited_at is None else str(line.visited_at)
                rows.append((str(line.line), line.patient, visited, visit_id, link, result))
                typer.echo(f"line {line.line}: {result}" + (f" {link}" if link else ""), err=True)
    except httpx.HTTPError:
        if rows:
            _emit(rows, out)
        raise fail(f"the service cannot be reached at {api_url}", code=2) from None
    _emit(rows, out)
    recorded = sum(1 for row in rows if row[5] == "recorded")
    typer.echo(f"{recorded} of {len(rows)} visits recorded", err=True)
    if recorded < len(rows):
        raise typer.Exit(1)


def _emit(rows: list[tuple[str, ...]], out: Path | None) -> None:
    if out is None:
        _write(sys.stdout, rows)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        _write(handle, rows)
