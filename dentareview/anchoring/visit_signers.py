"""Put dentists' signed `VisitSigner`s on-chain (`setVisitSigner`) through the outbox.

A grant is queued (`services/visit_signers.py`) when the signed-in dentist posts it. Each
pass of the anchoring worker sends the due ones, one transaction each, in each dentist's
nonce order (the registry takes only the dentist's current nonce):

- **Idempotent on-chain.** A grant's signature names its nonce, which the registry uses
  up; a resend or replacement after one version was mined reverts, and the chain's
  record (the dentist's nonce and its `VisitSignerSet` log) decides what was set.
- **Finality.** A grant is re-checked until its block is final; if a reorg drops it, it
  is pending again and the chain decides whether to wait or send again.

The service takes a key's visits only once its grant is set (and stops at once on a
revocation, before the chain), so a grant waiting here never lets a visit in early.
"""

from __future__ import annotations

import logging

from eth_utils.hexadecimal import decode_hex
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.outbox import ChainWriter, Outbox, WriterReport
from dentareview.chain.registry import VisitSignerEvent
from dentareview.db.models import VisitSignerRow
from dentareview.db.queries.visit_signers import (
    due_visit_signers,
    in_flight_visit_signers,
    unfinal_visit_signers,
)
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)

GRANTS_PER_PASS = 50


class VisitSignerWriter(ChainWriter[VisitSignerRow]):
    """One pass over the grants, run by the worker under the relayer lock."""

    noun = "visit_signers"

    def __init__(self, session: Session, deployment: Deployment, relay: Relay, *, now: int) -> None:
        self._session = session
        self._deployment = deployment
        self._registry = deployment.registry
        self._relay = relay
        self._now = now
        self.report = WriterReport()
        self._outbox = Outbox(session, relay, self, self.report, now=now)

    def run(self) -> WriterReport:
        self._outbox.confirm(unfinal_visit_signers(self._session, limit=1000))
        self._session.commit()
        for row in in_flight_visit_signers(self._session):
            if not self._outbox.settle_earlier(row):
                row.sent_tx_hash, row.sent_nonce = None, None
        self._session.commit()
        for row in due_visit_signers(self._session, now=self._now, limit=GRANTS_PER_PASS):
            on_chain = self._registry.visit_signer_nonce(row.dentist)
            if row.nonce < on_chain:
                if not self.reconcile(row):
                    self._refuse(row, "its nonce was used by another authorisation")
            elif row.nonce == on_chain:
                self._outbox.send(row)
            # else: an earlier grant of the dentist goes first
        self._session.commit()
        return self.report

    # ------------------------------------------------------------------ the writer

    def rows(self, item: VisitSignerRow) -> list[VisitSignerRow]:
        return [item]

    def describe(self, item: VisitSignerRow) -> str:
        return f"visit signer {item.signer} of {item.dentist} (nonce {item.nonce})"

    def call(self, item: VisitSignerRow) -> ContractFunction:
        return self._registry.set_visit_signer(
            item.dentist, item.signer, item.valid_until, decode_hex(item.signature)
        )

    def record(self, item: VisitSignerRow, receipt: TxReceipt, *, reconciled: bool) -> bool:
        for event in self._registry.visit_signer_events_in(receipt):
            if self._matches(item, event):
                self._mark(item, event)
                return True
        return self.reconcile(item)

    def reconcile(self, item: VisitSignerRow) -> bool:
        start = self._deployment.manifest.registry.block_number
        for event in self._registry.visit_signer_events(from_block=start, dentist=item.dentist):
            if event.nonce == item.nonce:
                if self._matches(item, event):
                    self._mark(item, event)
                else:
                    self._refuse(item, "its nonce was used by another authorisation")
                return True
        return False

    def refused(self, item: VisitSignerRow, reason: str) -> None:
        # The dry run says it would revert: a bad signature or a key of another dentist.
        self._refuse(item, reason)

    def retry_later(self, item: VisitSignerRow, error: str) -> None:
        self._defer(item, f"setting a visit signer waits: {error}")

    def in_flight(self, item: VisitSignerRow, tx_hash: str) -> None:
        """The next pass settles or replaces it."""

    def failed(self, item: VisitSignerRow, tx_hash: str) -> None:
        self._defer(item, f"transaction {tx_hash} reverted")

    @staticmethod
    def undo(item: VisitSignerRow, dropped_tx: str) -> None:
        item.status = "pending"
        item.sent_tx_hash, item.sent_nonce = dropped_tx, None
        item.tx_hash = item.block_hash = None
        item.block_number = None
        item.final = False

    # ------------------------------------------------------------------ its records

    @staticmethod
    def _matches(item: VisitSignerRow, event: VisitSignerEvent) -> bool:
        return (
            event.dentist.lower() == item.dentist.lower()
            and event.signer.lower() == item.signer.lower()
            and event.nonce == item.nonce
            and event.valid_until == item.valid_until
        )

    def _mark(self, item: VisitSignerRow, event: VisitSignerEvent) -> None:
        item.status = "set"
        item.tx_hash, item.block_number, item.block_hash = (
            event.tx_hash,
            event.block_number,
            event.block_hash,
        )
        item.last_error = None
        self.report.done += 1

    def _refuse(self, item: VisitSignerRow, reason: str) -> None:
        log.warning("visit signer %s refused: %s", item.signer, reason)
        item.status, item.last_error = "refused", reason
        item.sent_tx_hash, item.sent_nonce = None, None

    def _defer(self, item: VisitSignerRow, error: str) -> None:
        log.warning("%s", error)
        self.report.errors.append(error)
        item.attempts += 1
        item.last_error = error
        item.sent_tx_hash, item.sent_nonce = None, None
        item.next_attempt_at = self._now + self._relay.settings.backoff(item.attempts)


def set_visit_signers(
    session: Session, deployment: Deployment, relay: Relay, *, now: int
) -> WriterReport:
    """One pass: finality of set grants, those in flight, then the due ones."""
    return VisitSignerWriter(session, deployment, relay, now=now).run()
