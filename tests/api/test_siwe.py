"""Sign-In with Ethereum over HTTP: nonce, sign-in, session, sign-out, and every refusal
with its own code. Messages are signed with eth_account as a wallet's personal_sign."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dentareview.api.auth import SESSION_COOKIE
from dentareview.db.models import AuthSessionRow
from tests.api.system import System, new_wallet
from tests.support.siwe import get_nonce, personal_sign, post_siwe, sign_in, siwe_text


def error_code(response: object) -> str:
    code: str = response.json()["error"]["code"]  # type: ignore[attr-defined]
    return code


def test_a_wallet_signs_in_and_the_session_names_it(system: System) -> None:
    wallet = new_wallet()
    offered = get_nonce(system.client)
    assert offered["domain"] == "127.0.0.1:8000"
    assert offered["uri"] == "http://127.0.0.1:8000"
    assert offered["chainId"] == system.manifest.chain_id
    assert offered["version"] == "1"
    assert len(offered["nonce"]) >= 8 and offered["nonce"].isalnum()
    assert offered["expiresAt"] > offered["issuedAt"]

    text = siwe_text(address=wallet.address, nonce=offered["nonce"])
    response = post_siwe(system.client, text, personal_sign(wallet, text))

    assert response.status_code == 200, response.text
    assert response.json()["address"] == wallet.address
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for attribute in ("HttpOnly", "Path=/", "SameSite=strict", "Max-Age="):
        assert attribute.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # the default public URL is http

    session = system.client.get("/v1/auth/session")
    assert session.status_code == 200, session.text
    assert session.json()["address"] == wallet.address
    assert session.json()["expiresAt"] > time.time()


def test_the_database_keeps_only_a_hash_of_the_session_id(system: System) -> None:
    response = sign_in(system.client, new_wallet())
    assert response.status_code == 200, response.text
    session_id = system.client.cookies[SESSION_COOKIE]
    with system.sessions() as session:
        stored = list(session.scalars(select(AuthSessionRow.id_hash)))
    assert len(stored) == 1 and session_id not in stored[0] and stored[0] != session_id


def test_without_a_session_who_am_i_says_not_signed_in(system: System) -> None:
    response = system.client.get("/v1/auth/session")
    assert response.status_code == 401
    assert error_code(response) == "NOT_SIGNED_IN"
    system.client.cookies.set(SESSION_COOKIE, "made-up")
    assert error_code(system.client.get("/v1/auth/session")) == "NOT_SIGNED_IN"


def test_the_status_answers_200_signed_in_or_not(system: System) -> None:
    # What the pages ask first: a signed-out visit must not log a 401 in the console.
    for cookie in (None, "made-up"):
        if cookie:
            system.client.cookies.set(SESSION_COOKIE, cookie)
        answer = system.client.get("/v1/auth/status")
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"signedIn": False, "session": None}
        assert answer.headers["cache-control"] == "no-store"
    system.client.cookies.clear()
    wallet = new_wallet()
    assert sign_in(system.client, wallet).status_code == 200
    answer = system.client.get("/v1/auth/status").json()
    assert answer["signedIn"] is True
    assert answer["session"] == system.client.get("/v1/auth/session").json()
    assert answer["session"]["address"] == wallet.address


def test_logout_ends_the_session_even_for_a_copied_cookie(system: System) -> None:
    assert sign_in(system.client, new_wallet()).status_code == 200
    copied = system.client.cookies[SESSION_COOKIE]

    response = system.client.post("/v1/auth/logout")

    assert response.status_code == 204
    assert "max-age=0" in response.headers["set-cookie"].lower()
    assert system.client.get("/v1/auth/session").status_code == 401
    system.client.cookies.set(SESSION_COOKIE, copied)
    assert error_code(system.client.get("/v1/auth/session")) == "NOT_SIGNED_IN"
    assert system.client.post("/v1/auth/logout").status_code == 204  # idempotent


def test_a_nonce_signs_in_once(system: System) -> None:
    wallet = new_wallet()
    offered = get_nonce(system.client)
    text = siwe_text(address=wallet.address, nonce=offered["nonce"])
    signature = personal_sign(wallet, text)
    assert post_siwe(system.client, text, signature).status_code == 200

    replay = post_siwe(TestClient(system.client.app), text, signature)

    assert replay.status_code == 401
    assert error_code(replay) == "SIWE_NONCE_UNKNOWN"
    with system.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuthSessionRow)) == 1


def test_a_nonce_the_service_never_issued_is_refused(system: System) -> None:
    wallet = new_wallet()
    text = siwe_text(address=wallet.address, nonce="madeup12345678")
    response = post_siwe(system.client, text, personal_sign(wallet, text))
    assert (response.status_code, error_code(response)) == (401, "SIWE_NONCE_UNKNOWN")


def test_an_expired_nonce_is_refused(system: System) -> None:
    wallet = new_wallet()
    offered = get_nonce(system.client)
    state = system.client.app.state.dentareview  # type: ignore[attr-defined]
    later = offered["expiresAt"] + 1
    state.clock = lambda: later
    text = siwe_text(address=wallet.address, nonce=offered["nonce"], issued_at=later - 5)

    response = post_siwe(system.client, text, personal_sign(wallet, text))

    assert (response.status_code, error_code(response)) == (401, "SIWE_NONCE_UNKNOWN")


def test_a_session_ends_at_its_expiry(system: System) -> None:
    response = sign_in(system.client, new_wallet())
    expires_at = response.json()["expiresAt"]
    state = system.client.app.state.dentareview  # type: ignore[attr-defined]
    state.clock = lambda: expires_at
    assert error_code(system.client.get("/v1/auth/session")) == "NOT_SIGNED_IN"


def test_the_message_expiration_bounds_the_session(system: System) -> None:
    soon = int(time.time()) + 120
    response = sign_in(system.client, new_wallet(), expiration=soon)
    assert response.status_code == 200, response.text
    assert response.json()["expiresAt"] == soon


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"domain": "evil.example"}, "SIWE_DOMAIN_MISMATCH"),
        ({"uri": "https://evil.example/login"}, "SIWE_DOMAIN_MISMATCH"),
        ({"chain_id": 1}, "SIWE_DOMAIN_MISMATCH"),
        ({"issued_at": int(time.time()) - 3600}, "SIWE_EXPIRED"),
        ({"issued_at": int(time.time()) + 3600}, "SIWE_EXPIRED"),
        ({"expiration": int(time.time()) - 1}, "SIWE_EXPIRED"),
    ],
)
def test_a_message_for_elsewhere_or_out_of_time_is_refused(
    system: System, fields: dict[str, object], code: str
) -> None:
    response = sign_in(system.client, new_wallet(), **fields)
    assert response.status_code == 401, response.text
    assert error_code(response) == code
    assert "set-cookie" not in response.headers


def test_localhost_is_this_service_too(system: System) -> None:
    response = sign_in(
        system.client, new_wallet(), domain="localhost:8000", uri="http://localhost:8000/"
    )
    assert response.status_code == 200, response.text


def test_a_signature_by_another_wallet_is_refused_and_keeps_the_nonce(system: System) -> None:
    wallet, thief = new_wallet(), new_wallet()
    offered = get_nonce(system.client)
    text = siwe_text(address=wallet.address, nonce=offered["nonce"])

    response = post_siwe(system.client, text, personal_sign(thief, text))

    assert (response.status_code, error_code(response)) == (401, "SIWE_SIGNATURE_MISMATCH")
    assert post_siwe(system.client, text, personal_sign(wallet, text)).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": "hello", "signature": "0x" + "11" * 64 + "1b"}, 422, "SIWE_INVALID"),
        ({"message": "x", "signature": "0x1234"}, 400, "INVALID_SIGNATURE"),
        ({"message": "x"}, 422, "VALIDATION_ERROR"),
        ({"message": "x" * 5000, "signature": "0x" + "11" * 65}, 422, "VALIDATION_ERROR"),
        ({"message": 7, "signature": "0x" + "11" * 65}, 422, "VALIDATION_ERROR"),
    ],
)
def test_malformed_sign_ins_get_clear_errors(
    system: System, body: dict[str, object], status: int, code: str
) -> None:
    response = system.client.post("/v1/auth/siwe", json=body)
    assert (response.status_code, error_code(response)) == (status, code), response.text


def test_a_personal_sign_of_a_message_with_an_unchecksummed_address_is_refused(
    system: System,
) -> None:
    wallet = new_wallet()
    offered = get_nonce(system.client)
    text = siwe_text(address=wallet.address.lower(), nonce=offered["nonce"])
    response = post_siwe(system.client, text, personal_sign(wallet, text))
    assert (response.status_code, error_code(response)) == (422, "SIWE_INVALID")


def test_an_https_public_url_makes_the_cookie_secure_and_is_the_only_origin(
    system: System,
) -> None:
    state = system.client.app.state.dentareview  # type: ignore[attr-defined]
    state.settings = state.settings.model_copy(update={"public_url": "https://reviews.example.com"})
    offered = get_nonce(system.client)
    assert (offered["domain"], offered["uri"]) == (
        "reviews.example.com",
        "https://reviews.example.com",
    )

    response = sign_in(system.client, new_wallet())

    assert response.status_code == 200, response.text
    assert "secure" in response.headers["set-cookie"].lower()
    local = sign_in(
        system.client, new_wallet(), domain="127.0.0.1:8000", uri="http://127.0.0.1:8000/"
    )
    assert (local.status_code, error_code(local)) == (401, "SIWE_DOMAIN_MISMATCH")
