"""Sign typed data exactly as a wallet does with eth_signTypedData_v4."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount


def sign_typed(
    account: LocalAccount, eip712: dict[str, Any], primary: str, message: dict[str, Any]
) -> str:
    """`eip712` is the body of GET /v1/eip712: {"domain": ..., "types": ...}.

    Like a wallet client, keep the domain type and the primary type only: eth-account
    infers the primary type from `types` and refuses a set with two candidates.
    """
    types = {name: eip712["types"][name] for name in ("EIP712Domain", primary)}
    full_message = {
        "types": types,
        "domain": eip712["domain"],
        "primaryType": primary,
        "message": message,
    }
    signed = Account.sign_typed_data(account.key, full_message=full_message)
    return "0x" + bytes(signed.signature).hex()
