"""Anchor signed statements about reviews on-chain: patients' edits and erasures, dentists'
replies.

A statement is queued (`services/statements.py`) in the same database transaction that
accepts it. Each pass of the anchoring worker, in single and batch mode alike, sends the
digests of every due statement in one `anchorStatements` transaction through the
outbox (`outbox.py`: write-ahead, settling, replacement, finality), an item being the
rows one transaction carries:

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
from itertools import groupby

from eth_utils.hexadecimal import decode_hex
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.outbox import ChainWriter, Outbox, WriterReport
from dentareview.chain.registry import StatementEvent
from dentareview.db.models import StatementAnchorRow
from dentareview.db.queries.statements import (
    due_statements,
    in_flight_statements,
    unfinal_statements,
)
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)

# Digests per transaction: about 25k gas each, so a full one stays far below a block.
MAX_STATEMENTS_PER_TX = 200


def _by_tx(rows: Sequence[StatementAnchorRow], key: str) -> list[list[StatementAnchorRow]]:
    ordered = sorted(rows, key=lambda row: (str(getattr(row, key)), row.id))
    return [list(group) for _, group in groupby(ordered, key=lambda row: getattr(row, key))]


class StatementAnchorer(ChainWriter[list[StatementAnchorRow]]):
    """One pass over the statements, run by the worker under the relayer lock."""

    noun = "statements"

    def __init__(self, session: Session, deployment: Deployment, relay: Relay, *, now: int) -> None:
        self._session = session
        self._deployment = deployment
        self._registry = deployment.registry
        self._relay = relay
        self._now = now
        self.report = WriterReport()
        self._block_times: dict[int, int] = {}  # one transaction anchors many: read once
        self._outbox = Outbox(session, relay, self, self.report, now=now)

    def run(self) -> WriterReport:
        self._outbox.confirm(_by_tx(unfinal_statements(self._session, limit=1000), "tx_hash"))
        self._session.commit()
        for rows in _by_tx(in_flight_statements(self._session), "sent_tx_hash"):
            if not self._outbox.settle_earlier(rows):
                self._due_again(rows)
        self._session.commit()
        rows = due_statements(self._session, now=self._now, limit=MAX_STATEMENTS_PER_TX)
        # Asked only when there is something to send: an idle pass makes no call.
        if rows and not self._registry.contract.functions.paused().call():
            self._outbox.send(rows)
        self._session.commit()
        return self.report

    # ------------------------------------------------------------------ the writer

    def rows(self, item: list[StatementAnchorRow]) -> list[StatementAnchorRow]:
        return item

    def describe(self, item: list[StatementAnchorRow]) -> str:
        return f"statements of {item[0].sent_tx_hash or item[0].tx_hash}"

    def call(self, item: list[StatementAnchorRow]) -> ContractFunction:
        return self._registry.anchor_statements([decode_hex(row.digest) for row in item])

    def record(
        self, item: list[StatementAnchorRow], receipt: TxReceipt, *, reconciled: bool
    ) -> bool:
        events = {event.digest: event for event in self._registry.statement_events_in(receipt)}
        for row in item:
            event = events.get(row.digest)
            if event is not None:
                self._mark(row, event)
            elif not self._from_chain(row):  # skipped: an earlier version anchored it
                row.sent_tx_hash, row.sent_nonce = None, None
        return True

    def reconcile(self, item: list[StatementAnchorRow]) -> bool:
        """Each row from the chain's record; those it lacks stay in `item`."""
        item[:] = [row for row in item if not self._from_chain(row)]
        return not item

    def refused(self, item: list[StatementAnchorRow], reason: str) -> None:
        self._defer(item, f"anchoring statements waits: {reason}")

    def retry_later(self, item: list[StatementAnchorRow], error: str) -> None:
        self._defer(item, f"anchoring statements waits: {error}")

    def held_back(self, items: Sequence[list[StatementAnchorRow]], error: str) -> None:
        for item in items:
            self._defer(item, f"anchoring statements waits: {error}", report=False)

    def in_flight(self, item: list[StatementAnchorRow], tx_hash: str) -> None:
        """The next pass settles or replaces it."""

    def failed(self, item: list[StatementAnchorRow], tx_hash: str) -> None:
        self._defer(item, f"transaction {tx_hash} reverted")

    @staticmethod
    def undo(item: list[StatementAnchorRow], dropped_tx: str) -> None:
        """Pending again, with the dropped transaction noted: it is waited for if the node
        still has it; otherwise the chain's record decides."""
        for row in item:
            row.status = "pending"
            row.sent_tx_hash, row.sent_nonce = dropped_tx, None
            row.tx_hash = row.block_hash = None
            row.block_number = row.anchored_at = None
            row.final = False

    # ------------------------------------------------------------------ its records

    @staticmethod
    def _due_again(rows: list[StatementAnchorRow]) -> None:
        for row in rows:
            row.sent_tx_hash, row.sent_nonce = None, None

    def _defer(self, rows: list[StatementAnchorRow], error: str, *, report: bool = True) -> None:
        log.warning("%s", error)
        if report:
            self.report.errors.append(error)
        for row in rows:
            row.attempts += 1
            row.last_error = error
            row.sent_tx_hash, row.sent_nonce = None, None
            row.next_attempt_at = self._now + self._relay.settings.backoff(row.attempts)

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
        self.report.done += 1


def anchor_statements(
    session: Session, deployment: Deployment, relay: Relay, *, now: int
) -> WriterReport:
    """One pass: finality of anchored statements, those in flight, then the due ones."""
    return StatementAnchorer(session, deployment, relay, now=now).run()
