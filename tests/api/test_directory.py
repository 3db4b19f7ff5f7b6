"""GET /v1/dentists (the directory), GET /v1/visits/{id} (invitations), the web shell."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from dentareview.api.webapp import install_webapp
from dentareview.config import Settings
from dentareview.services.public_rpc import public_rpc_url
from tests.api.system import System, new_wallet
from tests.support.siwe import wallet_client


def _review(system: System, dentist_name: str, ratings: list[int]) -> str:
    dentist = system.new_dentist(dentist_name)
    for rating in ratings:
        patient = new_wallet()
        visit = system.attested_visit(dentist, patient)
        response = system.post_review(patient, system.review_message(visit, rating=rating))
        assert response.status_code == 202, response.text
    return str(dentist.address)


def test_directory_lists_searches_and_scores(system: System) -> None:
    many = _review(system, "Many Smiles Dental", [5, 4, 5])
    one = _review(system, "Lone_Tooth 100% Clinic", [1])
    none = system.new_dentist("Quiet Practice").address
    assert system.anchor().anchored == 4

    body = system.client.get("/v1/dentists").json()
    assert body["total"] == 3
    # Highest Bayesian score first: 3.9375, then the prior's 3.5, then (17.5 + 1) / 6.
    assert [e["address"] for e in body["items"]] == [many, none, one]
    assert body["sort"] == "score"
    most = system.client.get("/v1/dentists", params={"sort": "reviews"}).json()["items"]
    assert [e["address"] for e in most] == [many, one, none]  # most reviews first
    first = body["items"][0]
    # Bayesian: (5 * 3.5 + 14) / (5 + 3) = 31.5 / 8
    assert first == {
        "address": many,
        "name": "Many Smiles Dental",
        "active": True,
        "count": 3,
        "mean": 4.6667,
        "bayesianScore": 3.9375,
        "verified": True,
        "city": None,
        "country": None,
        "acceptingNewPatients": None,
        "languages": [],
    }
    assert body["items"][1]["verified"] is False
    assert body["items"][1]["mean"] is None

    def names(**params: str) -> list[str]:
        response = system.client.get("/v1/dentists", params=params)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()["items"]]

    assert names(q="smiles") == ["Many Smiles Dental"]
    assert names(q="  QUIET ") == ["Quiet Practice"]
    assert names(q=one[:10].lower()) == ["Lone_Tooth 100% Clinic"]
    # LIKE wildcards in the query are literal characters.
    assert names(q="%") == ["Lone_Tooth 100% Clinic"]
    assert names(q="e_t") == ["Lone_Tooth 100% Clinic"]
    assert names(q="nobody") == []
    assert names(limit="1", offset="1") == ["Quiet Practice"]


def test_directory_refuses_bad_paging(system: System) -> None:
    for params in ({"limit": "0"}, {"limit": "101"}, {"offset": "-1"}, {"q": "x" * 201}):
        response = system.client.get("/v1/dentists", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_visit_lookup_for_invitation_links(system: System) -> None:
    dentist = system.new_dentist("Link Dental")
    patient = new_wallet()
    visit = system.attested_visit(dentist, patient)

    # The visit itself is for its patient and dentist, signed in (tests/api/test_privacy.py).
    practice = wallet_client(system.client, dentist)
    body = practice.get(f"/v1/visits/{visit['visitId'].upper().replace('0X', '0x')}").json()
    assert body["visitId"] == visit["visitId"]
    assert body["patient"] == patient.address
    assert body["dentist"] == dentist.address
    assert body["dentistName"] == "Link Dental"
    assert body["dentistActive"] is True
    assert body["visitedAt"] == visit["visitedAt"]
    assert body["reviewClosesAt"] == visit["visitedAt"] + 90 * 86_400
    assert body["review"] is None

    response = system.post_review(patient, system.review_message(visit))
    review_id = response.json()["id"]
    body = practice.get(f"/v1/visits/{visit['visitId']}").json()
    assert body["review"] == {"id": review_id, "status": "pending"}

    missing = practice.get("/v1/visits/0x" + os.urandom(32).hex())
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "VISIT_NOT_FOUND"
    malformed = practice.get("/v1/visits/0x1234")
    assert malformed.status_code == 422
    assert malformed.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": malformed.json()["error"]["message"],
        "field": "visitId",
    }


def test_chain_facts_publish_only_a_secret_free_rpc_url(system: System) -> None:
    facts = system.client.get("/v1/chain").json()
    assert facts["rpcUrl"] == system.settings.rpc_url  # a bare loopback URL
    hosted = Settings(rpc_url="https://mainnet.example.org/v3/abcdef0123456789")
    assert public_rpc_url(hosted) is None
    assert public_rpc_url(Settings(rpc_url="http://user:pw@127.0.0.1:8545")) is None
    assert public_rpc_url(Settings(rpc_url="http://127.0.0.1:8545/?key=1")) is None
    assert public_rpc_url(Settings(rpc_url="http://localhost:8545")) == "http://localhost:8545"
    chosen = Settings(rpc_url=hosted.rpc_url, public_rpc_url="https://rpc.example.org")
    assert public_rpc_url(chosen) == "https://rpc.example.org"


def test_pages_assets_and_cors(system: System) -> None:
    client = system.client
    for path in ("/", "/dentists/0x" + "ab" * 20, "/invite/0x" + "cd" * 32, "/verify", "/verify/7"):
        page = client.get(path)
        assert page.status_code in (200, 503), path  # 503: the build is missing
        assert page.headers["content-type"].startswith("text/html"), path
    # Unknown paths keep the API's JSON 404; API routes are untouched.
    unknown = client.get("/nothing-here")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "NOT_FOUND"
    assert client.get("/v1/eip712").status_code == 200
    cors = client.get("/v1/dentists", headers={"Origin": "https://practice.example"})
    assert cors.headers["access-control-allow-origin"] == "*"


def test_built_app_is_served_with_types_and_caching(tmp_path: Path) -> None:
    web = tmp_path / "webapp"
    (web / "assets").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>x</title>")
    (web / "assets" / "main-abc123.js").write_text("console.log(1)")
    (web / "assets" / "main-abc123.css").write_text("body{}")
    (web / "widget.js").write_text("void 0")
    app = FastAPI()
    install_webapp(app, web)
    client = TestClient(app)

    page = client.get("/verify/3")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in page.headers["content-security-policy"]
    script = client.get("/assets/main-abc123.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert "immutable" in script.headers["cache-control"]
    assert client.get("/assets/main-abc123.css").headers["content-type"].startswith("text/css")
    assert client.get("/assets/missing.js").status_code == 404
    widget = client.get("/widget.js")
    assert widget.headers["content-type"] == "text/javascript; charset=utf-8"
    assert widget.headers["cache-control"] == "public, max-age=300"

    (web / "index.html").unlink()
    missing = client.get("/")
    assert missing.status_code == 503
    assert "npm run build:web" in missing.text


def test_a_search_with_control_characters_is_refused_not_a_server_error(system: System) -> None:
    """PostgreSQL text cannot hold NUL: found by the randomised schemathesis run."""
    for q in ("a\x00b", "name\x1b"):
        response = system.client.get("/v1/dentists", params={"q": q})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
