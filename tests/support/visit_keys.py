"""A dentist's wallet authorises a visit-signing key on chain (`setVisitSigner`), relayed by
a funded development account, and a visit signed by that key."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from tests.contracts.helpers import transact
from tests.support.anvil import dev_account
from tests.support.wallet import sign_typed

VISIT_SIGNER_TYPE = [
    {"name": "signer", "type": "address"},
    {"name": "validUntil", "type": "uint64"},
    {"name": "nonce", "type": "uint256"},
]


def authorise(
    w3: Web3,
    registry: Contract,
    eip712: dict[str, Any],
    dentist: LocalAccount,
    key: str,
    valid_until: int,
) -> None:
    """`eip712` is the body of GET /v1/eip712 (the deployment's domain and types)."""
    nonce = registry.functions.visitSignerNonce(dentist.address).call()
    typed = {**eip712, "types": {**eip712["types"], "VisitSigner": VISIT_SIGNER_TYPE}}
    message = {"signer": key, "validUntil": valid_until, "nonce": nonce}
    signature = sign_typed(dentist, typed, "VisitSigner", message)
    call = registry.functions.setVisitSigner(dentist.address, key, valid_until, signature)
    transact(w3, dev_account(5), call)


def key_signed_visit(key: LocalAccount, eip712: dict[str, Any], visit: dict[str, Any]) -> str:
    """The key's signature of the `Visit` (as the proof states it)."""
    message = {**visit, "visitedAt": int(visit["visitedAt"])}
    return sign_typed(key, eip712, "Visit", message)
