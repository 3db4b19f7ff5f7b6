"""The chain writes every pass makes besides its mode's own (reviews or batch roots):
signed statements, visit-signing keys, passkey patients' reward transfers, and (given
their settings) anonymous groups' roots and anonymous reviews, one outbox writer each, in
that order. Both modes run them through here."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from dentareview.anchoring.anonymous import AnonymousSettings, run_anonymous_writes
from dentareview.anchoring.outbox import WriterReport
from dentareview.anchoring.statements import anchor_statements
from dentareview.anchoring.transfers import transfer_rewards
from dentareview.anchoring.visit_signers import set_visit_signers
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment


@dataclass
class SideWrites:
    statements: int = 0  # statements anchored
    others: int = 0  # grants set and transfers made: progress, another pass may follow
    reorged: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)


def run_side_writes(
    session: Session,
    deployment: Deployment,
    relay: Relay,
    *,
    now: int,
    stop_on_error: bool,
    anonymous: AnonymousSettings | None = None,
) -> SideWrites:
    """One pass of each writer; with `stop_on_error`, none after a writer that failed."""
    result = SideWrites()
    for kind, run in (
        ("statements", anchor_statements),
        ("others", set_visit_signers),
        ("others", transfer_rewards),
    ):
        _add(result, kind, run(session, deployment, relay, now=now))
        if stop_on_error and result.errors:
            return result
    if anonymous is not None:
        for report in run_anonymous_writes(session, deployment, relay, anonymous, now=now):
            _add(result, "others", report)
    return result


def _add(result: SideWrites, kind: str, report: WriterReport) -> None:
    setattr(result, kind, getattr(result, kind) + report.done)
    result.reorged += report.reorged
    result.replaced += report.replaced
    result.errors += report.errors
