"""Anchor signed statements about reviews on-chain: patients' edits and erasures, dentists'
replies.

A statement is queued (`services/statements.py`) in the same database transaction that
accepts it. Each pass of the anchoring worker, in single and batch mode alike, sends the
digests of every due statement in one `anchorStatements` transaction through the relay
(`dentareview/relay/engine.py`), under its rules:

- **Write-ahead.** The transaction's hash and nonce are committed on every row it
  carries before it leaves; after a crash the next pass finds them.
- **Idempotent on-chain.** The registry records a digest once and skips it after, so a
  resend, a replacement at the same nonce or a re-broadcast records nothing twice, and
  a statement is anchored as soon as any version of its transaction is mined.
- **Finality.** An anchor is re-checked until its block is final; if a reorg drops it,
  the statement is pending again and the chain's record (`statementAnchoredAt` and the
  `StatementAnchored` log) decides whether to wait or send again.

A statement pays nothing, so a failure here never blocks reviews: it waits with backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from eth_utils.hexadecimal import decode_hex, encode_hex
from sqlalchemy.orm import Session
from web3.exceptions import Web3Exception
from web3.types import TxReceipt

from dentareview.chain.registry import StatementEvent
from dentareview.db.models import StatementAnchorRow
from dentareview.db.queries.statements import (
    due_statements,
    in_flight_statements,
    unfinal_statements,
)
from dentareview.relay.engine import AtFeeCap, Inclusion, Refused, Relay, SignedTx
from dentareview.relay.fees import FeesOverCap
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)

# Digests per transaction: about 25k gas each, so a full one stays far below a block.
MAX_STATEMENTS_PER_TX = 200


@dataclass
class StatementReport:
    anchored: int = 0
    finalized: int = 0
    reorged: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)


def _by_tx(rows: Sequence[StatementAnchorRow], key: str) -> list[list[StatementAnchorRow]]:
    ordered = sorted(rows, key=lambda row: (str(getattr(row, key)), row.id))
    return [list(group) for _, group in groupby(ordered, key=lambda row: getattr(row, key))]


class StatementAnchorer:
    """One pass over the statements, run by the worker under the relayer lock."""

    def __init__(self, session: Session, deployment: Deployment, relay: Relay, *, now: int) -> None:
        self._session = session
        self._deployment = deployment
        self._registry = deployment.registry
        self._relay = relay
        self._now = now
        self.report = StatementReport()
        self._block_times: dict[int, int] = {}  # one transaction anchors many: read once

    def run(self) -> StatementReport:
        self._confirm()
        self._session.commit()
        self._settle_in_flight()
        self._session.commit()
        self._send_due()
        self._session.commit()
        return self.report

    # ------------------------------------------------------------------ finality

    def _confirm(self) -> None:
        for rows in _by_tx(unfinal_statements(self._session, limit=1000), "tx_hash"):
            first = rows[0]
            assert first.tx_hash is not None
            verdict = self._relay.inclusion(first.tx_hash, first.block_hash)
            if verdict is Inclusion.FINAL:
                for row in rows:
                    row.final = True
                self.report.finalized += len(rows)
            elif verdict is Inclusion.DROPPED:
                log.warning("statements of %s: its block was reorganised away", first.tx_hash)
                for row in rows:
                    self._unanchor(row, dropped_tx=first.tx_hash)
                self.report.reorged += len(rows)

    @staticmethod
    def _unanchor(row: StatementAnchorRow, *, dropped_tx: str) -> None:
        """Pending again, with the dropped transaction noted: it is waited for if the node
        still has it; otherwise the chain's record decides."""
        row.status = "pending"
        row.sent_tx_hash, row.sent_nonce = dropped_tx, None
        row.tx_hash = row.block_hash = None
        row.block_number = row.anchored_at = None
        row.final = False

    # ------------------------------------------------------------------ in flight

    def _settle_in_flight(self) -> None:
        for rows in _by_tx(in_flight_statements(self._session), "sent_tx_hash"):
            tx_hash = rows[0].sent_tx_hash
            assert tx_hash is not None
            receipt = self._relay.receipt(tx_hash)
            if receipt is not None and receipt["status"] == 1:
                self._record(rows, receipt)
                continue
            if receipt is None and self._relay.pending_in_node(tx_hash):
                if self._now >= rows[0].replace_at:
                    self._replace(rows, tx_hash)
                continue
            # Reverted, dropped, or noted and never sent: what the chain holds decides.
            missing = [row for row in rows if not self._from_chain(row)]
            nonce = rows[0].sent_nonce
            if missing and nonce is not None and self._relay.nonce_in_pool(nonce):
                continue  # another version at the noted nonce waits in the pool
            for row in missing:
                row.sent_tx_hash, row.sent_nonce = None, None  # due again

    def _replace(self, rows: list[StatementAnchorRow], tx_hash: str) -> None:
        """The stuck transaction again at its nonce with bumped fees, noted first."""
        call = self._registry.anchor_statements([decode_hex(row.digest) for row in rows])
        try:
            replacement = self._relay.replacement(tx_hash, call)
        except AtFeeCap as error:
            self.report.errors.append(str(error))
            return
        if replacement is None:
            return
        self._note(rows, replacement)
        self._relay.broadcast(replacement)
        self.report.replaced += 1

    # ------------------------------------------------------------------ sending

    def _send_due(self) -> None:
        rows = due_statements(self._session, now=self._now, limit=MAX_STATEMENTS_PER_TX)
        # Asked only when there is something to send: an idle pass makes no call.
        if not rows or self._registry.contract.functions.paused().call():
            return
        call = self._registry.anchor_statements([decode_hex(row.digest) for row in rows])
        try:
            receipt = self._relay.send(call, note=lambda signed: self._note(rows, signed))
        except (Refused, FeesOverCap, Web3Exception) as error:
            self._defer(rows, f"anchoring statements waits: {error}")
            return
        if receipt is None:
            return  # in flight: the next pass settles or replaces it
        if receipt["status"] == 1:
            self._record(rows, receipt)
        else:
            self._defer(rows, f"transaction {encode_hex(receipt['transactionHash'])} reverted")

    def _note(self, rows: list[StatementAnchorRow], signed: SignedTx) -> None:
        replace_at = self._now + int(self._relay.policy.replace_after_seconds)
        for row in rows:
            row.sent_tx_hash, row.sent_nonce = signed.tx_hash, signed.nonce
            row.replace_at = replace_at
        self._session.commit()  # the write-ahead record, before anything leaves

    def _defer(self, rows: list[StatementAnchorRow], error: str) -> None:
        log.warning("%s", error)
        self.report.errors.append(error)
        for row in rows:
            row.attempts += 1
            row.last_error = error
            row.sent_tx_hash, row.sent_nonce = None, None
            row.next_attempt_at = self._now + self._relay.policy.backoff(row.attempts)

    # ------------------------------------------------------------------ recording

    def _record(self, rows: list[StatementAnchorRow], receipt: TxReceipt) -> None:
        events = {event.digest: event for event in self._registry.statement_events_in(receipt)}
        for row in rows:
            event = events.get(row.digest)
            if event is not None:
                self._mark(row, event)
            elif not self._from_chain(row):  # skipped: an earlier version anchored it
                row.sent_tx_hash, row.sent_nonce = None, None

    def _from_chain(self, row: StatementAnchorRow) -> bool:
        """Mark `row` from the registry's record if its digest is anchored there."""
        digest = decode_hex(row.digest)
        if self._registry.statement_anchored_at(digest) == 0:
            return False
        start = self._deployment.manifest.registry.block_number
        events = self._registry.statement_events(from_block=start, digest=digest)
        if not events:
            return False
        self._mark(row, events[0])
        return True

    def _block_time(self, number: int) -> int:
        if number not in self._block_times:
            block = self._deployment.w3.eth.get_block(number)
            self._block_times[number] = int(block["timestamp"])
        return self._block_times[number]

    def _mark(self, row: StatementAnchorRow, event: StatementEvent) -> None:
        row.status = "anchored"
        row.tx_hash, row.block_number, row.block_hash = (
            event.tx_hash,
            event.block_number,
            event.block_hash,
        )
        row.anchored_at = self._block_time(event.block_number)
        row.last_error = None
        self.report.anchored += 1


def anchor_statements(
    session: Session, deployment: Deployment, relay: Relay, *, now: int
) -> StatementReport:
    """One pass: finality of anchored statements, those in flight, then the due ones."""
    return StatementAnchorer(session, deployment, relay, now=now).run()
