"""Reward mints: each one explained by exactly one reward, and each reward minted.

A mint is explained once: by a batch payout (`payouts.check_payouts`, which returns the
mints it took), by a single-mode anchor's reward, or by a payment from the queue. Only
what is left after all three is unexplained, so `check_mints` takes the payouts' mints
as a value and runs last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

from dentareview.audit.chain_records import AmountLog, ChainRecords
from dentareview.audit.findings import Kind
from dentareview.audit.reconcile.tally import Tally

MintKey: TypeAlias = tuple[str, int]  # (tx hash, log index)


def take_mint(
    mints: Mapping[str, Sequence[AmountLog]],
    taken: set[MintKey],
    *,
    tx_hash: str,
    account: str,
    amount: int,
) -> bool:
    """Take an untaken mint of `amount` to `account` in `tx_hash` into `taken`, if any."""
    for mint in mints.get(tx_hash, []):
        key = (mint.tx_hash, mint.log_index)
        if key not in taken and mint.account == account and mint.amount == amount:
            taken.add(key)
            return True
    return False


def check_mints(tally: Tally, chain: ChainRecords, *, taken_by_payouts: frozenset[MintKey]) -> None:
    """Anchors' rewards and queue payments without their mint; mints nothing explains."""
    taken = set(taken_by_payouts)

    def take(tx_hash: str, account: str, amount: int) -> bool:
        return take_mint(chain.mints, taken, tx_hash=tx_hash, account=account, amount=amount)

    for anchors in chain.anchors.values():
        for anchor in anchors:
            if anchor.reward and not take(anchor.tx_hash, anchor.patient, anchor.reward):
                tally.add(
                    Kind.REWARD_MINT_MISSING,
                    None,
                    f"{anchor.tx_hash} reports a reward of {anchor.reward}, never minted",
                )
    for entries in chain.queue_paid.values():
        for entry in entries:
            if not take(entry.tx_hash, entry.account, entry.amount):
                tally.add(
                    Kind.REWARD_MINT_MISSING,
                    None,
                    f"{entry.tx_hash} pays {entry.amount} from the queue, never minted",
                )
    for mints in chain.mints.values():
        for mint in mints:
            if (mint.tx_hash, mint.log_index) not in taken:
                tally.add(
                    Kind.UNEXPLAINED_MINT,
                    None,
                    f"{mint.amount} minted to {mint.account} in {mint.tx_hash} "
                    f"(log {mint.log_index})",
                )
