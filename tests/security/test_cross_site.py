"""Cross-site request forgery: every state-changing route that takes the session cookie
refuses a request another site's page sent (its Origin, else its Sec-Fetch-Site), with
403 CROSS_SITE_REQUEST, and does nothing; the service's own pages are served as before.

The routes come from the OpenAPI document (every POST/PUT/PATCH/DELETE whose security
names the cookie), so a route added later is covered without editing this file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web3 import Web3

from dentareview.db.models import ModerationDecisionRow
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.api.test_moderation import anchored_review
from tests.security.routes import cookie_changes
from tests.support.anvil import AnvilNode
from tests.support.siwe import signed_in

OPERATOR = new_wallet()
OWN_ORIGINS = ("http://127.0.0.1:8000", "http://localhost:8000")  # the default public URL
FOREIGN = {
    "another port of the same host": {"Origin": "http://127.0.0.1:8001"},
    "another site": {"Origin": "https://reviews.example.net"},
    "an opaque origin (sandboxed frame)": {"Origin": "null"},
    "our host over https": {"Origin": "https://127.0.0.1:8000"},
    "no Origin, same site": {"Sec-Fetch-Site": "same-site"},
    "no Origin, cross site": {"Sec-Fetch-Site": "cross-site"},
}


@pytest.fixture
def operated(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[System]:
    monkeypatch.setenv("DENTAREVIEW_OPERATOR_ADDRESSES", OPERATOR.address)
    url = f"sqlite:///{tmp_path / 'dentareview.db'}"
    yield from start_system(anvil.rpc_url, w3, tmp_path / "data", url)


def _decisions(system: System) -> int:
    with system.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ModerationDecisionRow)) or 0)


def _session_alive(client: TestClient) -> bool:
    return client.get("/v1/auth/session").status_code == 200


def test_every_signed_in_change_refuses_another_sites_request(operated: System) -> None:
    review = anchored_review(operated)
    operator = signed_in(TestClient(operated.client.app), OPERATOR)
    routes = cookie_changes(operated.client.get("/openapi.json").json())
    named = {str(route) for route in routes}
    assert {
        "POST /v1/auth/logout",
        "POST /v1/moderation/reviews/{review_id}/decisions",
        "POST /v1/reviews/{review_id}/flags",
    } <= named, named
    values = {"review_id": review["id"], "address": review["dentist"].address}
    bodies: dict[str, Any] = {
        "POST /v1/moderation/reviews/{review_id}/decisions": {
            "action": "remove",
            "reason": "advertising",
        },
        "POST /v1/reviews/{review_id}/flags": {"reason": "advertising"},
    }
    for route in routes:
        for label, headers in FOREIGN.items():
            answer = operator.request(
                route.method, route.url(values), json=bodies.get(str(route), {}), headers=headers
            )
            assert answer.status_code == 403, (str(route), label, answer.text)
            assert answer.json()["error"]["code"] == "CROSS_SITE_REQUEST", (str(route), label)
    assert _session_alive(operator)  # no foreign logout went through
    assert _decisions(operated) == 0  # nor any decision


def test_a_moderation_decision_from_another_origin_is_refused_and_ours_is_taken(
    operated: System,
) -> None:
    review = anchored_review(operated)
    operator = signed_in(TestClient(operated.client.app), OPERATOR)
    path = f"/v1/moderation/reviews/{review['id']}/decisions"
    body = {"action": "remove", "reason": "advertising"}
    forged = operator.post(path, json=body, headers={"Origin": "http://127.0.0.1:9"})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "CROSS_SITE_REQUEST"
    assert _decisions(operated) == 0
    for origin in OWN_ORIGINS:  # either loopback name, as a sign-in accepts
        own = operator.post(path, json={**body, "action": "keep"}, headers={"Origin": origin})
        assert own.status_code == 201, own.text
    same = operator.post(path, json=body, headers={"Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 201, same.text
    # Neither header: not a browser, so no other site made it send this (see api/origin.py).
    scripted = operator.post(path, json={**body, "action": "keep"})
    assert scripted.status_code == 201, scripted.text
    assert _decisions(operated) == 4


def test_logout_from_another_origin_keeps_the_session(operated: System) -> None:
    operator = signed_in(TestClient(operated.client.app), OPERATOR)
    forged = operator.post("/v1/auth/logout", headers={"Origin": "http://127.0.0.1:8001"})
    assert forged.status_code == 403
    assert _session_alive(operator)
    own = operator.post("/v1/auth/logout", headers={"Origin": OWN_ORIGINS[0]})
    assert own.status_code == 204
    assert not _session_alive(operator)


def test_without_the_cookie_nothing_is_checked(operated: System) -> None:
    """A flag needs no sign-in: from anywhere, without our cookie, it is taken."""
    review = anchored_review(operated)
    anonymous = TestClient(operated.client.app)
    answer = anonymous.post(
        f"/v1/reviews/{review['id']}/flags",
        json={"reason": "advertising"},
        headers={"Origin": "https://reviews.example.net"},
    )
    assert answer.status_code == 201, answer.text
