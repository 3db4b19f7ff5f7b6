"""Walk the whole DentaReview story against a running service (start it with `make run`).

    .venv/bin/python scripts/demo.py [--api http://127.0.0.1:8000]

1. register a dentist (on-chain and in the service, with the operator's CLI)
2. the dentist's wallet signs a Visit; post it
3. the patient's wallet signs a Review; post it and wait for anchoring
4. read the reward from the token contract on-chain
5. read the dentist's reputation
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from dentareview.chain.artifacts import load_artifact

BIN = Path(sys.executable).parent


def step(number: int, title: str) -> None:
    print(f"\n== {number}. {title}")


def sign(
    account: LocalAccount, eip712: dict[str, Any], primary: str, message: dict[str, Any]
) -> str:
    """What a wallet's eth_signTypedData_v4 does, from the JSON the API serves."""
    types = {name: eip712["types"][name] for name in ("EIP712Domain", primary)}
    full = {"domain": eip712["domain"], "types": types, "primaryType": primary, "message": message}
    return "0x" + bytes(Account.sign_typed_data(account.key, full_message=full).signature).hex()


def check(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    print(f"   HTTP {response.status_code}: {json.dumps(body)[:300]}")
    if response.status_code >= 400:
        sys.exit(f"demo stopped: {body['error']['code']}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    api = httpx.Client(base_url=args.api, timeout=30)
    chain = check(api.get("/v1/chain"))
    eip712 = api.get("/v1/eip712").json()
    dentist, patient = Account.create(), Account.create()

    step(1, f"register dentist {dentist.address}")
    subprocess.run(
        [str(BIN / "dentareview"), "dentist", "add", dentist.address, "--name", "Demo Dental"],
        check=True,
        env=os.environ,
    )

    step(2, "the dentist signs a Visit for the patient; post it")
    visit = {
        "visitId": "0x" + os.urandom(32).hex(),
        "patient": patient.address,
        "dentist": dentist.address,
        "visitedAt": int(time.time()) - 3600,
    }
    check(
        api.post(
            "/v1/visits",
            json={"message": visit, "signature": sign(dentist, eip712, "Visit", visit)},
        )
    )

    step(3, "the patient signs a Review; post it and wait for the anchor")
    review = {
        "visitId": visit["visitId"],
        "rating": 5,
        "treatment": 5,
        "bedside": 4,
        "waitTime": 4,
        "text": "Friendly staff, a painless filling and a clear explanation of the "
        "aftercare. I was in and out within the hour.",
        "deadline": int(time.time()) + 3600,
    }
    signature = sign(patient, eip712, "Review", review)
    accepted = check(
        api.post(
            "/v1/reviews", params={"wait": 15}, json={"message": review, "signature": signature}
        )
    )

    step(4, "the reward, read from the token contract on-chain")
    rpc_url = os.environ.get("DENTAREVIEW_RPC_URL", "http://127.0.0.1:8545")
    w3 = Web3(Web3.HTTPProvider(rpc_url))
    token = w3.eth.contract(address=chain["token"], abi=load_artifact("RewardToken").abi)
    balance = token.functions.balanceOf(patient.address).call()
    print(f"   review {accepted['id']} is {accepted['status']} in tx {accepted.get('txHash')}")
    print(f"   patient balance: {balance / 10**18} {chain['tokenSymbol']}")

    step(5, "the dentist's reputation")
    check(api.get(f"/v1/dentists/{dentist.address}/reputation"))
    print("\n   In a browser:")
    print(f"   profile       {args.api}/dentists/{dentist.address}")
    print(f"   verification  {args.api}/verify/{accepted['id']}")
    print(f"   (an invitation link looks like {args.api}/invite/<visitId>)")


if __name__ == "__main__":
    main()
