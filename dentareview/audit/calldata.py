"""What the patient signed, read back from the anchoring transaction's calldata.

`submitReview` carries the signed ratings, deadline and text hash, so an audit can
say which stored field changed, not only that the digest no longer matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils.hexadecimal import encode_hex
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound, Web3ValidationError

from dentareview.chain.registry import RegistryContract


@dataclass(frozen=True)
class SignedFields:
    visit_id: str  # lowercase 0x-hex
    ratings: dict[str, int]  # wire names, as Review.ratings()
    text_hash: str
    deadline: int


def signed_fields(w3: Web3, registry: RegistryContract, tx_hash: str) -> SignedFields | None:
    """The Review members a `submitReview` transaction carried; None for anything else."""
    try:
        tx = w3.eth.get_transaction(HexBytes(tx_hash))
        function, args = registry.contract.decode_function_input(HexBytes(tx["input"]))
    except (TransactionNotFound, Web3ValidationError, ValueError):
        return None
    if function.fn_name != "submitReview":
        return None
    visit, review = args["visit"], args["review"]
    return SignedFields(
        visit_id=encode_hex(bytes(_member(visit, "visitId", 0))),
        ratings={
            name: int(_member(review, name, index))
            for index, name in enumerate(("rating", "treatment", "bedside", "waitTime"))
        },
        text_hash=encode_hex(bytes(_member(review, "textHash", 4))),
        deadline=int(_member(review, "deadline", 5)),
    )


def _member(struct: Any, name: str, index: int) -> Any:
    # Decoded structs come as dicts or as tuples, depending on the web3 version.
    return struct[name] if isinstance(struct, dict) else struct[index]
