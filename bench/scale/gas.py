"""Gas per review from receipts: per-review mode, batch mode at several N, and the baselines."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from bench.gas.measure_submit_review import measure as measure_single
from bench.scale.common import REWARD, anvil_node
from dentareview.domain.merkle import MerkleTree
from tests.contracts.helpers import deploy_system, transact
from tests.support.anvil import PROJECT_ROOT, dev_account

BATCH_SIZES = (1, 16, 256, 1024)
PAYOUT_PATIENTS = 100
EAS_ATTEST_REFERENCE = 226_000  # the brief's measured EAS `attest`, not re-measured here


def _median(values: list[int]) -> int:
    return int(statistics.median(values))


def _batch_anchoring(registry: Contract, relayer: LocalAccount, w3: Web3) -> dict[str, Any]:
    # A first batch writes the shared credit word from zero once per deployment: leave it out.
    transact(w3, relayer, registry.functions.anchorBatch(os.urandom(32), 1, 1))
    result: dict[str, Any] = {}
    for n in BATCH_SIZES:
        gas = [
            int(transact(w3, relayer, registry.functions.anchorBatch(
                MerkleTree.of(os.urandom(32) for _ in range(n)).root, n, n
            ))["gasUsed"])
            for _ in range(3)
        ]
        result[str(n)] = {"batch_gas": _median(gas), "per_review": _median(gas) / n}
    return result


def _payouts(registry: Contract, relayer: LocalAccount, w3: Web3) -> dict[str, Any]:
    patients = [Account.create().address for _ in range(PAYOUT_PATIENTS)]
    amounts = [REWARD] * PAYOUT_PATIENTS

    def pay() -> int:
        call = registry.functions.payRewards(os.urandom(32), patients, amounts)
        return int(transact(w3, relayer, call)["gasUsed"])

    new_holders, existing_holders = pay(), pay()
    return {
        "patients_per_payout": PAYOUT_PATIENTS,
        "new_holders": {"payout_gas": new_holders, "per_patient": new_holders / PAYOUT_PATIENTS},
        "existing_holders": {
            "payout_gas": existing_holders, "per_patient": existing_holders / PAYOUT_PATIENTS,
        },
    }


def _dentacoin_style(w3: Web3, relayer: LocalAccount) -> dict[str, Any]:
    built = json.loads(subprocess.run(
        [
            "node",
            str(PROJECT_ROOT / "scripts" / "compile_solidity.js"),
            str(PROJECT_ROOT / "bench" / "contracts" / "DentacoinStyleReviews.sol"),
        ],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT,
    ).stdout)

    def deploy(name: str, *args: Any) -> Contract:
        factory = w3.eth.contract(abi=built[name]["abi"], bytecode=built[name]["bytecode"])
        receipt = transact(w3, relayer, factory.constructor(*args))  # type: ignore[arg-type]
        address = receipt["contractAddress"]
        assert address is not None
        return w3.eth.contract(address=address, abi=built[name]["abi"])

    token = deploy("PoolToken", 10**9 * REWARD)
    reviews = deploy("DentacoinStyleReviews", token.address, REWARD)
    transact(w3, relayer, token.functions.transfer(reviews.address, 10**6 * REWARD))
    patients = [Account.create().address for _ in range(20)]
    dentists = [Account.create().address for _ in range(2)]

    def submit(patient: str, dentist: str) -> int:
        call = reviews.functions.submitReview(patient, dentist, os.urandom(32))
        return int(transact(w3, relayer, call)["gasUsed"])

    new_holder = [submit(p, dentists[0]) for p in patients]
    existing_holder = [submit(p, dentists[1]) for p in patients]
    return {
        "compiler": built["compiler"],
        "new_holder": _median(new_holder),
        "existing_holder": _median(existing_holder),
        "overall": _median(new_holder + existing_holder),
    }


def measure() -> dict[str, Any]:
    single = measure_single(20)
    with anvil_node() as node:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        admin, relayer, dentist = dev_account(0), dev_account(1), dev_account(2)
        system = deploy_system(w3, admin, relayer, dentist, daily_cap=10**9 * REWARD)
        transact(w3, relayer, system.registry.functions.anchorBatch(
            os.urandom(32), PAYOUT_PATIENTS * 3, PAYOUT_PATIENTS * 3
        ))  # credit for the payouts below
        batch = _batch_anchoring(system.registry, relayer, w3)
        payouts = _payouts(system.registry, relayer, w3)
        dentacoin = _dentacoin_style(w3, relayer)
    return {
        "single": {
            "median_gas": single["median_gas"],
            "environment": single["environment"],
        },
        "batch_anchoring": batch,
        "payouts": payouts,
        "dentacoin_style": dentacoin,
        "eas_attest_reference": EAS_ATTEST_REFERENCE,
    }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
