"""Seed a chain and a database with N real, anchored reviews, quickly.

Every review is genuine: a dentist-signed Visit and a patient-signed Review,
submitted by the relayer to the registry, which verifies both signatures, anchors
the digest and mints the reward. Speed comes from signing in worker processes,
sending the relayer's transactions in JSON-RPC batches with nonces and fees filled
in (Anvil holds the development key and signs them) and mining many per block
(automine off, `evm_mine`). The database rows are then
bulk-inserted from the chain's own ReviewAnchored events, as the service's worker
would have recorded them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coincurve
from eth_abi.abi import encode
from eth_account import Account
from eth_keys import keys
from eth_utils.abi import collapse_if_tuple, function_abi_to_4byte_selector
from eth_utils.crypto import keccak
from sqlalchemy import Engine, insert
from web3 import Web3
from web3.types import RPCEndpoint

from dentareview.audit.chain_records import REVIEW_ANCHORED
from dentareview.audit.hashing import review_digest, visit_digest
from dentareview.audit.logs import get_logs
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.registry import RegistryContract
from dentareview.chain.transactions import TransactionSender
from dentareview.config import ANVIL_DEV_KEY, Settings
from dentareview.db.models import DentistRow, ReviewRow, RewardPaymentRow, VisitRow
from dentareview.services.deploy import deploy

DAY = 86_400
GAS_PER_TX = 250_000
TEXT = (
    "The hygienist was thorough and gentle, the dentist explained the filling step by "
    "step, and I was seen within ten minutes of my appointment time."
)


def log(message: str) -> None:
    print(f"[seed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _key(label: str, index: int) -> bytes:
    return bytes(keccak(f"dentareview-bench-{label}-{index}".encode()))


@dataclass(frozen=True)
class Plan:
    """What to sign: shared by every worker process (picklable)."""

    chain_id: int
    registry: str
    dentist_keys: tuple[bytes, ...]
    dentists: tuple[str, ...]
    patient_keys: tuple[bytes, ...]
    patients: tuple[str, ...]
    now: int


def _submit_abi() -> tuple[bytes, list[str]]:
    (function,) = [
        item
        for item in load_artifact("ReviewRegistry").abi
        if item.get("type") == "function" and item["name"] == "submitReview"
    ]
    types = [collapse_if_tuple(dict(arg)) for arg in function["inputs"]]
    return bytes(function_abi_to_4byte_selector(function)), types


def _sign(key: bytes, digest: bytes) -> bytes:
    # libsecp256k1 signs low-s, as the registry's ECDSA requires; r ‖ s ‖ recovery id.
    signature = coincurve.PrivateKey(key).sign_recoverable(digest, hasher=None)
    return signature[:64] + bytes([signature[64] + 27])


def address_of(key: bytes) -> str:
    return str(keys.PrivateKey(key).public_key.to_checksum_address())


def sign_range(job: tuple[Plan, int, int]) -> list[tuple[bytes, dict[str, Any]]]:
    """Reviews start..stop-1: each relay transaction's calldata and its database fields."""
    plan, start, stop = job
    selector, types = _submit_abi()
    out: list[tuple[bytes, dict[str, Any]]] = []
    for index in range(start, stop):
        dentist_key = plan.dentist_keys[index % len(plan.dentist_keys)]
        patient_key = plan.patient_keys[index % len(plan.patient_keys)]
        dentist = plan.dentists[index % len(plan.dentists)]
        patient = plan.patients[index % len(plan.patients)]
        visit_id = bytes(keccak(f"bench-visit-{index}".encode()))
        visited_at, deadline = plan.now - DAY, plan.now + 30 * DAY
        ratings = [1 + (index + shift) % 5 for shift in range(4)]
        text = f"Visit {index}: {TEXT}"
        visit_msg = {
            "visitId": visit_id,
            "patient": patient,
            "dentist": dentist,
            "visitedAt": visited_at,
        }
        review_msg = {
            "visitId": visit_id,
            "rating": ratings[0],
            "treatment": ratings[1],
            "bedside": ratings[2],
            "waitTime": ratings[3],
            "text": text,
            "deadline": deadline,
        }
        visit_sig = _sign(dentist_key, visit_digest(plan.chain_id, plan.registry, visit_msg))
        digest = review_digest(plan.chain_id, plan.registry, review_msg)
        review_sig = _sign(patient_key, digest)
        rewardable = index % 10 != 0  # one in ten published without a reward
        args = [
            (visit_id, patient, dentist, visited_at),
            visit_sig,
            (*ratings, bytes(keccak(text.encode())), deadline),
            review_sig,
            rewardable,
            plan.now,  # acceptedAt: when the service accepted it, before the deadline
        ]
        calldata = selector + encode(types, args)
        fields = {
            "visit_id": "0x" + visit_id.hex(),
            "patient": patient,
            "dentist": dentist,
            "visited_at": visited_at,
            "visit_signature": "0x" + visit_sig.hex(),
            "rating": ratings[0],
            "treatment": ratings[1],
            "bedside": ratings[2],
            "wait_time": ratings[3],
            "text": text,
            "deadline": deadline,
            "signature": "0x" + review_sig.hex(),
            "digest": "0x" + digest.hex(),
            "rewardable": rewardable,
        }
        out.append((calldata, fields))
    return out


def _chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(start + size, total)


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    response = w3.provider.make_request(RPCEndpoint(method), params)
    if "error" in response:
        raise RuntimeError(f"{method}: {response['error']}")
    return response.get("result")


def _send_batch(w3: Web3, txs: Sequence[dict[str, Any]]) -> None:
    requests = [(RPCEndpoint("eth_sendTransaction"), [tx]) for tx in txs]
    responses = w3.provider.make_batch_request(requests)
    if not isinstance(responses, list):
        raise RuntimeError(f"batch refused: {responses}")
    errors = [r["error"] for r in responses if "error" in r]
    if errors:
        raise RuntimeError(f"{len(errors)} transactions refused, first: {errors[0]}")


@dataclass
class Seeded:
    settings: Settings
    registry: str
    reviews: int
    dentists: list[str]
    fields: list[dict[str, Any]]
    first_block: int
    last_block: int
    blocks_with_reviews: int
    seconds: dict[str, float]


def seed_chain(
    w3: Web3,
    rpc_url: str,
    data_dir: Path,
    *,
    reviews: int,
    dentists: int = 50,
    patients: int = 5_000,
    per_block: int = 1_000,
    empty_blocks_between: int = 0,
    jobs: int = 2,
) -> Seeded:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    settings = Settings(
        rpc_url=rpc_url,
        data_dir=data_dir,
        daily_reward_cap=2**96 - 1,  # every reward minted at once, none queued
    )
    manifest, _ = deploy(settings, w3)
    operator = Account.from_key(ANVIL_DEV_KEY)
    sender = TransactionSender(w3, operator)
    registry = RegistryContract(w3, manifest.registry.address)
    dentist_keys = tuple(_key("dentist", i) for i in range(dentists))
    addresses = [address_of(k) for k in dentist_keys]
    for address in addresses:
        sender.transact(registry.register_dentist(address), gas=100_000)
    seconds["deploy_and_register"] = time.perf_counter() - started
    log(f"deployed registry {registry.address}, registered {dentists} dentists")

    patient_keys = tuple(_key("patient", i) for i in range(patients))
    plan = Plan(
        chain_id=manifest.chain_id,
        registry=registry.address,
        dentist_keys=dentist_keys,
        dentists=tuple(addresses),
        patient_keys=patient_keys,
        patients=tuple(address_of(k) for k in patient_keys),
        now=int(time.time()),
    )
    started = time.perf_counter()
    signed: list[tuple[bytes, dict[str, Any]]] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        jobs_list = [(plan, a, b) for a, b in _chunks(reviews, 2_000)]
        for part in pool.map(sign_range, jobs_list):
            signed += part
            log(f"signed {len(signed)}/{reviews}")
    seconds["sign"] = time.perf_counter() - started

    started = time.perf_counter()
    fees, nonce = sender.current_fees(), sender.pending_nonce()
    base = {
        "from": operator.address,
        "to": registry.address,
        "gas": hex(GAS_PER_TX),
        "maxFeePerGas": hex(max(fees.max_fee_per_gas, 10 * 10**9)),
        "maxPriorityFeePerGas": hex(fees.max_priority_fee_per_gas),
    }
    _rpc(w3, "evm_setAutomine", [False])
    first_block = int(w3.eth.block_number) + 1
    blocks = 0
    sending = mining = 0.0
    for a, b in _chunks(reviews, per_block):
        tick = time.perf_counter()
        for c, d in _chunks(b - a, 250):
            _send_batch(
                w3,
                [
                    dict(base, nonce=hex(nonce + i), data="0x" + signed[i][0].hex())
                    for i in range(a + c, a + d)
                ],
            )
        tock = time.perf_counter()
        _rpc(w3, "evm_mine", [])
        sending, mining = sending + tock - tick, mining + time.perf_counter() - tock
        blocks += 1
        mined = w3.eth.get_block("latest")
        if len(mined["transactions"]) != b - a:
            raise RuntimeError(f"block {mined['number']} holds {len(mined['transactions'])} txs")
        if empty_blocks_between:
            _rpc(w3, "anvil_mine", [hex(empty_blocks_between)])
        if blocks % 10 == 0:
            log(f"mined {b}/{reviews} reviews in {blocks} blocks")
    _rpc(w3, "evm_setAutomine", [True])
    last_block = int(w3.eth.block_number)
    seconds["send_and_mine"] = time.perf_counter() - started
    seconds["of_which_send"], seconds["of_which_evm_mine"] = sending, mining
    log(f"chain seeded: blocks {first_block}..{last_block}")
    return Seeded(
        settings=settings,
        registry=registry.address,
        reviews=reviews,
        dentists=addresses,
        fields=[fields for _, fields in signed],
        first_block=first_block,
        last_block=last_block,
        blocks_with_reviews=blocks,
        seconds=seconds,
    )


def anchors_by_visit(w3: Web3, seeded: Seeded) -> dict[str, dict[str, Any]]:
    """Where each visit was anchored, from the chain, with block times."""
    logs = get_logs(
        w3,
        address=seeded.registry,
        topics=[REVIEW_ANCHORED.topic],
        first=seeded.first_block,
        last=seeded.last_block,
    )
    times: dict[int, int] = {}
    found: dict[str, dict[str, Any]] = {}
    for entry in logs:
        args = REVIEW_ANCHORED.decode(entry)
        block = int(entry["blockNumber"], 16)
        if block not in times:
            times[block] = int(w3.eth.get_block(block)["timestamp"])
        found[args["visitId"]] = {
            "tx_hash": entry["transactionHash"].lower(),
            "block_number": block,
            "log_index": int(entry["logIndex"], 16),
            "anchored_at": times[block],
            "reward": args["reward"],
        }
    return found


def insert_rows(
    engine: Engine, seeded: Seeded, anchors: dict[str, dict[str, Any]], reward: int
) -> None:
    """Bulk-insert dentists, visits, anchored reviews and paid rewards."""
    now = int(time.time())
    with engine.begin() as connection:
        connection.execute(
            insert(DentistRow),
            [
                {
                    "address": a,
                    "name": f"Practice {i}",
                    "active": True,
                    "registered_at": now,
                    "updated_at": now,
                }
                for i, a in enumerate(seeded.dentists)
            ],  # fmt: skip
        )
    for a, b in _chunks(len(seeded.fields), 5_000):
        visits, reviews, payments = [], [], []
        for offset, f in enumerate(seeded.fields[a:b]):
            review_id = a + offset + 1
            anchor = anchors[f["visit_id"]]
            # The registry's per-dentist daily limit withholds rewards past it (the
            # event's reward is 0): such a review is stored unrewarded, as the worker does.
            paid = bool(f["rewardable"]) and int(anchor["reward"]) > 0
            withheld = "DENTIST_LIMIT" if f["rewardable"] else "DENTIST_COOLDOWN"
            visits.append(
                {"visit_id": f["visit_id"], "patient": f["patient"], "dentist": f["dentist"],
                 "visited_at": f["visited_at"], "signature": f["visit_signature"],
                 "created_at": f["visited_at"]}
            )  # fmt: skip
            reviews.append(
                {"id": review_id, "visit_id": f["visit_id"], "digest": f["digest"],
                 "patient": f["patient"], "dentist": f["dentist"], "rating": f["rating"],
                 "treatment": f["treatment"], "bedside": f["bedside"],
                 "wait_time": f["wait_time"], "text": f["text"], "deadline": f["deadline"],
                 "signature": f["signature"], "submitted_at": anchor["anchored_at"],
                 "status": "anchored", "rewardable": paid,
                 "reward_withheld_code": None if paid else withheld,
                 "reward_withheld_reason": None, "tx_hash": anchor["tx_hash"],
                 "block_number": anchor["block_number"], "log_index": anchor["log_index"],
                 "anchored_at": anchor["anchored_at"], "anchor_attempts": 1,
                 "last_anchor_error": None, "sent_tx_hash": None, "sent_nonce": None}
            )  # fmt: skip
            if paid:
                payments.append(
                    {"review_id": review_id, "patient": f["patient"], "amount": reward,
                     "status": "paid", "tx_hash": anchor["tx_hash"],
                     "created_at": anchor["anchored_at"], "paid_at": anchor["anchored_at"]}
                )  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(VisitRow), visits)
            connection.execute(insert(ReviewRow), reviews)
            if payments:
                connection.execute(insert(RewardPaymentRow), payments)
