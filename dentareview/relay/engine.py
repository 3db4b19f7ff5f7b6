"""The relay: the one place where the operator's transactions get nonces, fees, gas,
receipts, replacements and finality.

Every on-chain write of the service goes through it, through the outbox
(`anchoring/outbox.py`: the lifecycle of a chain write, and the argument for why each
takes effect exactly once) or, for queued rewards (`anchoring/queued_rewards.py`), with
the registry's own record as the write-ahead record. The relay's part in that argument:
`send` signs, calls `note` (which commits the hash and nonce) and only then broadcasts;
`pending_in_node`, `nonce_in_pool` and `replacement` tell a caller whether a noted
transaction may still be mined, and replace it at its nonce; `inclusion` re-checks an
included transaction against the node until it is final, or its block is gone.

Fees are EIP-1559 from the node and never above the operator's maximum; gas comes from
`eth_estimateGas` (which doubles as a dry run: a call that would revert is refused
before any gas is spent) plus a margin.

**Pipelining** (`dry_run_many`, `sign_many`, `send_signed_many`, `collect`): many
transactions in flight at once, with the same guarantees. The dry runs of a whole pass
go to the node in one request (`eth_simulateV1`, each call run once and in order, as
they will be mined; else a JSON-RPC batch of `eth_estimateGas`); only the calls it
accepts get nonces, consecutive ones, so a refused call leaves no gap. All of them are
signed and noted (one commit) before the first leaves; they are broadcast in nonce
order, and the receipts are collected in batches as they come. A crash after k of n
were broadcast leaves the others noted but unknown to the node, their nonces unused:
the next pass finds them so (`nonce_in_pool` is false: the node's pending count stops
at the first gap) and signs them again from the first free nonce, so the gap is filled
and nothing is sent twice (the registry refuses a visit twice anyway). A stuck
transaction holds back the later nonces; each is replaced at its own nonce when due,
the earliest first, and the later ones then mine in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, cast

from eth_typing import HexStr
from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3._utils.method_formatters import receipt_formatter
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3Exception
from web3.types import RPCEndpoint, TxParams, TxReceipt

from dentareview.chain.fees import Fees, FeesOverCap, bump, node_fees, within_cap
from dentareview.chain.registry import RegistryContract
from dentareview.chain.transactions import PreparedCall, TransactionSender
from dentareview.observability.metrics import BASE_FEE, SENDING_PAUSED
from dentareview.relay.settings import RelaySettings

log = logging.getLogger(__name__)

GAS_MARGIN_PERCENT = 25
RPC_BATCH = 200  # JSON-RPC requests per HTTP round trip in the pipelined methods
SIMULATED_BLOCK_CALLS = 50  # calls per simulated block (well under any block's gas limit)


class Refused(Exception):
    """The call would revert now (the dry run of gas estimation): nothing was sent."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # the registry's custom error name when it has one


class AtFeeCap(Exception):
    """A stuck transaction cannot be replaced: the bump would pass the maximum fee."""


@dataclass(frozen=True)
class SignedTx:
    tx_hash: str
    nonce: int
    raw: HexBytes


class DryRunFailed(Exception):
    """The node could not dry-run the call (not a revert): try again later."""


class Inclusion(Enum):
    FINAL = "final"
    WAITING = "waiting"  # included, not final yet
    DROPPED = "dropped"  # its block was reorganised away (or it reverted there)


class Relay:
    def __init__(
        self, sender: TransactionSender, registry: RegistryContract, settings: RelaySettings
    ) -> None:
        self._sender = sender
        self._registry = registry
        self._w3 = registry.contract.w3
        self.settings = settings
        self._final_block: int | None = None
        self._simulates = True  # until the node says it has no eth_simulateV1

    # ------------------------------------------------------------------ building

    def fees(self) -> Fees:
        """Fees to send with now; FeesOverCap when the network asks more than the maximum."""
        suggested, base_fee = node_fees(self._w3)
        BASE_FEE.set(base_fee)
        try:
            fees = within_cap(
                suggested, base_fee=base_fee, max_fee_per_gas=self.settings.max_fee_per_gas
            )
        except FeesOverCap:
            SENDING_PAUSED.set(1)
            raise
        SENDING_PAUSED.set(0)
        return fees

    def gas(self, call: ContractFunction) -> int:
        """Estimated gas plus the margin; Refused (with the registry's error) if it would revert."""
        try:
            estimate = int(call.estimate_gas({"from": self._sender.address}))
        except ContractLogicError as error:
            data = error.data if isinstance(error.data, str) else None
            name = self._registry.error_name(data) if data else None
            raise Refused(name or str(error)) from error
        return estimate + estimate * GAS_MARGIN_PERCENT // 100

    def next_nonce(self) -> int:
        return self._sender.pending_nonce()

    def sign(self, call: ContractFunction, *, nonce: int, gas: int, fees: Fees) -> SignedTx:
        tx_hash, raw = self._sender.sign(self._sender.build(call, nonce=nonce, gas=gas, fees=fees))
        return SignedTx(tx_hash, nonce, raw)

    # ------------------------------------------------------------------ sending

    def broadcast(self, signed: SignedTx) -> None:
        try:
            self._sender.send_raw(signed.raw)
        except (Web3Exception, ValueError) as error:
            # Already known, or its nonce taken by another version: the receipt will tell.
            log.info("broadcast of %s refused: %s", signed.tx_hash, error)

    def send(self, call: ContractFunction, *, note: Callable[[SignedTx], None]) -> TxReceipt | None:
        """The write-ahead protocol for one transaction: sign, `note` (commit), broadcast,
        wait. Refused or FeesOverCap before anything is noted; None if no receipt in time."""
        gas = self.gas(call)
        signed = self.sign(call, nonce=self.next_nonce(), gas=gas, fees=self.fees())
        note(signed)
        self.broadcast(signed)
        return self.wait(signed.tx_hash)

    def wait(self, tx_hash: str) -> TxReceipt | None:
        try:
            return self._w3.eth.wait_for_transaction_receipt(
                HexBytes(tx_hash), timeout=self.settings.receipt_timeout_seconds, poll_latency=0.02
            )
        except Exception:  # noqa: BLE001 - left in flight: a later pass settles or replaces it
            return None

    def receipt(self, tx_hash: str) -> TxReceipt | None:
        return self._sender.receipt_or_none(tx_hash)

    def pending_in_node(self, tx_hash: str) -> bool:
        """Known to the node and not mined: wait for it (or replace it), never send anew."""
        try:
            tx = self._w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return tx.get("blockNumber") is None

    def nonce_in_pool(self, nonce: int) -> bool:
        """Whether some version of our transaction at `nonce` waits in the node's pool: the
        nonce is not used on-chain yet and the pending count has passed it. The noted hash
        may be a replacement that never left (a crash), while the earlier version waits."""
        address = self._sender.address
        mined = int(self._w3.eth.get_transaction_count(address, "latest"))  # type: ignore[arg-type]
        pending = int(self._w3.eth.get_transaction_count(address, "pending"))  # type: ignore[arg-type]
        return mined <= nonce < pending

    def replacement(self, tx_hash: str, call: ContractFunction) -> SignedTx | None:
        """The stuck `tx_hash` signed again at its nonce with both fees bumped; None if the
        node no longer has it, AtFeeCap if the bump would pass the maximum. The caller
        notes the new hash (committed) before `broadcast`: any version may be mined."""
        try:
            stuck = self._w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return None
        previous = Fees(int(stuck["maxFeePerGas"]), int(stuck["maxPriorityFeePerGas"]))
        fees = bump(previous, node_fees(self._w3)[0], percent=self.settings.fee_bump_percent)
        if fees.max_fee_per_gas > self.settings.max_fee_per_gas:
            raise AtFeeCap(
                f"transaction {tx_hash} waits at the maximum fee "
                f"({self.settings.max_fee_per_gas / 10**9:.2f} gwei); raise the maximum or wait"
            )
        replaced = self.sign(call, nonce=int(stuck["nonce"]), gas=int(stuck["gas"]), fees=fees)
        log.info(
            "replacing %s by %s at nonce %s (max fee %.2f gwei)",
            tx_hash,
            replaced.tx_hash,
            replaced.nonce,
            fees.max_fee_per_gas / 10**9,
        )
        return replaced

    # ------------------------------------------------------------------ pipelining

    def _batch(self, requests: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
        """JSON-RPC requests sent RPC_BATCH per HTTP round trip; the answers in order."""
        provider = self._w3.provider
        make_batch = getattr(provider, "make_batch_request", None)
        answers: list[dict[str, Any]] = []
        if not requests:
            return answers
        for start in range(0, len(requests), RPC_BATCH):
            chunk = [(RPCEndpoint(m), p) for m, p in requests[start:start + RPC_BATCH]]
            if make_batch is None:  # a provider without batches: one request each
                answers += [dict(provider.make_request(m, p)) for m, p in chunk]
                continue
            response = make_batch(chunk)
            if not isinstance(response, list) or len(response) != len(chunk):
                raise DryRunFailed(f"the node refused a batch of requests: {response!r:.200}")
            # Answers may come in any order; the ids were given in request order.
            answers += sorted((dict(r) for r in response), key=lambda r: int(r["id"]))
        return answers

    def send_signed_many(self, signed: Sequence[SignedTx]) -> None:
        """Broadcast `signed`, in nonce order, in batches of requests."""
        answers = self._batch([("eth_sendRawTransaction", [tx.raw.to_0x_hex()]) for tx in signed])
        for tx, answer in zip(signed, answers, strict=True):
            if "error" in answer:
                log.info("broadcast of %s refused: %s", tx.tx_hash, answer["error"])

    def dry_run_many(self, calls: Sequence[PreparedCall]) -> list[int | Exception]:
        """Gas (with the margin) for each call, or Refused (it would revert) or DryRunFailed.

        With `eth_simulateV1` (Anvil, geth, reth, Nethermind), one request runs all the
        calls once each, in order, each seeing the effects of those before it, as the
        pipeline's transactions will be mined; a node without it gets a batch of
        `eth_estimateGas` (which runs each call several times)."""
        if not calls:
            return []
        if self._simulates:
            try:
                return self._simulate_many(calls)
            except DryRunFailed as unsupported:
                log.info("eth_simulateV1 not usable here, estimating gas: %s", unsupported)
                self._simulates = False
        return self._estimate_many(calls)

    def _simulate_many(self, calls: Sequence[PreparedCall]) -> list[int | Exception]:
        sender = self._sender.address
        blocks = [
            {"calls": [{"from": sender, "to": c.to, "data": c.data} for c in chunk]}
            for chunk in (
                calls[i:i + SIMULATED_BLOCK_CALLS]
                for i in range(0, len(calls), SIMULATED_BLOCK_CALLS)
            )
        ]
        answer = self._w3.provider.make_request(
            RPCEndpoint("eth_simulateV1"), [{"blockStateCalls": blocks}, "latest"]
        )
        if "error" in answer or not isinstance(answer.get("result"), list):
            raise DryRunFailed(str(answer.get("error", answer)))
        outcomes = [call for block in answer["result"] for call in block.get("calls", [])]
        if len(outcomes) != len(calls):
            raise DryRunFailed(f"{len(outcomes)} simulated calls for {len(calls)}")
        results: list[int | Exception] = []
        for outcome in outcomes:
            if int(outcome.get("status", "0x0"), 16) == 1:
                used = int(outcome["gasUsed"], 16)
                # What it used, plus what the 63/64 rule keeps back for its inner calls,
                # plus the margin: the limit an estimate would give, and then some.
                results.append(used + used // 63 + used * GAS_MARGIN_PERCENT // 100)
                continue
            data = outcome.get("returnData")
            error = outcome.get("error") or {}
            name = self._registry.error_name(data) if isinstance(data, str) else None
            message = str(error.get("message", "execution reverted")) if isinstance(
                error, dict
            ) else str(error)
            results.append(Refused(name or message))
        return results

    def _estimate_many(self, calls: Sequence[PreparedCall]) -> list[int | Exception]:
        sender = self._sender.address
        requests = [
            ("eth_estimateGas", [{"from": sender, "to": call.to, "data": call.data}])
            for call in calls
        ]
        results: list[int | Exception] = []
        for answer in self._batch(requests):
            error = answer.get("error")
            if error is None:
                estimate = int(answer["result"], 16)
                results.append(estimate + estimate * GAS_MARGIN_PERCENT // 100)
                continue
            data = error.get("data") if isinstance(error, dict) else None
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            if isinstance(data, str) and data.startswith("0x") or "revert" in message.lower():
                name = self._registry.error_name(data) if isinstance(data, str) else None
                results.append(Refused(name or message))
            else:
                results.append(DryRunFailed(message))
        return results

    def sign_many(
        self, calls: Sequence[tuple[PreparedCall, int]], *, first_nonce: int, fees: Fees
    ) -> list[SignedTx]:
        """`(call, gas)` signed with consecutive nonces from `first_nonce`, built directly
        from the encoded calls (no node round trip)."""
        chain_id = self._sender.chain_id()
        signed = []
        for offset, (call, gas) in enumerate(calls):
            tx: TxParams = {
                "type": 2,
                "chainId": chain_id,
                "nonce": cast(Any, first_nonce + offset),
                "gas": gas,
                "maxFeePerGas": cast(Any, fees.max_fee_per_gas),
                "maxPriorityFeePerGas": cast(Any, fees.max_priority_fee_per_gas),
                "to": call.to,
                "value": cast(Any, 0),
                "data": HexStr(call.data),
            }
            tx_hash, raw = self._sender.sign(tx)
            signed.append(SignedTx(tx_hash, first_nonce + offset, raw))
        return signed

    def receipts(self, tx_hashes: Iterable[str]) -> dict[str, TxReceipt | None]:
        """The receipts of `tx_hashes` (None: not mined), in batches of requests."""
        hashes = list(tx_hashes)
        answers = self._batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        found: dict[str, TxReceipt | None] = {}
        for tx_hash, answer in zip(hashes, answers, strict=True):
            result = answer.get("result")
            found[tx_hash] = cast(TxReceipt, receipt_formatter(result)) if result else None
        return found

    def collect(self, tx_hashes: Sequence[str]) -> dict[str, TxReceipt | None]:
        """Receipts as they come, polled in batches until all are in or the receipt
        timeout passes (those still missing are None: a later pass settles them)."""
        deadline = time.monotonic() + self.settings.receipt_timeout_seconds
        missing = list(tx_hashes)
        found: dict[str, TxReceipt | None] = {}
        while True:
            try:
                answered = self.receipts(missing)
            except (Web3Exception, OSError, ValueError, DryRunFailed) as error:
                log.info("receipts not read: %s", error)
                answered = {}
            found.update({h: r for h, r in answered.items() if r is not None})
            missing = [h for h in missing if h not in found]
            if not missing or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        return {h: found.get(h) for h in tx_hashes}

    def block_timestamps(self, numbers: Iterable[int]) -> dict[int, int]:
        wanted = sorted(set(numbers))
        answers = self._batch([("eth_getBlockByNumber", [hex(n), False]) for n in wanted])
        return {
            n: int(a["result"]["timestamp"], 16)
            for n, a in zip(wanted, answers, strict=True)
            if a.get("result")
        }

    def inclusions(self, items: Sequence[tuple[str, str | None]]) -> list[Inclusion]:
        """`inclusion` of many `(tx_hash, block_hash)` at once (batched receipts)."""
        found = self.receipts(tx_hash for tx_hash, _ in items)
        return [self._inclusion(found[h], block) for h, block in items]

    # ------------------------------------------------------------------ finality

    def inclusion(self, tx_hash: str, block_hash: str | None) -> Inclusion:
        """Whether the transaction recorded as included in `block_hash` is final, still
        waiting for finality, or dropped by a reorg."""
        return self._inclusion(self.receipt(tx_hash), block_hash)

    def _inclusion(self, receipt: TxReceipt | None, block_hash: str | None) -> Inclusion:
        if receipt is None or receipt["status"] != 1:
            return Inclusion.DROPPED
        mined_in = encode_hex(HexBytes(receipt["blockHash"]))
        if block_hash is not None and mined_in != block_hash:
            return Inclusion.DROPPED  # re-mined elsewhere: the caller records it again
        if int(receipt["blockNumber"]) <= self.final_block():
            return Inclusion.FINAL
        return Inclusion.WAITING

    def final_block(self) -> int:
        """The highest final block, read once per relay (a relay lives for one pass)."""
        if self._final_block is None:
            self._final_block = self.settings.finality.final_block(self._w3)
        return self._final_block
