"""A running DentaReview for tests: real Anvil, real database, the real app over HTTP."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker
from web3 import Web3

from dentareview.anchoring.reviews import Anchorer, AnchorReport
from dentareview.chain.deployments import Manifest
from dentareview.config import Settings
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import register_dentist
from tests.support.wallet import sign_typed

REVIEW_TEXT = (
    "Dr. Smith explained every step of the root canal clearly, the clinic was spotless "
    "and I felt no pain at all."
)
DAY = 86_400


def new_wallet() -> LocalAccount:
    return Account.create()


def visit_id() -> str:
    return "0x" + os.urandom(32).hex()


@dataclass
class System:
    settings: Settings
    client: TestClient
    manifest: Manifest
    w3: Web3
    sessions: sessionmaker[Session]
    gateway: ChainGateway

    def eip712(self) -> dict[str, Any]:
        response = self.client.get("/v1/eip712")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def register(self, dentist: LocalAccount, name: str = "Bright Smiles") -> None:
        register_dentist(
            self.sessions,
            self.gateway.deployment(),
            address=dentist.address,
            name=name,
            now=int(time.time()),
        )

    def new_dentist(self, name: str = "Bright Smiles") -> LocalAccount:
        dentist = new_wallet()
        self.register(dentist, name)
        return dentist

    @staticmethod
    def visit_message(
        dentist: LocalAccount, patient: LocalAccount, *, visited_at: int | None = None
    ) -> dict[str, Any]:
        return {
            "visitId": visit_id(),
            "patient": patient.address,
            "dentist": dentist.address,
            "visitedAt": visited_at if visited_at is not None else int(time.time()) - DAY,
        }

    def post_visit(self, signer: LocalAccount, message: dict[str, Any]) -> Response:
        signature = sign_typed(signer, self.eip712(), "Visit", message)
        return self.client.post("/v1/visits", json={"message": message, "signature": signature})

    def attested_visit(
        self, dentist: LocalAccount, patient: LocalAccount, *, visited_at: int | None = None
    ) -> dict[str, Any]:
        message = self.visit_message(dentist, patient, visited_at=visited_at)
        response = self.post_visit(dentist, message)
        assert response.status_code == 201, response.text
        return message

    @staticmethod
    def review_message(
        visit: dict[str, Any],
        *,
        rating: int = 5,
        treatment: int = 4,
        bedside: int = 5,
        wait_time: int = 3,
        text: str = REVIEW_TEXT,
        deadline: int | None = None,
    ) -> dict[str, Any]:
        return {
            "visitId": visit["visitId"],
            "rating": rating,
            "treatment": treatment,
            "bedside": bedside,
            "waitTime": wait_time,
            "text": text,
            "deadline": deadline if deadline is not None else int(time.time()) + 3600,
        }

    def post_review(
        self, signer: LocalAccount, message: dict[str, Any], *, wait: float = 0
    ) -> Response:
        signature = sign_typed(signer, self.eip712(), "Review", message)
        return self.client.post(
            "/v1/reviews", params={"wait": wait}, json={"message": message, "signature": signature}
        )

    def anchorer(self) -> Anchorer:
        return Anchorer(self.sessions, self.gateway, batch_limit=50)

    def anchor(self) -> AnchorReport:
        return self.anchorer().run_until_idle()

    def token_balance(self, address: str) -> int:
        return int(self.gateway.deployment().token.functions.balanceOf(address).call())
