"""`dentareview verify PROOF.json` and `dentareview audit`: checks anyone can run."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import SQLAlchemyError
from web3.exceptions import Web3Exception

from dentareview.audit.findings import DESCRIPTIONS, Kind
from dentareview.audit.logs import DEFAULT_BLOCK_RANGE, LogReadError
from dentareview.audit.proof import ProofFormatError, parse_proof
from dentareview.audit.rpc import counting_web3, format_calls, rpc_calls
from dentareview.audit.trusted_registry import (
    TrustedRegistry,
    UntrustedRegistry,
    trusted_registry,
)
from dentareview.audit.verify import (
    Check,
    needs_full_proof,
    needs_node,
    verify_offline,
    verify_proof,
)
from dentareview.audit.verify.anonymous import (
    AnonymousFormatError,
    parse_anonymous,
    verify_anonymous,
)
from dentareview.chain.client import chain_id_or_none
from dentareview.chain.deployments import Manifest
from dentareview.cli.common import (
    fail,
    with_settings,
)
from dentareview.config import Settings
from dentareview.db.session import make_engine, make_session_factory
from dentareview.errors import DentaReviewError
from dentareview.observability.audit_file import write_audit_metrics
from dentareview.redaction import display_url
from dentareview.services.chain_access import ChainGateway
from dentareview.services.full_audit import AuditReport, run_audit

JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON report instead of text")]
CANNOT_RUN = 2  # exit code when the check could not be made at all (vs 1: it failed)
# The registry to check against, stated by the user (see audit/trusted_registry.py).
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        help="The registry address the operator publishes (this or --manifest is required)",
        show_default=False,
    ),
]
ManifestOption = Annotated[
    Path | None,
    typer.Option(
        "--manifest",
        help="A deployment manifest you trust (deployments/<chainId>.json): its registry, "
        "token and chain are the ones checked",
        show_default=False,
    ),
]


# ---------------------------------------------------------------------- verify


def _read_proof(path: Path) -> object:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot read {path}: {error.strerror}", CANNOT_RUN) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise fail(f"{path} is not JSON: {error}", CANNOT_RUN) from None


def print_checks(checks: list[Check], unchecked: list[Check], header: str, calls: str) -> None:
    typer.echo(header)
    for check in checks:
        mark = typer.style("PASS", fg="green") if check.ok else typer.style("FAIL", fg="red")
        typer.echo(f"  {mark}  {check.name:<17} {check.detail}")
    for check in unchecked:
        typer.echo(f"  {typer.style('N/A ', fg='yellow')}  {check.name:<17} {check.detail}")
    typer.echo(f"RPC calls: {calls}")
    failed = [check.name for check in checks if not check.ok]
    if failed:
        typer.secho(
            f"NOT VERIFIED: {len(failed)} of {len(checks)} checks failed ({', '.join(failed)})",
            fg="red",
        )
    elif unchecked:
        names = ", ".join(check.name for check in unchecked)
        typer.secho(
            f"VERIFIED (public proof): all {len(checks)} checks it allows hold; "
            f"not checked without the full proof: {names}",
            fg="green",
        )
    else:
        typer.secho(f"VERIFIED: all {len(checks)} checks hold", fg="green")


@with_settings("rpc")
def verify_command(
    settings: Settings,
    proof_file: Annotated[
        Path,
        typer.Argument(
            help="Proof JSON: public (GET /v1/reviews/{id}/proof) or the patient's full proof "
            "(GET /v1/me/reviews/{id}/proof); '-' for stdin"
        ),
    ],
    registry: RegistryOption = None,
    manifest: ManifestOption = None,
    as_json: JsonOption = False,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="No node: check the domain, digest and signatures only (a passkey's from the "
            "WebAuthn data in the full proof); the chain, dentist and anchor are left unchecked",
        ),
    ] = False,
    anonymous: Annotated[
        bool,
        typer.Option(
            "--anonymous",
            help="The file is an anonymous review (GET /v1/anonymous-reviews/{id}): check its "
            "digest, its Semaphore proof (by the verifier contract), its group root and its anchor",
        ),
    ] = False,
) -> None:
    """Verify a review proof with a node alone (no database): exit 0 only if every check holds.

    The registry is never taken from the proof: state it with --registry or --manifest."""
    try:
        trusted = trusted_registry(registry=registry, manifest=manifest)
    except UntrustedRegistry as error:
        raise fail(str(error), CANNOT_RUN) from None
    data = _read_proof(proof_file)
    if anonymous:
        _verify_anonymous(settings, data, trusted, manifest, as_json=as_json)
    url = settings.rpc_url
    calls: Counter[str] = Counter()
    unchecked: list[Check] = []
    kind = None
    try:
        proof = parse_proof(data)
    except ProofFormatError as error:
        checks = [Check("format", False, str(error))]
        header = f"Review proof {proof_file}"
    else:
        if offline:
            checks = verify_offline(proof, expected_registry=trusted.address)
            unchecked = [*needs_node(proof), *needs_full_proof(proof)]
            header = f"Review proof ({proof.kind}, offline): review {proof.review_id}, "
        else:
            w3 = counting_web3(url)
            if chain_id_or_none(w3) is None:
                raise fail(f"the node at {display_url(url)} does not answer", CANNOT_RUN)
            try:
                checks = verify_proof(w3, proof, expected_registry=trusted.address)
            except (OSError, Web3Exception) as error:
                raise fail(f"the node at {display_url(url)} failed: {error}", CANNOT_RUN) from None
            unchecked, calls = needs_full_proof(proof), rpc_calls(w3)
            header = f"Review proof ({proof.kind}): review {proof.review_id}, "
        kind = proof.kind
        wrong_chain = trusted.chain_check(proof.chain_id)
        if wrong_chain is not None:
            checks.insert(0, wrong_chain)
        header += f"chain {proof.chain_id}, registry {proof.registry}, anchor {proof.anchor.kind}"
    ok = all(check.ok for check in checks)
    if as_json:
        body = {
            "ok": ok,
            "kind": kind,
            "registry": trusted.to_json(),
            "checks": [check.to_json() for check in checks],
            "needsFullProof": [
                {"check": check.name, "detail": check.detail} for check in unchecked
            ],
            "rpcCalls": dict(calls),
        }
        typer.echo(json.dumps(body, indent=2))
    else:
        print_checks(
            checks, unchecked, f"{header}\nRegistry: {trusted.describe()}", format_calls(calls)
        )
    raise typer.Exit(0 if ok else 1)


def _verify_anonymous(
    settings: Settings,
    data: object,
    trusted: TrustedRegistry,
    manifest: Path | None,
    *,
    as_json: bool,
) -> None:
    """`verify --anonymous`: exits 0 only if every check holds."""
    url = settings.rpc_url
    w3 = counting_web3(url)
    if chain_id_or_none(w3) is None:
        raise fail(f"the node at {display_url(url)} does not answer", CANNOT_RUN)
    anonymous_address = None
    if manifest is not None:
        deployed = Manifest.from_json(json.loads(manifest.read_text(encoding="utf-8")))
        if deployed.anonymous_reviews is None:
            raise fail(f"the manifest {manifest} has no AnonymousReviews", CANNOT_RUN)
        anonymous_address = deployed.anonymous_reviews.address
    try:
        review, proof, body = parse_anonymous(data)
    except AnonymousFormatError as error:
        checks = [Check("format", False, str(error))]
        header = "Anonymous review"
    else:
        try:
            checks = verify_anonymous(
                w3,
                body,
                review,
                proof,
                registry=trusted.address,
                anonymous_address=anonymous_address,
            )
        except (OSError, Web3Exception) as error:
            raise fail(f"the node at {display_url(url)} failed: {error}", CANNOT_RUN) from None
        header = f"Anonymous review {body.get('id')} of {review.dentist}, period {review.period}"
    wrong_chain = trusted.chain_check(int(w3.eth.chain_id))
    if wrong_chain is not None:
        checks.insert(0, wrong_chain)
    ok = all(check.ok for check in checks)
    if as_json:
        body_out = {
            "ok": ok,
            "kind": "anonymous",
            "registry": trusted.to_json(),
            "checks": [check.to_json() for check in checks],
            "rpcCalls": dict(rpc_calls(w3)),
        }
        typer.echo(json.dumps(body_out, indent=2))
    else:
        print_checks(
            checks, [], f"{header}\nRegistry: {trusted.describe()}", format_calls(rpc_calls(w3))
        )
    raise typer.Exit(0 if ok else 1)


# ---------------------------------------------------------------------- audit


class _Bars:
    """Progress bars on a terminal (stderr); nothing at all otherwise."""

    def __init__(self, enabled: bool) -> None:
        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not (enabled and console.is_terminal),
        )
        self._blocks: Any = None
        self._reviews: Any = None

    def __enter__(self) -> _Bars:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def start(self, *, blocks: int, reviews: int) -> None:
        self._blocks = self._progress.add_task("chain blocks", total=blocks)
        self._reviews = self._progress.add_task("reviews", total=reviews)

    def blocks_done(self, count: int) -> None:
        self._progress.advance(self._blocks, count)

    def reviews_done(self, count: int) -> None:
        self._progress.advance(self._reviews, count)


def _print_report(report: AuditReport) -> None:
    counts = report.counts
    typer.echo(
        f"Audit of chain {report.chain_id}: registry {report.registry}, token {report.token}, "
        f"blocks {report.first_block}..{report.last_block}"
    )
    typer.echo(
        f"Checked {counts.reviews} reviews ({counts.anchored} anchored, {counts.pending} pending) "
        f"against {counts.anchors} anchors, {counts.mints} reward mints and "
        f"{counts.payments} recorded payments."
    )
    if counts.batches or counts.payouts:
        typer.echo(
            f"Batch mode: {counts.batches} Merkle roots and {counts.payouts} reward payouts "
            "on-chain, each rebuilt from (reconciled with) the database."
        )
    if counts.edited or counts.erased:
        typer.echo(
            f"States signed by the patients (not discrepancies): EDITED {counts.edited} "
            f"(edited by its author), ERASED {counts.erased} (erased by its author)."
        )
    if counts.reply_versions:
        typer.echo(
            f"Replies: {counts.reply_versions} versions signed by the visits' dentists, each "
            "rehashed and its signature checked."
        )
    if counts.under_review or counts.removed_by_moderation:
        typer.echo(
            f"Moderation (recorded operator decisions, not discrepancies): UNDER_REVIEW "
            f"{counts.under_review}, REMOVED_BY_MODERATION {counts.removed_by_moderation}."
        )
    if counts.in_flight or counts.after_head:
        typer.echo(
            f"Not yet settled: {counts.in_flight} anchored while the worker records them, "
            f"{counts.after_head} anchored after block {report.last_block} (audit again)."
        )
    typer.echo(f"RPC calls: {format_calls(report.rpc_calls)}")
    typer.echo(f"Time: {report.seconds:.1f} s")
    for kind, found in report.by_kind().items():
        typer.echo("")
        typer.secho(f"{kind} ({len(found)}): {DESCRIPTIONS[kind]}", fg="red", bold=True)
        for finding in found:
            who = f"review {finding.review_id}" if finding.review_id is not None else "chain"
            typer.echo(f"  {who}: {finding.detail}")
    typer.echo("")
    if report.ok:
        typer.secho("OK: the database matches the chain", fg="green")
    else:
        kinds = len(report.by_kind())
        typer.secho(f"FAILED: {len(report.findings)} discrepancies of {kinds} kinds", fg="red")


@with_settings("rpc", "data_dir", "database")
def audit_command(
    settings: Settings,
    block_range: Annotated[
        int, typer.Option(min=1, help="Blocks per eth_getLogs call (halved if the node refuses)")
    ] = DEFAULT_BLOCK_RANGE,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, help="Processes hashing reviews (default: one per CPU)", show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
    metrics_file: Annotated[
        Path | None,
        typer.Option(
            "--metrics-file",
            help="Also write the findings by kind for Prometheus' textfile collector "
            "(e.g. node_exporter's); see docs/OPERATIONS.md, Alerts",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Reconcile the whole database with the chain; exit 1 on any discrepancy."""
    w3 = counting_web3(settings.rpc_url)
    gateway = ChainGateway(settings, w3)
    try:
        if not gateway.is_up():
            raise fail(f"the node at {display_url(settings.rpc_url)} does not answer", CANNOT_RUN)
        manifest = gateway.manifest()
        engine = make_engine(settings.resolved_database_url)
        with _Bars(enabled=not as_json) as bars:
            report = run_audit(
                make_session_factory(engine),
                w3,
                manifest,
                block_range=block_range,
                jobs=jobs,
                progress=bars,
            )
        engine.dispose()
    except DentaReviewError as error:
        raise fail(f"{error.code}: {error.message}", CANNOT_RUN) from None
    except SQLAlchemyError as error:
        raise fail(f"the database cannot be read: {error}", CANNOT_RUN) from None
    except (OSError, Web3Exception, LogReadError) as error:
        raise fail(
            f"the node at {display_url(settings.rpc_url)} failed: {error}", CANNOT_RUN
        ) from None
    if metrics_file is not None:
        found = {kind.value: len(report.by_kind().get(kind, [])) for kind in Kind}
        write_audit_metrics(metrics_file, findings=found, completed_at=time.time())
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        _print_report(report)
    raise typer.Exit(0 if report.ok else 1)
