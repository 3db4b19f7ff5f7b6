"""The intake's review digest (EIP-712 written out for `Review`, the domain separator
cached) equals eth-account's general `encode_typed_data` on many reviews."""

from __future__ import annotations

import random

from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from dentareview.domain.models import Eip712Domain, Review
from dentareview.domain.typed_data import review_digest, review_typed_data


def _general(domain: Eip712Domain, review: Review) -> bytes:
    signable = encode_typed_data(full_message=review_typed_data(domain, review))
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def test_the_fast_review_digest_equals_the_general_eip712_encoding() -> None:
    rng = random.Random(7)
    domains = [
        Eip712Domain(chain_id=c * 1000 + 1, verifying_contract="0x" + bytes([c] * 20).hex())
        for c in (1, 137, 250)
    ]
    texts = ["", "a", "Ünïcödé text with emoji 🦷 and\nnew lines", "x" * 5000]
    for i in range(200):
        review = Review(
            visit_id=rng.randbytes(32),
            rating=rng.randint(1, 5),
            treatment=rng.randint(1, 5),
            bedside=rng.randint(1, 5),
            wait_time=rng.randint(1, 5),
            text=texts[i % len(texts)] + str(i),
            deadline=rng.randint(0, 2**64 - 1),
        )
        domain = domains[i % len(domains)]
        assert review_digest(domain, review) == _general(domain, review)
