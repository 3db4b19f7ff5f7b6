"""Measure what a passkey patient's review costs against a wallet patient's, all-in.

Starts its own Anvil node twice: with its default hardfork, which has the P-256
precompile (EIP-7951), and with `--hardfork prague`, which has none, so OpenZeppelin's
P256 falls back to its Solidity verifier. On each it deploys the shipped artifacts and
anchors, per case, fresh rewarded reviews by new token holders (each patient's first):

- a wallet (EOA) patient, the baseline;
- a passkey account not deployed yet (ERC-6492, checked by the registry's factory);
- a passkey account after its deployment (ERC-1271);
- a wallet patient whose visit a visit-signing key attested.

It also measures the one transaction that deploys a passkey account and moves its reward
out (`createAndTransfer`), which only a patient who moves their reward ever pays, and
states the "all-in" ratio with that deployment spread over the patient's first review.
Gas is each receipt's `gasUsed`.

Writes bench/results/gas_passkeys.json and gas_passkeys.md.

Run from the repository root:  python -m bench.gas.measure_passkeys
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from web3 import Web3

from bench.gas.measure_submit_review import RESULTS_DIR, _anvil_version
from dentareview.chain.artifacts import load_artifact
from dentareview.chain.deployer import deploy_contracts
from dentareview.chain.passkeys import passkey_account_address, wrap_erc6492
from tests.contracts.helpers import (
    Review,
    Submission,
    Visit,
    digest,
    latest_timestamp,
    new_visit_id,
    sign,
    signed_submission,
    transact,
)
from tests.contracts.test_visit_signers import VISIT_SIGNER_TYPE
from tests.support.anvil import AnvilNode, dev_account
from tests.support.passkey import SoftPasskey

COMMAND = "python -m bench.gas.measure_passkeys"
REVIEWS = 10
REWARD = 10 * 10**18
TEXT = "Gentle cleaning, clear advice about my gums, and the appointment started right on time."
P256_PRECOMPILE = "0x0000000000000000000000000000000000000100"


def _typed(
    primary: str, fields: list[dict[str, str]], domain: dict[str, Any], message: dict[str, Any]
) -> bytes:
    full = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            primary: fields,
        },
        "primaryType": primary,
        "domain": domain,
        "message": message,
    }
    signable = encode_typed_data(full_message=full)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def _has_precompile(w3: Web3) -> bool:
    # A valid-length input that is not a valid signature: the precompile answers empty,
    # and so does an address with no code; a known-good vector tells them apart.
    passkey = SoftPasskey()
    h = keccak(text="probe")
    ad, cdj, r, s = passkey.assertion(h)
    import hashlib

    from dentareview.chain.passkeys import low_s

    message = hashlib.sha256(ad + hashlib.sha256(cdj.encode()).digest()).digest()
    data = (
        message
        + r.to_bytes(32, "big")
        + low_s(s).to_bytes(32, "big")
        + passkey.key.qx
        + passkey.key.qy
    )
    answer = w3.eth.call({"to": P256_PRECOMPILE, "data": data})
    return answer == (1).to_bytes(32, "big")


def _measure_on(extra_args: list[str]) -> dict[str, Any]:
    node = AnvilNode(extra_args=extra_args)
    node.start()
    try:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        admin, relayer, dentist = dev_account(0), dev_account(1), dev_account(2)
        deployed = deploy_contracts(
            w3,
            admin,
            relayer=relayer.address,
            reward_amount=REWARD,
            daily_reward_cap=100 * REVIEWS * REWARD,
            dentist_daily_reward_limit=255,
        )
        registry = w3.eth.contract(
            address=deployed.registry_address, abi=load_artifact("ReviewRegistry").abi
        )
        factory = w3.eth.contract(
            address=registry.functions.passkeyAccountFactory().call(),
            abi=load_artifact("PasskeyAccountFactory").abi,
        )
        transact(w3, admin, registry.functions.registerDentist(dentist.address))
        chain_id, address = int(w3.eth.chain_id), deployed.registry_address
        where: dict[str, Any] = {"chain_id": chain_id, "registry": address}

        def submit(submission: Submission) -> int:
            call = registry.functions.submitReview(*submission.args())
            return int(transact(w3, relayer, call)["gasUsed"])

        def passkey_review(passkey: SoftPasskey, *, wrap: bool) -> Submission:
            patient = passkey_account_address(factory.address, passkey.key)
            now = latest_timestamp(w3)
            visit = Visit(new_visit_id(), patient, dentist.address, now - 3600)
            review = Review(visit.visit_id, 4, 4, 5, 3, TEXT, now + 3600)
            signature = passkey.sign(digest("Review", review.message(), **where))
            if wrap:
                signature = wrap_erc6492(factory.address, passkey.key, signature)
            return Submission(
                visit, sign(dentist, "Visit", visit.message(), **where), review, signature
            )

        eoa = [
            submit(signed_submission(w3, address, dentist, Account.create()))
            for _ in range(REVIEWS)
        ]
        passkeys = [SoftPasskey() for _ in range(REVIEWS)]
        undeployed = [submit(passkey_review(p, wrap=True)) for p in passkeys]

        move_gas = []
        for passkey in passkeys:
            account = passkey_account_address(factory.address, passkey.key)
            deadline = latest_timestamp(w3) + 600
            to = Account.create().address
            transfer = _typed(
                "Transfer",
                [
                    {"name": "token", "type": "address"},
                    {"name": "to", "type": "address"},
                    {"name": "amount", "type": "uint256"},
                    {"name": "nonce", "type": "uint256"},
                    {"name": "deadline", "type": "uint64"},
                ],
                {
                    "name": "DentaReview Passkey Account",
                    "version": "1",
                    "chainId": chain_id,
                    "verifyingContract": account,
                },
                {
                    "token": deployed.token_address,
                    "to": to,
                    "amount": REWARD,
                    "nonce": 0,
                    "deadline": deadline,
                },
            )
            call = factory.functions.createAndTransfer(
                passkey.key.qx,
                passkey.key.qy,
                deployed.token_address,
                to,
                REWARD,
                deadline,
                passkey.sign(transfer),
            )
            move_gas.append(int(transact(w3, relayer, call)["gasUsed"]))
        # Deployed now, balances back to zero: the next rewards mint to a "new" holder too.
        deployed_reviews = [submit(passkey_review(p, wrap=False)) for p in passkeys]

        key = dev_account(6)
        nonce = registry.functions.visitSignerNonce(dentist.address).call()
        grant_digest = _typed(
            "VisitSigner",
            VISIT_SIGNER_TYPE,
            {
                "name": "DentaReview",
                "version": "1",
                "chainId": chain_id,
                "verifyingContract": address,
            },
            {"signer": key.address, "validUntil": 2**63, "nonce": nonce},
        )
        grant_signature = bytes(dentist.unsafe_sign_hash(grant_digest).signature)
        grant_gas = int(
            transact(
                w3,
                relayer,
                registry.functions.setVisitSigner(
                    dentist.address, key.address, 2**63, grant_signature
                ),
            )["gasUsed"]
        )
        key_signed = []
        for _ in range(REVIEWS):
            base = signed_submission(w3, address, dentist, Account.create())
            visit_signature = sign(key, "Visit", base.visit.message(), **where)
            key_signed.append(
                submit(Submission(base.visit, visit_signature, base.review, base.review_signature))
            )
        precompile = _has_precompile(w3)
        version = _anvil_version()
    finally:
        node.stop()
    med = {
        name: int(statistics.median(values))
        for name, values in {
            "eoa": eoa,
            "passkey_undeployed": undeployed,
            "passkey_deployed": deployed_reviews,
            "deploy_and_move_reward": move_gas,
            "visit_key_signed": key_signed,
        }.items()
    }
    med["authorise_visit_key"] = grant_gas
    return {
        "anvil_args": extra_args,
        "anvil": version,
        "p256_precompile": precompile,
        "median_gas": med,
        "ratios": {
            "passkey_review_vs_eoa": round(med["passkey_undeployed"] / med["eoa"], 3),
            "passkey_deployed_review_vs_eoa": round(med["passkey_deployed"] / med["eoa"], 3),
            "all_in_first_review_with_deployment_vs_eoa": round(
                (med["passkey_undeployed"] + med["deploy_and_move_reward"]) / med["eoa"], 3
            ),
            "visit_key_vs_dentist_signed": round(med["visit_key_signed"] / med["eoa"], 3),
        },
    }


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Passkey patients and visit-signing keys: gas",
        "",
        f"Command: `{COMMAND}`",
        "",
        f"Metric: receipt gasUsed, median of {REVIEWS} per case; every review rewarded, "
        "minted to a new holder.",
        "",
        "| case | with P-256 precompile | without (Solidity P256) |",
        "|---|---:|---:|",
    ]
    with_p, without = result["with_precompile"], result["without_precompile"]
    labels = [
        ("review by a wallet (EOA), the baseline", "eoa"),
        ("review by a passkey account, not deployed (ERC-6492)", "passkey_undeployed"),
        ("review by a passkey account, deployed (ERC-1271)", "passkey_deployed"),
        ("deploy the account and move the reward out (once)", "deploy_and_move_reward"),
        ("review whose visit a visit-signing key attested", "visit_key_signed"),
        ("authorise a visit-signing key (once per key)", "authorise_visit_key"),
    ]
    for label, key in labels:
        lines.append(
            f"| {label} | {with_p['median_gas'][key]:,} | {without['median_gas'][key]:,} |"
        )
    lines += ["", "| ratio | with precompile | without |", "|---|---:|---:|"]
    for label, key in [
        ("passkey review / wallet review", "passkey_review_vs_eoa"),
        ("deployed passkey review / wallet review", "passkey_deployed_review_vs_eoa"),
        (
            "first review + deployment and transfer / wallet review",
            "all_in_first_review_with_deployment_vs_eoa",
        ),
        ("key-attested review / dentist-attested review", "visit_key_vs_dentist_signed"),
    ]:
        lines.append(f"| {label} | {with_p['ratios'][key]} | {without['ratios'][key]} |")
    lines += [
        "",
        f"Environment: {with_p['anvil']}; precompile present: default hardfork "
        f"{with_p['p256_precompile']}, `--hardfork prague` {without['p256_precompile']}.",
        "",
        "Notes:",
        "",
        "- A passkey patient's reviews never deploy the account: the registry checks the ERC-6492",
        "  signature against the key through its own factory. Only moving the reward out deploys",
        "  it, once, in the same transaction as the transfer.",
        "- The target (a passkey review at most 1.3x a wallet review, with the precompile) is",
        "  the first ratio; the third spreads the one deployment over the patient's first review.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    result = {
        "command": COMMAND,
        "with_precompile": _measure_on([]),
        "without_precompile": _measure_on(["--hardfork", "prague"]),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "gas_passkeys.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / "gas_passkeys.md").write_text(render_markdown(result))
    print(render_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
