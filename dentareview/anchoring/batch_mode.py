"""What the two chain writers of batch mode share: roots (`batches.py`) and payouts
(`payouts.py`).

Each is one write in flight at a time under a key the registry refuses twice (a root, a
payout id), so the registry's record of the key says whether it was made, and its
event, found in a receipt or in the logs, is what the database records.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from sqlalchemy.orm import Session
from web3.types import TxReceipt

from dentareview.anchoring.outbox import ChainWriter
from dentareview.chain.batches import BatchRegistry
from dentareview.db.models import RetriedWrite
from dentareview.redaction import scrub
from dentareview.services.chain_access import Deployment

if TYPE_CHECKING:
    from dentareview.anchoring.payouts import PayoutReport

Row = TypeVar("Row", bound=RetriedWrite)
Event = TypeVar("Event")


class BatchModeWriter(ChainWriter[Row], Generic[Row, Event]):
    waits_in_flight = True  # the next one must see this one's effect (a root, the cap)
    function: ClassVar[str]  # the registry function, named in errors
    event: ClassVar[str]  # the registry event that records the write

    def __init__(
        self, session: Session, deployment: Deployment, batches: BatchRegistry, report: PayoutReport
    ) -> None:
        self._session = session
        self._deployment = deployment
        self._batches = batches
        self._report = report

    @abstractmethod
    def events_in(self, item: Row, receipt: TxReceipt) -> Sequence[Event]:
        """The item's events in `receipt`."""

    @abstractmethod
    def made(self, item: Row) -> bool:
        """Whether the registry holds the item's key."""

    @abstractmethod
    def logged(self, item: Row, *, from_block: int, to_block: int) -> Sequence[Event]:
        """The item's events in the registry's logs."""

    @abstractmethod
    def mark(self, item: Row, event: Event, *, reconciled: bool) -> None:
        """Record the write from its event (committed by the caller)."""

    @abstractmethod
    def count_failure(self, item: Row, error: str) -> None:
        """Report a transaction that did not make the write."""

    def rows(self, item: Row) -> list[Row]:
        return [item]

    def record(self, item: Row, receipt: TxReceipt, *, reconciled: bool) -> bool:
        events = self.events_in(item, receipt)
        if events:
            self._mark(item, events[0], reconciled=reconciled)
        return bool(events)

    def reconcile(self, item: Row) -> bool:
        if not self.made(item):
            return False
        events = self.logged(
            item,
            from_block=self._deployment.manifest.registry.block_number,
            to_block=int(self._deployment.w3.eth.block_number),
        )
        if not events:
            self._report.errors.append(
                f"{self.describe(item)}: made on-chain but no {self.event} event found"
            )
        else:
            self._mark(item, events[0], reconciled=True)
        return True

    def refused(self, item: Row, reason: str) -> None:
        self._note_failure(item, f"not sent: {reason}")
        self._report.errors.append(f"{self.describe(item)}: {self.function} would revert: {reason}")

    def retry_later(self, item: Row, error: str) -> None:
        self._note_failure(item, error)
        self._report.errors.append(f"{self.describe(item)}: {error}")

    def in_flight(self, item: Row, tx_hash: str) -> None:
        if not self.reconcile(item):
            self._fail(item, "no receipt yet")

    def failed(self, item: Row, tx_hash: str) -> None:
        self._fail(item, "reverted")

    def _fail(self, item: Row, why: str) -> None:
        error = f"{self.noun} transaction {why}"
        self._note_failure(item, error)
        self._session.commit()
        self.count_failure(item, error)

    @staticmethod
    def _note_failure(item: Row, error: str) -> None:
        item.attempts += 1
        item.last_error = scrub(error)  # node errors may name the RPC URL and its key

    def _mark(self, item: Row, event: Event, *, reconciled: bool) -> None:
        self.mark(item, event, reconciled=reconciled)
        self._session.commit()

    def block_time(self, number: int) -> int:
        return int(self._deployment.w3.eth.get_block(number)["timestamp"])
