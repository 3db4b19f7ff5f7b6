"""Fixed keys and value builders shared by the domain tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from dentareview.domain.models import Eip712Domain, Review, Visit

# Anvil's well-known development keys 2 and 3: public test keys, never funded.
DENTIST: LocalAccount = Account.from_key(
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
)
PATIENT: LocalAccount = Account.from_key(
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
)
DOMAIN = Eip712Domain(
    chain_id=31337, verifying_contract="0x5FbDB2315678afecb367f032d93F642f64180aa3"
)
VISIT_ID = bytes.fromhex("ab" * 32)
DAY = 86_400
VISITED_AT = 1_735_689_600  # 2025-01-01 00:00:00 UTC
TEXT = "Dr. Müller was gentle and explained every step — très bien 😀"


def make_visit(**changes: Any) -> Visit:
    visit = Visit(
        visit_id=VISIT_ID,
        patient=PATIENT.address,
        dentist=DENTIST.address,
        visited_at=VISITED_AT,
    )
    return replace(visit, **changes)


def make_review(**changes: Any) -> Review:
    review = Review(
        visit_id=VISIT_ID,
        rating=4,
        treatment=5,
        bedside=3,
        wait_time=2,
        text=TEXT,
        deadline=VISITED_AT + DAY,
    )
    return replace(review, **changes)


def text_of(chars: int, words: int) -> str:
    """A text of exactly `chars` code points and `words` words."""
    body = " ".join(["a"] * words)
    assert len(body) <= chars, "too many words for that length"
    text = body + "a" * (chars - len(body))
    assert len(text) == chars and len(text.split()) == words
    return text
