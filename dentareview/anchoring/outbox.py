"""The outbox: one lifecycle for every chain write, on top of the relay
(`dentareview/relay/engine.py`: nonces, fees, gas, receipts, finality).

A write is one transaction: a review's `submitReview`, a batch's root, an aggregate
payout, a set of statement digests. Its table carries the transaction's columns
(`db.models.SentTransaction`). The lifecycle, written here once:

1. **Write ahead** (`note`): the signed transaction's hash and nonce, and when it is
   due for replacement, are committed on the write's rows before anything leaves this
   process.
2. **Broadcast**, one write at a time (`send`: `Relay.send`, which waits for its
   receipt) or a pass's writes pipelined (`send_many`: one dry-run request, consecutive
   nonces for the accepted calls only, one commit of every noted hash, broadcasts in
   nonce order, receipts collected in batches).
3. **Settle** (`settle`): a receipt records the write from its events; a reverted one,
   or one without the expected event, is looked up in the chain's record.
4. **Settle earlier sends** (`settle_earlier`): a write found noted at the start of a
   pass (maybe after a crash) is settled from its receipt; if its transaction waits in
   the node's pool it is waited for, and **replaced** at the same nonce with bumped fees
   once due (`replace_if_due`, noted before it leaves); otherwise the chain's record
   decides (**reconcile**), and while another version may wait at the noted nonce
   (`Relay.nonce_in_pool`) nothing is sent; only then is it sent again.
5. **Finality and reorgs** (`confirm`): an included write is re-checked until its block
   is final; if its block is gone the writer undoes what it recorded and notes the
   dropped transaction, and step 4 applies.

**Why each write takes effect exactly once.** Nothing leaves before its hash is
committed (1), so after a crash the next pass knows every transaction that may be on
its way (4). Every write is idempotent on-chain: the registry refuses a visit twice
(`VisitAlreadyReviewed`), a root twice (`BatchAlreadyAnchored`), a payout id twice
(`PayoutAlreadyMade`), and records a statement digest once; rewards are minted only by
those same transactions. So whichever version of a transaction is mined (the first, a
replacement, a resend after a reorg), the chain holds the effect once, and the chain's
record, read back (reconcile), is what the database records. A new transaction is
signed only when the noted one is neither mined, nor in the pool, nor replaceable at
its nonce, and the chain does not hold the effect.

**A writer** supplies only what differs (`ChainWriter`): the call it builds, what
success records (from a receipt, or from the chain's record), what a dropped block
undoes, and what a refused or failed send leaves behind. Adding one, e.g. a passkey
account's deployment:

1. its table mixes in `db.models.RetriedWrite` (the sent-transaction and retry
   columns, a migration adding them to the table);
2. a `ChainWriter` subclass, about 50 lines (measured: the payout writer is 41 lines on
   the batch-mode base, the batch root writer 56)::

       class AccountDeployer(ChainWriter[AccountRow]):
           noun = "account"

           def rows(self, item):                 # the rows holding its write-ahead record
               return [item]

           def call(self, item):                 # the transaction it sends
               return self.factory.functions.createAccount(item.public_key, item.salt)

           def record(self, item, receipt, *, reconciled):  # its event in the receipt
               event = self.created_in(receipt, item.salt)
               if event:
                   item.address, item.status = event.account, "deployed"
               return event is not None

           def reconcile(self, item):            # the chain's record, read back
               ...  # False if the factory has no account for the salt, else record it

           def undo(self, item, dropped_tx):     # the block that recorded it is gone
               item.status, item.sent_tx_hash = "pending", dropped_tx

           def refused(self, item, reason): ...  # the dry run says it would revert
           def retry_later(self, item, error): ...
           def in_flight(self, item, tx_hash): ...
           def failed(self, item, tx_hash): ...

3. a pass runs it (a few lines in the worker): `outbox = Outbox(session, relay,
   AccountDeployer(...), report, now=now)`, then `outbox.confirm(...)` over its
   recorded but unfinal rows, `outbox.settle_earlier(row)` over its noted ones and
   `outbox.send(row)` (or `send_many`) for the new ones;
4. an entry in `WRITERS` of `tests/reliability/test_outbox_writers.py` (and the few lines
   that leave one write of it pending), which runs it through every adversity there.

The `crash_point` calls are inert unless a reliability test selects one.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from web3.contract.contract import ContractFunction
from web3.exceptions import Web3Exception
from web3.types import TxReceipt

from dentareview.anchoring.crash_points import crash_point
from dentareview.chain.fees import FeesOverCap
from dentareview.chain.transactions import PreparedCall, prepare
from dentareview.db.models import SentTransaction
from dentareview.db.queries.anchoring import record_relay_status
from dentareview.db.queries.locks import release_relayer_lock, try_relayer_lock
from dentareview.errors import DentaReviewError
from dentareview.observability.chain import (
    observe_anchored,
    observe_final,
    observe_receipt,
    writer_kind,
)
from dentareview.observability.metrics import TX_REORGED, TX_REPLACED, TX_SENT
from dentareview.relay.engine import AtFeeCap, DryRunFailed, Inclusion, Refused, Relay, SignedTx
from dentareview.relay.settings import RelaySettings
from dentareview.services.chain_access import ChainGateway, Deployment

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Report = TypeVar("Report", bound="OutboxReport")


class OutboxReport(Protocol):
    """What the lifecycle counts in a pass's report (the writers count the rest)."""

    finalized: int
    reorged: int
    replaced: int
    errors: list[str]


@dataclass
class WriterReport:
    """A pass of one of the writers that run beside a mode's own (statements, visit-signing
    keys, reward transfers): the writes it recorded, and what the lifecycle counts."""

    done: int = 0
    finalized: int = 0
    reorged: int = 0
    replaced: int = 0
    errors: list[str] = field(default_factory=list)


def relaying_pass(
    sessions: sessionmaker[Session],
    gateway: ChainGateway,
    settings: RelaySettings,
    report: Report,
    run: Callable[[Session, Deployment, Relay, Report], None],
    *,
    now: Callable[[], float],
) -> Report:
    """Run one pass of a worker (`run`) as the one relaying process, and record what it
    ran into for /health; an empty report if another process is relaying right now."""
    try:
        deployment = gateway.deployment()
    except DentaReviewError as error:
        report.errors.append(error.message)
        return report
    relay = Relay(deployment.sender, deployment.registry, settings)
    engine: Engine = sessions.kw["bind"]
    # The lock lives on its own connection so it holds across the pass's commits; if
    # this process dies, so does the lock.
    with engine.connect() as lock, sessions() as session:
        if not try_relayer_lock(lock):
            return report
        try:
            try:
                run(session, deployment, relay, report)
            except OSError as error:
                # The node went away during the pass (the HTTP transport's errors are
                # OSErrors): what was committed stands, the rest waits for the next pass.
                session.rollback()
                report.errors.append(f"the chain node stopped answering: {type(error).__name__}")
            # Whichever process answers /health shows what this pass ran into.
            record_relay_status(
                session, problem=report.errors[0] if report.errors else None, now=int(now())
            )
            session.commit()
        finally:
            session.rollback()
            release_relayer_lock(lock)
    return report


class ChainWriter(ABC, Generic[Item]):
    """What one kind of chain write adds to the lifecycle. An item is what one
    transaction carries: a row, or rows that share their transaction."""

    noun: ClassVar[str]  # names the write in errors: "batch 3: ..."
    # One write in flight at a time (batches, payouts): a noted transaction still in
    # the pool is waited for within the pass.
    waits_in_flight: ClassVar[bool] = False

    @abstractmethod
    def rows(self, item: Item) -> Sequence[SentTransaction]:
        """The rows holding the item's write-ahead record (the first speaks for all)."""

    @abstractmethod
    def call(self, item: Item) -> ContractFunction:
        """The contract call the item's transaction makes."""

    def prepared_calls(self, items: Sequence[Item]) -> list[PreparedCall]:
        """The calls encoded for a pipelined pass (a writer may encode them faster)."""
        return [prepare(self.call(item)) for item in items]

    def sendable(self, items: list[Item]) -> list[Item]:
        """The items a pipelined pass may send now (the others wait, with their reason)."""
        return items

    @abstractmethod
    def record(self, item: Item, receipt: TxReceipt, *, reconciled: bool) -> bool:
        """Record the write from its successful receipt's events; False if they lack it."""

    @abstractmethod
    def reconcile(self, item: Item) -> bool:
        """Record the write from the chain's record; False if the chain does not hold it."""

    @abstractmethod
    def refused(self, item: Item, reason: str) -> None:
        """The dry run says the call would revert (`reason`: the registry's error)."""

    @abstractmethod
    def retry_later(self, item: Item, error: str) -> None:
        """The node could not dry-run the item's call: nothing was sent."""

    def held_back(self, items: Sequence[Item], error: str) -> None:
        """Nothing was sent (fees over the maximum, the node failing): `error` is reported."""

    @abstractmethod
    def in_flight(self, item: Item, tx_hash: str) -> None:
        """Sent, no receipt yet: a later pass settles it, or replaces it when due."""

    @abstractmethod
    def failed(self, item: Item, tx_hash: str) -> None:
        """The transaction reverted and the chain does not hold the write."""

    def finalize(self, item: Item) -> None:
        for row in self.rows(item):
            row.final = True

    @abstractmethod
    def undo(self, item: Item, dropped_tx: str) -> None:
        """A reorg dropped the block that included it: pending again, `dropped_tx` noted."""

    def size(self, item: Item) -> int:
        """What the item counts for in the report's finalized and reorged figures."""
        return len(self.rows(item))

    def describe(self, item: Item) -> str:
        return f"{self.noun} {getattr(self.rows(item)[0], 'id', '?')}"

    def begin_settling(
        self, items: Sequence[Item], receipts: Mapping[str, TxReceipt | None]
    ) -> None:
        """Before a pipelined pass settles its receipts (to read what they share once)."""

    def end_settling(self) -> None:
        """After a pipelined pass settled its receipts."""


class Outbox(Generic[Item]):
    """The lifecycle of one writer's items within one pass (under the relayer lock)."""

    def __init__(
        self,
        session: Session,
        relay: Relay,
        writer: ChainWriter[Item],
        report: OutboxReport,
        *,
        now: int,
    ) -> None:
        self._session = session
        self._relay = relay
        self._writer = writer
        self._report = report
        self._now = now
        self._kind = writer_kind(writer.noun)  # the metrics' label

    # ------------------------------------------------------------------ finality

    def confirm(self, items: Sequence[Item]) -> None:
        """Recorded writes become final, or pending again when a reorg dropped their block."""
        heads = [self._writer.rows(item)[0] for item in items]
        verdicts = self._relay.inclusions([(head.tx_hash or "", head.block_hash) for head in heads])
        for item, head, verdict in zip(items, heads, verdicts, strict=True):
            assert head.tx_hash is not None  # recorded writes have one
            if verdict is Inclusion.FINAL:
                self._writer.finalize(item)
                observe_final(self._kind, head, now=time.time())
                self._report.finalized += self._writer.size(item)
            elif verdict is Inclusion.DROPPED:
                log.warning(
                    "%s: block %s of its transaction %s was reorganised away",
                    self._writer.describe(item),
                    head.block_number,
                    head.tx_hash,
                )
                self._writer.undo(item, head.tx_hash)
                TX_REORGED.labels(self._kind).inc()
                self._report.reorged += self._writer.size(item)

    # ------------------------------------------------------------------ write-ahead

    def note(self, noted: Iterable[tuple[Item, SignedTx]]) -> None:
        """Commit each signed transaction's hash and nonce on its rows: the write-ahead
        record, before anything leaves this process."""
        replace_at = self._now + int(self._relay.settings.replace_after_seconds)
        noted = list(noted)
        for item, tx in noted:
            for row in self._writer.rows(item):
                row.sent_tx_hash, row.sent_nonce, row.replace_at = tx.tx_hash, tx.nonce, replace_at
        crash_point("signed")
        self._session.commit()
        crash_point("noted")
        TX_SENT.labels(self._kind).inc(len(noted))

    # ------------------------------------------------------------------ sending

    def send(self, item: Item) -> None:
        """One write: sign, note, broadcast, wait for its receipt, settle."""
        try:
            receipt = self._relay.send(
                self._writer.call(item), note=lambda tx: self.note([(item, tx)])
            )
        except Refused as refused:
            self._writer.refused(item, refused.reason)
            self._session.commit()
            return
        except (FeesOverCap, DryRunFailed, Web3Exception) as error:
            self._hold_back([item], str(error))
            return
        crash_point("mined")
        self.settle(item, receipt, reconciled=False)
        self._session.commit()

    def send_many(self, items: list[Item]) -> None:
        """A pipelined pass: dry-run every item at once, sign the accepted ones with
        consecutive nonces, note them (one commit), broadcast, then settle the receipts."""
        if not items:
            return
        try:
            fees = self._relay.fees()
        except FeesOverCap as error:
            self._hold_back(items, str(error))
            return
        ready = self._writer.sendable(items)
        calls = self._writer.prepared_calls(ready)
        # The dry runs of the whole pass in one round trip; only accepted calls get
        # nonces (consecutive ones), so a refusal leaves no gap.
        try:
            dry_runs = self._relay.dry_run_many(calls)
        except (DryRunFailed, Web3Exception, OSError) as error:
            self._hold_back(ready, f"gas estimates failed: {error}")
            return
        accepted: list[tuple[Item, PreparedCall, int]] = []
        for item, call, dry_run in zip(ready, calls, dry_runs, strict=True):
            if isinstance(dry_run, Refused):
                self._writer.refused(item, dry_run.reason)
            elif isinstance(dry_run, Exception):
                self._writer.retry_later(item, f"gas estimate failed: {dry_run}")
            else:
                accepted.append((item, call, dry_run))
        txs = self._relay.sign_many(
            [(call, gas) for _, call, gas in accepted],
            first_nonce=self._relay.next_nonce(),
            fees=fees,
        )
        signed = [(item, tx) for (item, _, _), tx in zip(accepted, txs, strict=True)]
        self.note(signed)
        self._broadcast(txs)
        # Receipts collected in batches as they come; no database write lock is held
        # while waiting (the write-ahead commit ended the transaction).
        receipts = self._relay.collect([tx.tx_hash for tx in txs])
        crash_point("mined")
        self._writer.begin_settling([item for item, _ in signed], receipts)
        with self._session.no_autoflush:  # the updates go out together at the commit
            for item, tx in signed:
                self.settle(item, receipts[tx.tx_hash], reconciled=False)
        self._writer.end_settling()
        self._session.commit()

    def _broadcast(self, txs: list[SignedTx]) -> None:
        """In nonce order: the first alone, then the rest, half and half, in batched
        requests (the crash points let the reliability tests stop in between)."""
        half = max(1, len(txs) // 2)
        if txs:
            self._relay.send_signed_many(txs[:1])
            crash_point("sent_one")
            self._relay.send_signed_many(txs[1:half])
            crash_point("sent_half")
            self._relay.send_signed_many(txs[half:])
        crash_point("sent")

    def _hold_back(self, items: Sequence[Item], error: str) -> None:
        self._report.errors.append(error)
        self._writer.held_back(items, error)

    # ------------------------------------------------------------------ settling

    def settle(self, item: Item, receipt: TxReceipt | None, *, reconciled: bool) -> None:
        tx_hash = self._writer.rows(item)[0].sent_tx_hash or ""
        if receipt is None:
            self._writer.in_flight(item, tx_hash)
            return
        observe_receipt(self._kind, receipt)
        if receipt["status"] == 1 and self._writer.record(item, receipt, reconciled=reconciled):
            observe_anchored(self._kind, self._writer.rows(item)[0], now=time.time())
            return
        # Reverted, or without the write's event: an earlier version may have made it.
        if self._writer.reconcile(item):
            return
        log.warning("%s: transaction %s reverted", self._writer.describe(item), tx_hash)
        self._writer.failed(item, tx_hash)

    def settle_earlier(self, item: Item) -> bool:
        """Settle a write noted by an earlier pass (maybe before a crash). False when it
        must be sent (again): nothing of it is mined, waiting, or on the chain."""
        head = self._writer.rows(item)[0]
        if head.sent_tx_hash is None:
            return False
        receipt = self._relay.receipt(head.sent_tx_hash)
        if receipt is None and self._relay.pending_in_node(head.sent_tx_hash):
            # In the node's pool: never sign a second transaction for the write at a new
            # nonce. Past its time it is replaced at the same nonce with higher fees.
            self.replace_if_due(item, head.sent_tx_hash)
            if not self._writer.waits_in_flight:
                return True
            receipt = self._relay.wait(head.sent_tx_hash)  # the replacement's, if any
            if receipt is None:
                self._report.errors.append(
                    f"{self._writer.describe(item)}: transaction still pending"
                )
                return True
        if receipt is not None and receipt["status"] == 1:
            self.settle(item, receipt, reconciled=True)
            return True
        if self._writer.reconcile(item):
            return True
        # Another version at the noted nonce may wait in the pool (a replacement noted but
        # never broadcast): wait for the nonce to be used rather than send a second one.
        return head.sent_nonce is not None and self._relay.nonce_in_pool(head.sent_nonce)

    def replace_if_due(self, item: Item, tx_hash: str) -> None:
        """Sign the stuck transaction again at its nonce with bumped fees, noted first."""
        if self._now < self._writer.rows(item)[0].replace_at:
            return
        try:
            replacement = self._relay.replacement(tx_hash, self._writer.call(item))
        except AtFeeCap as error:
            self._report.errors.append(f"{self._writer.describe(item)}: {error}")
            return
        if replacement is None:
            return
        self.note([(item, replacement)])  # before it leaves: any version may be mined
        self._relay.broadcast(replacement)
        self._report.replaced += 1
        TX_REPLACED.labels(self._kind).inc()
