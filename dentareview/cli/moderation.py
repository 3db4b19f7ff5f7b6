"""`dentareview moderation …`: the operator's flags, decisions and anomaly signals.

The CLI reads the database directly, so it names the deciding operator with `--operator`,
which must be one of DENTAREVIEW_OPERATOR_ADDRESSES (as the API requires a SIWE session
of one of them).
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from dentareview.cli.common import (
    fail,
    with_settings,
)
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.models import parse_address
from dentareview.domain.moderation import DECISION_REASONS, SignalSettings
from dentareview.errors import DentaReviewError
from dentareview.services.moderation import (
    decide,
    dentist_signals,
    list_open_flags,
    mark_signalled,
    require_operator,
)

moderation_app = typer.Typer(
    help="Moderate: open flags, keep or remove reviews, anomaly signals per dentist.",
    no_args_is_help=True,
)

OperatorOption = Annotated[
    str, typer.Option("--operator", help="your operator wallet (DENTAREVIEW_OPERATOR_ADDRESSES)")
]


def _sessions(settings: Settings) -> sessionmaker[Session]:
    upgrade_database(settings.resolved_database_url)
    return make_session_factory(make_engine(settings.resolved_database_url))


def _operator(settings: Settings, operator: str) -> str:
    try:
        return require_operator(parse_address(operator, "operator"), settings.operators())
    except DentaReviewError as error:
        raise fail(error.message) from None


@moderation_app.command("flags")
@with_settings("data_dir", "database")
def flags_command(
    settings: Settings,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
) -> None:
    """List open flags, oldest first."""
    with _sessions(settings)() as session:
        flags = list_open_flags(session, limit=limit, offset=0)
        for flag in flags:
            typer.echo(
                f"review {flag.review_id}: {flag.reason} (flag {flag.id}, {flag.created_at})"
            )
        typer.echo(f"{len(flags)} open flag(s)")


@moderation_app.command("decide")
@with_settings("data_dir", "database")
def decide_command(
    settings: Settings,
    review_id: Annotated[int, typer.Argument(min=1, max=2**31 - 1)],
    action: Annotated[str, typer.Option("--action", help="keep, remove or under_review")],
    reason: Annotated[str, typer.Option("--reason", help=", ".join(DECISION_REASONS))],
    operator: OperatorOption,
    note: Annotated[str | None, typer.Option("--note", help="public, at most 500 chars")] = None,
) -> None:
    """Keep or remove a review (or mark it under review), recorded with who and why."""
    who = _operator(settings, operator)
    with _sessions(settings)() as session:
        try:
            decision = decide(
                session, review_id=review_id, action=action, reason=reason, note=note,
                operator=who, now=int(time.time()),
            )  # fmt: skip
        except DentaReviewError as error:
            raise fail(f"{error.code}: {error.message}") from None
        session.commit()
        typer.echo(
            f"review {review_id}: {action} ({reason}) by {who}; "
            f"{decision.resolved_flags} flag(s) resolved"
        )


@moderation_app.command("signals")
@with_settings("data_dir", "database")
def signals_command(
    settings: Settings,
    dentist: Annotated[str, typer.Argument(help="the dentist's address")],
    mark: Annotated[
        bool, typer.Option("--mark", help="mark the reviews of raised signals under review")
    ] = False,
    operator: Annotated[str | None, typer.Option("--operator", help="needed with --mark")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Anomaly signals of a practice: new wallets, bursts, a rating shift."""
    if mark and operator is None:
        raise fail("--mark needs --operator")
    who = _operator(settings, operator) if mark and operator is not None else None
    now = int(time.time())
    with _sessions(settings)() as session:
        try:
            address = parse_address(dentist, "dentist")
            signals = dentist_signals(session, dentist=address, now=now, settings=SignalSettings())
        except DentaReviewError as error:
            raise fail(f"{error.code}: {error.message}") from None
        marked = mark_signalled(session, signals=signals, operator=who, now=now) if who else []
        session.commit()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "dentist": address,
                    "signals": [
                        {
                            "name": s.name,
                            "raised": s.raised,
                            "value": s.value,
                            "threshold": s.threshold,
                            "detail": s.detail,
                            "reviewIds": list(s.review_ids),
                        }  # fmt: skip
                        for s in signals
                    ],
                    "marked": marked,
                }
            )
        )
        return
    for s in signals:
        flag = "RAISED" if s.raised else "ok"
        typer.echo(f"{s.name}: {flag} ({s.value} vs {s.threshold}) {s.detail}")
    if who:
        typer.echo(f"marked under review: {len(marked)} review(s) {marked}")
