"""Batch payouts: each `RewardsPaid` against its recorded payout, and each payout's mints.

Returns the mints the payouts account for, so the mints' own check (which runs after)
does not count them as unexplained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from dentareview.audit.chain_records import ChainRecords, PayoutLog
from dentareview.audit.findings import Kind
from dentareview.audit.reconcile.mints import MintKey, take_mint
from dentareview.audit.reconcile.tally import Tally, low
from dentareview.db.queries.audit_rows import PaymentAuditRow, PayoutAuditRow


def check_payouts(
    tally: Tally,
    chain: ChainRecords,
    payouts: Sequence[PayoutAuditRow],
    payments: Sequence[PaymentAuditRow],
) -> frozenset[MintKey]:
    """Report payout discrepancies; the mints the payouts on-chain account for."""
    taken: set[MintKey] = set()
    by_key = {low(payout.payout_key): payout for payout in payouts}
    payments_of: defaultdict[int, list[PaymentAuditRow]] = defaultdict(list)
    for payment in payments:
        if payment.payout_id is not None:
            payments_of[payment.payout_id].append(payment)
    for key, logs in chain.payouts.items():
        log = logs[0]  # the registry refuses a payout id twice
        payout = by_key.get(key)
        if payout is None:
            for mint in chain.mints.get(log.tx_hash, []):
                taken.add((mint.tx_hash, mint.log_index))  # reported here
            tally.add(
                Kind.REWARD_NOT_RECORDED,
                None,
                f"payout {key} minted {log.total} to {log.recipients} patients in "
                f"{log.tx_hash} (block {log.block_number}); no payout records it",
            )
            continue
        problems = _problems(chain, taken, payout, log, payments_of[payout.id])
        if problems:
            tally.add(
                Kind.REWARD_MISMATCH, None, f"payout {payout.id} ({key}): {'; '.join(problems)}"
            )
    for payout in payouts:
        key = low(payout.payout_key)
        if (
            payout.status == "paid"
            and key not in chain.payouts
            and (payout.block_number or 0) <= chain.last_block
        ):
            tally.add(
                Kind.REWARD_MISMATCH,
                None,
                f"payout {payout.id} ({key}) recorded as paid {payout.total} in "
                f"{payout.tx_hash}; the registry has no RewardsPaid for it",
            )
    return frozenset(taken)


def _problems(
    chain: ChainRecords,
    taken: set[MintKey],
    payout: PayoutAuditRow,
    log: PayoutLog,
    payments: list[PaymentAuditRow],
) -> list[str]:
    problems: list[str] = []
    if payout.status == "paid" and (low(payout.tx_hash), payout.block_number) != (
        log.tx_hash,
        log.block_number,
    ):
        problems.append(
            f"recorded in {payout.tx_hash} (block {payout.block_number}); paid in "
            f"{log.tx_hash} (block {log.block_number})"
        )
    totals: defaultdict[str, int] = defaultdict(int)
    for payment in payments:
        totals[low(payment.patient)] += int(payment.amount)
        if payout.status == "paid" and payment.status != "paid":
            problems.append(f"payment {payment.id} of review {payment.review_id} is "
                            f"{payment.status}")  # fmt: skip
    if (payout.recipients, int(payout.total)) != (log.recipients, log.total):
        problems.append(
            f"recorded {payout.recipients} patients, {payout.total} in all; the chain paid "
            f"{log.recipients} patients {log.total}"
        )
    if (len(totals), sum(totals.values())) != (log.recipients, log.total):
        problems.append(
            f"its {len(payments)} payments owe {sum(totals.values())} to {len(totals)} "
            f"patients; the chain paid {log.total} to {log.recipients}"
        )
    for patient, amount in totals.items():
        if not take_mint(chain.mints, taken, tx_hash=log.tx_hash, account=patient, amount=amount):
            problems.append(f"no mint of {amount} to {patient} in {log.tx_hash}")
    return problems
