"""The two chain writes of anonymous reviews, each an outbox writer (docs/ANONYMOUS.md):

- **Group roots.** At most every `group_root_interval` seconds, one `commitGroupRoots`
  for every practice whose group grew since its newest root; each root is computed by
  Semaphore's own library (scripts/semaphore_group.mjs). Idempotent on-chain: committing
  a root again only refreshes its record, and the chain's `groupRoot` record decides.
- **Publication.** Queued anonymous reviews go out by the publication rule
  (domain/anonymous.py: batch size, minimum and maximum delay), each batch shuffled with
  the system's random source, one `submitAnonymousReview` each, pipelined in one pass.
  Idempotent on-chain: a digest and a nullifier are taken once (`anchoredAt` decides).

Their log lines name a review only by its random id and a root only by its practice:
never a visit, a patient or a commitment.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from eth_utils.hexadecimal import decode_hex
from sqlalchemy.orm import Session
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from dentareview.anchoring.outbox import ChainWriter, Outbox, WriterReport
from dentareview.chain.anonymous import AnonymousContract, ChainEvent
from dentareview.config import Settings
from dentareview.db.models import AnonymousReviewRow, GroupRootRow
from dentareview.db.queries.aggregates import shift_anonymous
from dentareview.db.queries.anonymous import (
    group_members,
    grown_groups,
    in_flight_anonymous_reviews,
    in_flight_roots,
    last_root_created_at,
    queued_anonymous_reviews,
    unfinal_anonymous_reviews,
    unfinal_roots,
    unsent_roots,
)
from dentareview.domain.anonymous import PublicationRule, Queued, due_batch
from dentareview.errors import DentaReviewError
from dentareview.relay.engine import Relay
from dentareview.services.chain_access import Deployment
from dentareview.services.semaphore_node import group_root

log = logging.getLogger(__name__)

ROOTS_PER_TX = 100  # about 50k gas each
REVIEWS_PER_PASS = 50


@dataclass(frozen=True)
class AnonymousSettings:
    """What the two writers need of the settings."""

    group_root_interval: float
    rule: PublicationRule
    node_timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> AnonymousSettings:
        return cls(
            group_root_interval=settings.group_root_interval,
            rule=PublicationRule(
                batch_size=settings.anonymous_batch_size,
                min_delay=settings.anonymous_min_delay,
                max_delay=settings.anonymous_max_delay,
            ),
            node_timeout_seconds=settings.node_timeout_seconds,
        )


def _by(rows: Sequence[GroupRootRow], key: str) -> list[list[GroupRootRow]]:
    ordered = sorted(rows, key=lambda row: (str(getattr(row, key)), row.id))
    return [list(group) for _, group in groupby(ordered, key=lambda row: getattr(row, key))]


class _Times:
    """Block timestamps, read once per block."""

    def __init__(self, deployment: Deployment) -> None:
        self._w3 = deployment.w3
        self._times: dict[int, int] = {}

    def of(self, number: int) -> int:
        if number not in self._times:
            self._times[number] = int(self._w3.eth.get_block(number)["timestamp"])
        return self._times[number]


def _place(row: GroupRootRow | AnonymousReviewRow, event: ChainEvent) -> None:
    row.tx_hash, row.block_number, row.block_hash = (
        event.tx_hash,
        event.block_number,
        event.block_hash,
    )
    row.last_error = None


# ---------------------------------------------------------------- group roots


class GroupRootWriter(ChainWriter[list[GroupRootRow]]):
    noun = "group_roots"

    def __init__(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        contract: AnonymousContract,
        settings: AnonymousSettings,
        *,
        now: int,
    ) -> None:
        self._session = session
        self._deployment = deployment
        self._contract = contract
        self._relay = relay
        self._settings = settings
        self._now = now
        self._times = _Times(deployment)
        self.report = WriterReport()
        self._outbox = Outbox(session, relay, self, self.report, now=now)

    def run(self) -> WriterReport:
        self._outbox.confirm(_by(unfinal_roots(self._session), "tx_hash"))
        self._session.commit()
        for rows in _by(in_flight_roots(self._session), "sent_tx_hash"):
            if not self._outbox.settle_earlier(rows):
                for row in rows:
                    row.sent_tx_hash, row.sent_nonce = None, None
        self._session.commit()
        self._add_grown_groups()
        rows = unsent_roots(self._session, now=self._now, limit=ROOTS_PER_TX)
        if rows and not self._contract.contract.functions.paused().call():
            self._outbox.send(rows)
        self._session.commit()
        return self.report

    def _add_grown_groups(self) -> None:
        """A root row for every practice whose group grew, once the interval has passed."""
        last = last_root_created_at(self._session)
        if last is not None and self._now < last + self._settings.group_root_interval:
            return
        for dentist, leaves in grown_groups(self._session)[:ROOTS_PER_TX]:
            members = group_members(self._session, dentist=dentist, limit=leaves)
            try:
                computed = group_root(
                    [int(m) for m in members], timeout=self._settings.node_timeout_seconds
                )
            except DentaReviewError as error:
                self.report.errors.append(f"group roots wait: {error.message}")
                log.warning("group roots wait: %s", error.message)
                return
            self._session.add(
                GroupRootRow(
                    dentist=dentist,
                    root=str(computed.root),
                    depth=computed.depth,
                    size=computed.size,
                    status="pending",
                    created_at=self._now,
                )
            )
        self._session.commit()

    # ------------------------------------------------------------------ the writer

    def rows(self, item: list[GroupRootRow]) -> list[GroupRootRow]:
        return item

    def describe(self, item: list[GroupRootRow]) -> str:
        return f"group roots of {item[0].sent_tx_hash or item[0].tx_hash}"

    def call(self, item: list[GroupRootRow]) -> ContractFunction:
        return self._contract.commit_group_roots(
            [row.dentist for row in item],
            [int(row.root) for row in item],
            [row.size for row in item],
        )

    def record(self, item: list[GroupRootRow], receipt: TxReceipt, *, reconciled: bool) -> bool:
        events = {(e.dentist, e.root): e for e in self._contract.roots_committed_in(receipt)}
        found = [events.get((row.dentist, int(row.root))) for row in item]
        if any(event is None for event in found):
            return False
        for row, event in zip(item, found, strict=True):
            assert event is not None
            self._mark(row, event)
        return True

    def reconcile(self, item: list[GroupRootRow]) -> bool:
        """Every root from the chain's record (its commitment's log), or False."""
        found = []
        for row in item:
            committed, _, _ = self._contract.group_root(row.dentist, int(row.root))
            if committed == 0:
                return False
            logs = self._contract.contract.events.GroupRootCommitted().get_logs(
                from_block=self._start(),
                argument_filters={"dentist": row.dentist, "root": int(row.root)},
            )
            if not logs:
                return False
            found.append(logs[-1])
        for row, entry in zip(item, found, strict=True):
            receipt = self._deployment.w3.eth.get_transaction_receipt(entry["transactionHash"])
            events = [
                e
                for e in self._contract.roots_committed_in(receipt)
                if (e.dentist, e.root) == (row.dentist, int(row.root))
            ]
            self._mark(row, events[0])
        return True

    def refused(self, item: list[GroupRootRow], reason: str) -> None:
        self._defer(item, f"committing group roots waits: {reason}")

    def retry_later(self, item: list[GroupRootRow], error: str) -> None:
        self._defer(item, f"committing group roots waits: {error}")

    def held_back(self, items: Sequence[list[GroupRootRow]], error: str) -> None:
        for item in items:
            self._defer(item, f"committing group roots waits: {error}", report=False)

    def in_flight(self, item: list[GroupRootRow], tx_hash: str) -> None:
        """The next pass settles or replaces it."""

    def failed(self, item: list[GroupRootRow], tx_hash: str) -> None:
        self._defer(item, f"transaction {tx_hash} reverted")

    @staticmethod
    def undo(item: list[GroupRootRow], dropped_tx: str) -> None:
        for row in item:
            row.status = "pending"
            row.sent_tx_hash, row.sent_nonce = dropped_tx, None
            row.tx_hash = row.block_hash = None
            row.block_number = row.committed_at = None
            row.final = False

    # ------------------------------------------------------------------ its records

    def _start(self) -> int:
        anonymous = self._deployment.manifest.anonymous_reviews
        return anonymous.block_number if anonymous is not None else 0

    def _mark(self, row: GroupRootRow, event: ChainEvent) -> None:
        row.status = "committed"
        _place(row, event)
        row.committed_at = self._times.of(event.block_number)
        self.report.done += 1

    def _defer(self, rows: list[GroupRootRow], error: str, *, report: bool = True) -> None:
        log.warning("%s", error)
        if report:
            self.report.errors.append(error)
        for row in rows:
            row.attempts += 1
            row.last_error = error
            row.sent_tx_hash, row.sent_nonce = None, None
            row.next_attempt_at = self._now + self._relay.settings.backoff(row.attempts)


# ---------------------------------------------------------------- publication


class AnonymousPublisher(ChainWriter[AnonymousReviewRow]):
    noun = "anonymous_reviews"

    def __init__(
        self,
        session: Session,
        deployment: Deployment,
        relay: Relay,
        contract: AnonymousContract,
        settings: AnonymousSettings,
        *,
        now: int,
        rng: random.Random | None = None,
    ) -> None:
        self._session = session
        self._deployment = deployment
        self._contract = contract
        self._relay = relay
        self._settings = settings
        self._now = now
        self._rng = rng or random.SystemRandom()
        self._times = _Times(deployment)
        self.report = WriterReport()
        self._outbox = Outbox(session, relay, self, self.report, now=now)

    def run(self) -> WriterReport:
        self._outbox.confirm(unfinal_anonymous_reviews(self._session))
        self._session.commit()
        for row in in_flight_anonymous_reviews(self._session):
            if not self._outbox.settle_earlier(row):
                row.status = "queued"
                row.sent_tx_hash, row.sent_nonce = None, None
        self._session.commit()
        queued = queued_anonymous_reviews(self._session, now=self._now)
        by_id = {row.id: row for row in queued}
        keys = due_batch(
            [Queued(row.id, row.publish_after, row.publish_by) for row in queued],
            rule=self._settings.rule,
            now=self._now,
            rng=self._rng,
        )[:REVIEWS_PER_PASS]
        if keys and not self._contract.contract.functions.paused().call():
            batch = [by_id[key] for key in keys]
            for row in batch:
                row.status = "submitted"
            self._outbox.send_many(batch)  # in the shuffled order: consecutive nonces
        self._session.commit()
        return self.report

    # ------------------------------------------------------------------ the writer

    def rows(self, item: AnonymousReviewRow) -> list[AnonymousReviewRow]:
        return [item]

    def describe(self, item: AnonymousReviewRow) -> str:
        return f"anonymous review {item.id}"

    def call(self, item: AnonymousReviewRow) -> ContractFunction:
        review = (
            item.dentist,
            item.period,
            int(item.root),
            item.depth,
            int(item.nullifier),
            decode_hex(item.digest),
            item.reward_to,
        )
        return self._contract.submit_review(review, [int(p) for p in json.loads(item.points)])

    def record(self, item: AnonymousReviewRow, receipt: TxReceipt, *, reconciled: bool) -> bool:
        for event in self._contract.reviews_anchored_in(receipt):
            if event.digest == item.digest:
                self._mark(item, event)
                return True
        return False

    def reconcile(self, item: AnonymousReviewRow) -> bool:
        digest = decode_hex(item.digest)
        if self._contract.anchored_at(digest) == 0:
            return False
        anonymous = self._deployment.manifest.anonymous_reviews
        start = anonymous.block_number if anonymous is not None else 0
        event = self._contract.review_anchored(from_block=start, digest=digest)
        if event is None:
            return False
        self._mark(item, event)
        return True

    def refused(self, item: AnonymousReviewRow, reason: str) -> None:
        # The contract would revert: the root expired, the nullifier was used... final.
        log.warning("anonymous review %s refused by the contract: %s", item.id, reason)
        item.status, item.last_error = "failed", reason[:500]
        item.sent_tx_hash, item.sent_nonce = None, None

    def retry_later(self, item: AnonymousReviewRow, error: str) -> None:
        self._defer(item, f"publishing anonymous reviews waits: {error}")

    def held_back(self, items: Sequence[AnonymousReviewRow], error: str) -> None:
        for item in items:
            self._defer(item, f"publishing anonymous reviews waits: {error}", report=False)

    def in_flight(self, item: AnonymousReviewRow, tx_hash: str) -> None:
        """The next pass settles or replaces it."""

    def failed(self, item: AnonymousReviewRow, tx_hash: str) -> None:
        self._defer(item, f"transaction {tx_hash} reverted")

    def undo(self, item: AnonymousReviewRow, dropped_tx: str) -> None:
        if item.status == "anchored":  # out of the practice's reputation first
            shift_anonymous(self._session, review_id=item.id, sign=-1)
        item.status = "submitted"
        item.sent_tx_hash, item.sent_nonce = dropped_tx, None
        item.tx_hash = item.block_hash = None
        item.block_number = item.anchored_at = None
        item.final = False

    # ------------------------------------------------------------------ its records

    def _mark(self, item: AnonymousReviewRow, event: ChainEvent) -> None:
        counted = item.status == "anchored"
        item.status = "anchored"
        _place(item, event)
        item.anchored_at = self._times.of(event.block_number)
        if not counted:  # it counts in the practice's reputation from now on
            shift_anonymous(self._session, review_id=item.id, sign=1)
        self.report.done += 1

    def _defer(self, item: AnonymousReviewRow, error: str, *, report: bool = True) -> None:
        log.warning("%s", error)
        if report:
            self.report.errors.append(error)
        item.status = "queued"
        item.attempts += 1
        item.last_error = error
        item.sent_tx_hash, item.sent_nonce = None, None
        item.next_attempt_at = self._now + self._relay.settings.backoff(item.attempts)


def run_anonymous_writes(
    session: Session,
    deployment: Deployment,
    relay: Relay,
    settings: AnonymousSettings,
    *,
    now: int,
) -> list[WriterReport]:
    """One pass of each: group roots, then publication. Nothing when the deployment has
    no AnonymousReviews (a manifest written before it)."""
    if deployment.manifest.anonymous_reviews is None:
        return []
    contract = AnonymousContract.of(deployment.w3, deployment.manifest)
    return [
        GroupRootWriter(session, deployment, relay, contract, settings, now=now).run(),
        AnonymousPublisher(session, deployment, relay, contract, settings, now=now).run(),
    ]
