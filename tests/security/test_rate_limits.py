"""429 RATE_LIMITED with Retry-After, per client IP (IPv6 by /64) and per known wallet,
on the write endpoints only; shared through the real Redis by every app instance, or
in one process's memory without it. The limits are settings and 0 switches one off."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.api.ratelimit import WriteLimits, client_key, window_items
from dentareview.config import Settings
from tests.api.system import System, new_wallet, sign_typed
from tests.reliability.figures import codes_of, record
from tests.security.conftest import custom_system
from tests.support.anvil import AnvilNode
from tests.support.redis_server import keys_with_prefix, redis_prefix


@pytest.fixture
def redis_at() -> Iterator[tuple[str, str]]:
    with redis_prefix() as found:
        yield found


def _answers(responses: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(r.status_code, r.json()) for r in responses]


def _post_visit(client: TestClient, system: System, signer: LocalAccount, msg: Any) -> Any:
    signature = sign_typed(signer, system.eip712(), "Visit", msg)
    return client.post("/v1/visits", json={"message": msg, "signature": signature})


def test_ipv6_clients_are_grouped_by_64_and_ipv4_counted_alone() -> None:
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert client_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("192.0.2.7") != client_key("192.0.2.8")


def test_a_limit_is_a_minute_window_and_a_burst_window() -> None:
    assert window_items(per_minute=0, burst=5) == []
    minute, burst = window_items(per_minute=60, burst=4)
    assert (minute.amount, minute.get_expiry()) == (60, 60)
    assert (burst.amount, burst.get_expiry()) == (4, 4)  # 4 writes refill in 4 s at 1/s
    (same,) = window_items(per_minute=600, burst=600)
    assert (same.amount, same.get_expiry()) == (600, 60)
    (slow,) = window_items(per_minute=1, burst=2)
    assert (slow.amount, slow.get_expiry()) == (2, 120)  # 2 at once, then 1 a minute


def test_without_redis_one_process_counts_in_memory_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        data_dir=tmp_path, rate_limit_wallet_per_minute=30, rate_limit_wallet_burst=5
    )
    assert settings.redis_url is None  # `make run` needs no Redis
    app = create_app(settings, run_anchor_worker=False)
    limits: WriteLimits = app.state.write_limits
    assert not limits.shared
    assert all(limits.wallet.take("0xabc") == 0 for _ in range(5))
    assert 9 <= limits.wallet.take("0xabc") <= 10  # 5 in the 10 s that 5 take at 30/min
    with caplog.at_level(logging.INFO), TestClient(app):
        pass
    assert any("memory" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_two_app_instances_share_one_ip_limit_in_redis(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, redis_at: tuple[str, str]
) -> None:
    url, prefix = redis_at
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        redis_url=url,
        rate_limit_key_prefix=prefix,
        rate_limit_ip_per_minute=60,
        rate_limit_ip_burst=4,
        rate_limit_wallet_per_minute=0,
    ) as system:
        other_app = create_app(system.settings, run_anchor_worker=False)
        assert other_app.state.write_limits.shared
        dentist = system.new_dentist()
        with TestClient(other_app) as other:
            clients = [system.client, other] * 3
            responses = [
                _post_visit(c, system, dentist, system.visit_message(dentist, new_wallet()))
                for c in clients
            ]
            reads = [other.get("/v1/chain").status_code for _ in range(10)]
    answers = _answers(responses)
    record(
        "rate_limit_per_ip",
        requests=len(responses),
        answers=codes_of(answers),
        accepted=sum(s == 201 for s, _ in answers),
    )
    # Each instance alone would have let 4 through: together they let 4 through.
    assert [status for status, _ in answers] == [201] * 4 + [429] * 2
    assert answers[4][1]["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(responses[4].headers["Retry-After"]) <= 4
    assert reads == [200] * 10  # reads are not limited
    assert any("/ip/testclient/" in key for key in keys_with_prefix(url, prefix))


def test_an_ipv6_64_shares_one_limit(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, redis_at: tuple[str, str]
) -> None:
    url, prefix = redis_at
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        redis_url=url,
        rate_limit_key_prefix=prefix,
        rate_limit_ip_per_minute=60,
        rate_limit_ip_burst=2,
        rate_limit_wallet_per_minute=0,
    ) as system:
        app = system.client.app
        dentist = system.new_dentist()
        statuses = []
        for host in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3", "2001:db8:1:3::1"):
            with TestClient(app, client=(host, 4000)) as client:  # type: ignore[arg-type]
                msg = system.visit_message(dentist, new_wallet())
                statuses.append(_post_visit(client, system, dentist, msg).status_code)
    assert statuses == [201, 201, 429, 201]


def test_a_known_wallet_is_limited_and_a_random_signer_gets_no_counter(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, redis_at: tuple[str, str]
) -> None:
    url, prefix = redis_at
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        redis_url=url,
        rate_limit_key_prefix=prefix,
        rate_limit_wallet_per_minute=6,
        rate_limit_wallet_burst=2,
    ) as system:
        busy, quiet, forger = system.new_dentist(), system.new_dentist(), new_wallet()
        busy_answers = [
            system.post_visit(busy, system.visit_message(busy, new_wallet())) for _ in range(3)
        ]
        # Visits naming `quiet` but signed by an unknown wallet: the route refuses them,
        # and the unknown signer gets no counter of its own (nor spends quiet's).
        forged = [
            system.post_visit(forger, system.visit_message(quiet, new_wallet())) for _ in range(4)
        ]
        quiet_answers = [
            system.post_visit(quiet, system.visit_message(quiet, new_wallet())) for _ in range(2)
        ]
        keys = keys_with_prefix(url, prefix)
    answers = _answers(busy_answers + forged + quiet_answers)
    record(
        "rate_limit_per_wallet",
        requests=len(answers),
        answers=codes_of(answers),
        accepted=sum(s == 201 for s, _ in answers),
    )
    assert [r.status_code for r in busy_answers] == [201, 201, 429]
    # 2 writes refill in 20 s at 6 a minute: the oldest leaves the window then
    assert 19 <= int(busy_answers[2].headers["Retry-After"]) <= 20
    assert [r.json()["error"]["code"] for r in forged] == ["INVALID_SIGNATURE"] * 4
    assert [r.status_code for r in quiet_answers] == [201, 201]
    wallet_keys = [key for key in keys if "/wallet/" in key]
    assert any(busy.address in key for key in wallet_keys)
    assert not any(forger.address in key for key in wallet_keys)


def test_a_patient_over_the_wallet_burst_is_limited_a_stranger_is_not_counted(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, redis_at: tuple[str, str]
) -> None:
    url, prefix = redis_at
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        redis_url=url,
        rate_limit_key_prefix=prefix,
        rate_limit_wallet_per_minute=1,
        rate_limit_wallet_burst=2,
    ) as system:
        patient, stranger = new_wallet(), new_wallet()
        # Three dentists, one visit each: only the patient goes over the burst.
        visits = [system.attested_visit(system.new_dentist(), patient) for _ in range(3)]
        strangers = [
            system.post_review(stranger, system.review_message(visits[2])).json()["error"]["code"]
            for _ in range(3)
        ]
        statuses = [
            system.post_review(patient, system.review_message(visit)).status_code
            for visit in visits
        ]
        keys = keys_with_prefix(url, prefix)
    assert strangers == ["NOT_VISIT_PATIENT"] * 3
    assert statuses == [202, 202, 429]
    assert not any(stranger.address in key for key in keys)


def test_an_unreachable_redis_lets_writes_through_and_is_logged(
    anvil: AnvilNode, w3: Web3, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        custom_system(
            anvil,
            w3,
            tmp_path / "data",
            f"sqlite:///{tmp_path / 'd.db'}",
            redis_url="redis://:hunter2secret@127.0.0.1:1/0",
            rate_limit_ip_per_minute=60,
            rate_limit_ip_burst=1,
        ) as system,
        caplog.at_level(logging.ERROR),
    ):
        dentist = system.new_dentist()
        statuses = [
            system.post_visit(dentist, system.visit_message(dentist, new_wallet())).status_code
            for _ in range(3)
        ]
    assert statuses == [201] * 3
    logged = [r.getMessage() for r in caplog.records if "rate-limit store" in r.getMessage()]
    assert len(logged) == 1  # once a minute, not once a request
    assert "hunter2secret" not in caplog.text
