"""Move passkey patients' rewards out (`createAndTransfer`) through the outbox.

A transfer is queued (`services/reward_transfers.py`) when a signed-in passkey patient
posts the `Transfer` their passkey signed. Each pass of the anchoring worker sends the
due ones, one transaction each; the factory deploys the account first if it has no code
yet, in the same transaction (the only time an account is ever deployed).

- **Idempotent on-chain.** The signature names the account's transfer nonce, which the
  account uses up: a resend or replacement after one version was mined reverts, and the
  chain's record (the account's nonce and its `TransferSent` log) decides.
- **Finality.** A transfer is re-checked until its block is final; if a reorg drops it,
  it is pending again and the chain decides whether to wait or send again.
"""

from __future__ import annotations

import logging

from eth_utils.hexadecimal import decode_hex
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.outbox import ChainWriter, Outbox, WriterReport
from dentareview.chain.passkey_accounts import PasskeyFactoryContract, TransferEvent
from dentareview.chain.passkeys import PasskeyKey
from dentareview.db.models import RewardTransferRow
from dentareview.db.queries.reward_transfers import (
    due_transfers,
    in_flight_transfers,
    unfinal_transfers,
)
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment

log = logging.getLogger(__name__)

TRANSFERS_PER_PASS = 20


class TransferWriter(ChainWriter[RewardTransferRow]):
    """One pass over the transfers, run by the worker under the relayer lock."""

    noun = "reward_transfers"

    def __init__(self, session: Session, deployment: Deployment, relay: Relay, *, now: int) -> None:
        self._session = session
        self._deployment = deployment
        self._factory = PasskeyFactoryContract(
            deployment.w3, deployment.registry.passkey_account_factory()
        )
        self._relay = relay
        self._now = now
        self.report = WriterReport()
        self._outbox = Outbox(session, relay, self, self.report, now=now)

    def run(self) -> WriterReport:
        self._outbox.confirm(unfinal_transfers(self._session, limit=1000))
        self._session.commit()
        for row in in_flight_transfers(self._session):
            if not self._outbox.settle_earlier(row):
                row.sent_tx_hash, row.sent_nonce = None, None
        self._session.commit()
        for row in due_transfers(self._session, now=self._now, limit=TRANSFERS_PER_PASS):
            if self._factory.transfer_nonce(row.account) > row.transfer_nonce:
                if not self.reconcile(row):
                    self._refuse(row, "its nonce was used by another transfer")
            else:
                self._outbox.send(row)
        self._session.commit()
        return self.report

    # ------------------------------------------------------------------ the writer

    def rows(self, item: RewardTransferRow) -> list[RewardTransferRow]:
        return [item]

    def describe(self, item: RewardTransferRow) -> str:
        return f"reward transfer {item.id} of {item.account} (nonce {item.transfer_nonce})"

    def call(self, item: RewardTransferRow) -> ContractFunction:
        return self._factory.create_and_transfer(
            PasskeyKey(qx=decode_hex(item.qx), qy=decode_hex(item.qy)),
            token=item.token,
            recipient=item.recipient,
            amount=int(item.amount),
            deadline=item.deadline,
            signature=decode_hex(item.signature),
        )

    def record(self, item: RewardTransferRow, receipt: TxReceipt, *, reconciled: bool) -> bool:
        for event in self._factory.transfer_events_in(receipt, item.account):
            if event.nonce == item.transfer_nonce:
                self._mark(item, event)
                return True
        return self.reconcile(item)

    def reconcile(self, item: RewardTransferRow) -> bool:
        start = self._deployment.manifest.registry.block_number
        for event in self._factory.transfer_events(item.account, from_block=start):
            if event.nonce == item.transfer_nonce:
                self._mark(item, event)
                return True
        return False

    def refused(self, item: RewardTransferRow, reason: str) -> None:
        # The dry run says it would revert: a signature that is not the passkey's, a
        # deadline past, or more than the account holds. Sending it again cannot help.
        self._refuse(item, reason)

    def retry_later(self, item: RewardTransferRow, error: str) -> None:
        log.warning("reward transfer %s waits: %s", item.id, error)
        self.report.errors.append(f"{self.describe(item)}: {error}")
        item.attempts += 1
        item.last_error = error
        item.sent_tx_hash, item.sent_nonce = None, None
        item.next_attempt_at = self._now + self._relay.settings.backoff(item.attempts)

    def in_flight(self, item: RewardTransferRow, tx_hash: str) -> None:
        """The next pass settles or replaces it."""

    def failed(self, item: RewardTransferRow, tx_hash: str) -> None:
        self._refuse(item, f"transaction {tx_hash} reverted")

    @staticmethod
    def undo(item: RewardTransferRow, dropped_tx: str) -> None:
        item.status = "pending"
        item.sent_tx_hash, item.sent_nonce = dropped_tx, None
        item.tx_hash = item.block_hash = None
        item.block_number = item.done_at = None
        item.final = False

    # ------------------------------------------------------------------ its records

    def _mark(self, item: RewardTransferRow, event: TransferEvent) -> None:
        item.status = "done"
        item.tx_hash, item.block_number, item.block_hash = (
            event.tx_hash,
            event.block_number,
            event.block_hash,
        )
        item.done_at = int(self._deployment.w3.eth.get_block(event.block_number)["timestamp"])
        item.last_error = None
        self.report.done += 1

    @staticmethod
    def _refuse(item: RewardTransferRow, reason: str) -> None:
        log.warning("reward transfer %s refused: %s", item.id, reason)
        item.status, item.last_error = "refused", reason
        item.sent_tx_hash, item.sent_nonce = None, None


def transfer_rewards(
    session: Session, deployment: Deployment, relay: Relay, *, now: int
) -> WriterReport:
    """One pass: finality of done transfers, those in flight, then the due ones."""
    return TransferWriter(session, deployment, relay, now=now).run()
