"""`dentareview visit attest` and `visit sync`: practice software signs visits with the
practice's key, no wallet prompt per visit. `attest` takes a CSV of wallets and times and
gets invitation links; `sync` imports a practice system's FHIR Bundle or CSV, all or
nothing and idempotently (POST /v1/practice/visits/import).

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
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import httpx
import typer
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.hexadecimal import encode_hex

from dentareview.cli.common import fail, with_settings
from dentareview.cli.visit_keys import ApiUrl
from dentareview.config import Settings
from dentareview.domain.fhir_visits import parse_fhir_bundle
from dentareview.domain.models import Eip712Domain, parse_address
from dentareview.domain.spreadsheet import write_csv
from dentareview.domain.typed_data import visit_typed_data
from dentareview.domain.visit_csv import VisitLine, parse_visits_csv, records_from_csv
from dentareview.domain.visit_import import MAX_VISITS, Parsed, PlannedVisit, plan_visits
from dentareview.errors import DentaReviewError
from dentareview.services.chain_access import ChainGateway

visit_app = typer.Typer(
    help="Attest patients' visits with the dentist's key.", no_args_is_help=True
)

OUT_HEADER = ("line", "patient", "visited_at", "visit_id", "invitation_link", "result")


def _secret_from_env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise fail(f"environment variable {name} ({what}) is not set")
    return value


def _key_from_file(path: Path) -> LocalAccount:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise fail(f"cannot read the key file {path}") from None
    try:
        account: LocalAccount = Account.from_key(text)
    except (ValueError, TypeError):
        raise fail(f"the key file {path} does not hold a private key (0x and 64 hex)") from None
    return account


def load_dentist_key(
    *,
    key_env: str | None,
    keystore: Path | None,
    password_env: str | None,
    key_file: Path | None = None,
) -> LocalAccount:
    """The practice's account from an environment variable, a file holding the hex key,
    or an encrypted keystore."""
    if sum(source is not None for source in (key_env, keystore, key_file)) != 1:
        raise fail(
            "give the dentist's key with --key-env NAME or --keystore PATH (one of them; "
            "visit sync also takes --key-file PATH)"
        )
    if key_file is not None:
        return _key_from_file(key_file)
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


class FileFormat(StrEnum):
    auto = "auto"
    fhir = "fhir"
    csv = "csv"


class DomainSource(StrEnum):
    api = "api"
    local = "local"


def _parse_file(path: Path, file_format: FileFormat) -> Parsed:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read {path}: {error}") from None
    if file_format is FileFormat.auto:
        is_json = path.suffix.lower() == ".json" or text.lstrip("\ufeff \t\r\n").startswith("{")
        file_format = FileFormat.fhir if is_json else FileFormat.csv
    if file_format is FileFormat.fhir:
        return parse_fhir_bundle(text)
    try:
        return records_from_csv(parse_visits_csv(text))
    except ValueError as error:
        raise fail(f"cannot read {path}: {error}") from None


def _served_domain(client: httpx.Client) -> Eip712Domain:
    served = client.get("/v1/eip712")
    if served.status_code != 200:
        raise fail(f"the service's GET /v1/eip712 failed: {_error_text(served)}")
    domain = served.json()["domain"]
    return Eip712Domain(chain_id=domain["chainId"], verifying_contract=domain["verifyingContract"])


def _local_domain(settings: Settings) -> Eip712Domain:
    try:
        manifest = ChainGateway(settings).manifest()
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}") from None
    return Eip712Domain(chain_id=manifest.chain_id, verifying_contract=manifest.registry.address)


def signed_entries(
    planned: list[PlannedVisit], key: LocalAccount, domain: Eip712Domain
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    with typer.progressbar(planned, label="signing", file=sys.stderr) as visits:
        for item in visits:
            typed = visit_typed_data(domain, item.visit)
            signed = Account.sign_typed_data(key.key, full_message=typed)
            entry: dict[str, Any] = {
                "message": typed["message"] | {"visitId": encode_hex(item.visit.visit_id)},
                "signature": encode_hex(signed.signature),
            }
            if item.record.email is not None:
                entry["email"] = item.record.email
                if item.record.language is not None:
                    entry["language"] = item.record.language
            entries.append(entry)
    return entries


def _report_refused(answer: dict[str, Any], planned: list[PlannedVisit]) -> None:
    for result, item in zip(answer.get("results", []), planned, strict=False):
        if result.get("result") == "refused":
            error = result.get("error") or {}
            said = f"{error.get('code')}: {error.get('message')}"
            typer.echo(f"{item.record.where} ({item.record.ref}): {said}", err=True)


def _post_import(client: httpx.Client, entries: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/v1/practice/visits/import", json={"visits": entries})
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 or "results" in body:
        return body
    raise fail(f"the service refused the import: {_error_text(response)}")


@visit_app.command("sync")
@with_settings("rpc", "data_dir")
def sync_command(
    settings: Settings,
    file: Annotated[
        Path,
        typer.Argument(
            help="A FHIR R4 Bundle (JSON) or the practice system's CSV "
            "(visit_ref, patient_account, visited_at, email)",
            exists=True,
            dir_okay=False,
        ),
    ],
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", metavar="NAME", help="Read the practice's key from env NAME"),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="A file holding the practice's key (0x and 64 hex)"),
    ] = None,
    keystore: Annotated[
        Path | None, typer.Option("--keystore", help="The practice's encrypted JSON keystore")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env", metavar="NAME", help="Env variable holding the keystore's password"
        ),
    ] = None,
    dentist: Annotated[
        str | None,
        typer.Option(
            "--dentist",
            help="The dentist the visits are for, when the key is a visit-signing key it "
            "authorised (default: the key's own address)",
        ),
    ] = None,
    file_format: Annotated[
        FileFormat, typer.Option("--format", help="The file's format (auto: by its content)")
    ] = FileFormat.auto,
    domain_from: Annotated[
        DomainSource,
        typer.Option(
            "--domain-from",
            help="Sign over the EIP-712 domain of the service (GET /v1/eip712) or of the "
            "local deployment (--rpc-url, --data-dir)",
        ),
    ] = DomainSource.api,
    api_url: ApiUrl = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file only: nothing is signed or sent")
    ] = False,
) -> None:
    """Import the completed visits of a practice system's file: each one signed with the
    practice's key (no wallet prompt) and sent in one all-or-nothing import. Running the
    same file again adds nothing. Exit 1 if any visit is refused (then none is imported)."""
    key = None
    if not (dry_run and dentist is not None):
        key = load_dentist_key(
            key_env=key_env, keystore=keystore, password_env=password_env, key_file=key_file
        )
    practice = dentist if dentist is not None else key.address if key is not None else ""
    try:
        practice = parse_address(practice, "--dentist")
    except DentaReviewError:
        raise fail("--dentist is not a 0x address of 40 hex digits") from None
    parsed = _parse_file(file, file_format)
    planned, plan_errors = plan_visits(parsed.records, dentist=practice, now=int(time.time()))
    for skipped in parsed.skipped:
        typer.echo(f"left out: {skipped}", err=True)
    errors = [*parsed.errors, *plan_errors]
    if errors:
        for error in errors:
            typer.echo(str(error), err=True)
        raise fail(f"{len(errors)} problems in {file}; nothing was imported")
    if len(planned) > MAX_VISITS:
        raise fail(f"{len(planned)} visits: an import takes at most {MAX_VISITS}; split the file")
    if dry_run or not planned:
        said = "dry run: nothing signed or sent" if dry_run else "nothing to import"
        typer.echo(f"{len(planned)} visits ready, {len(parsed.skipped)} left out ({said})")
        return
    assert key is not None
    api_url = api_url or settings.public_url
    try:
        with httpx.Client(base_url=api_url, timeout=120) as client:
            domain = _served_domain(client) if domain_from is DomainSource.api else None
            entries = signed_entries(planned, key, domain or _local_domain(settings))
            answer = _post_import(client, entries)
    except httpx.HTTPError:
        raise fail(f"the service cannot be reached at {api_url}", code=2) from None
    if "error" in answer:
        _report_refused(answer, planned)
        raise fail(f"{answer['error']['message']}")
    typer.echo(
        f"imported {answer['imported']}, already there {answer['alreadyThere']}, "
        f"left out {len(parsed.skipped)}"
    )
