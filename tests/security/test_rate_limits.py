"""429 RATE_LIMITED with Retry-After, per client IP and per signing wallet, on the
write endpoints only; the limits are settings and 0 switches one off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.api.ratelimit import TokenBuckets, WriteLimits
from dentareview.config import Settings
from tests.api.system import System, new_wallet
from tests.reliability.figures import codes_of, record
from tests.security.conftest import custom_system
from tests.support.anvil import AnvilNode


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited(anvil: AnvilNode, w3: Web3, tmp_path: Path) -> Iterator[System]:
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        rate_limit_ip_per_minute=60,
        rate_limit_ip_burst=4,
        rate_limit_wallet_per_minute=0,
    ) as system:
        yield system


def _answers(responses: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    return [(r.status_code, r.json()) for r in responses]


def test_the_limits_are_settings_and_zero_switches_one_off(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        rate_limit_ip_per_minute=0,
        rate_limit_wallet_per_minute=30,
        rate_limit_wallet_burst=5,
    )
    limits: WriteLimits = create_app(settings, run_anchor_worker=False).state.write_limits
    assert not limits.ip.enabled and limits.wallet.enabled
    assert all(limits.wallet.take("0xabc") == 0 for _ in range(5))
    assert limits.wallet.take("0xabc") == pytest.approx(2.0, abs=0.01)  # 30 a minute: one per 2 s
    assert Settings().rate_limit_ip_per_minute > 0 and Settings().rate_limit_wallet_per_minute > 0


def test_a_client_address_over_its_burst_gets_429_with_retry_after(limited: System) -> None:
    clock = FakeClock()
    limits: WriteLimits = limited.client.app.state.write_limits  # type: ignore[attr-defined]
    limits.ip = TokenBuckets(per_minute=60, burst=4, clock=clock)
    dentist = limited.new_dentist()
    responses = [
        limited.post_visit(dentist, limited.visit_message(dentist, new_wallet())) for _ in range(6)
    ]
    reads = [limited.client.get("/v1/chain").status_code for _ in range(10)]
    clock.now += 1.0  # one token back at one a second
    after_wait = limited.post_visit(dentist, limited.visit_message(dentist, new_wallet()))
    answers = _answers(responses)
    record(
        "rate_limit_per_ip",
        requests=len(responses) + 1,
        answers=codes_of(answers),
        accepted=sum(s == 201 for s, _ in answers) + int(after_wait.status_code == 201),
    )
    assert [status for status, _ in answers] == [201] * 4 + [429] * 2
    assert answers[4][1]["error"]["code"] == "RATE_LIMITED"
    assert responses[4].headers["Retry-After"] == "1"
    assert reads == [200] * 10  # reads are not limited
    assert after_wait.status_code == 201


def test_a_wallet_over_its_burst_is_limited_and_cannot_spend_anothers(
    anvil: AnvilNode, w3: Web3, tmp_path: Path
) -> None:
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        rate_limit_wallet_per_minute=6,
        rate_limit_wallet_burst=2,
    ) as system:
        busy, quiet, forger = system.new_dentist(), system.new_dentist(), new_wallet()
        busy_answers = [
            system.post_visit(busy, system.visit_message(busy, new_wallet())) for _ in range(3)
        ]
        # Visits naming `quiet` but signed by someone else count against the signer.
        forged = [
            system.post_visit(forger, system.visit_message(quiet, new_wallet())) for _ in range(3)
        ]
        quiet_answers = [
            system.post_visit(quiet, system.visit_message(quiet, new_wallet())) for _ in range(2)
        ]
    answers = _answers(busy_answers + forged + quiet_answers)
    record(
        "rate_limit_per_wallet",
        requests=len(answers),
        answers=codes_of(answers),
        accepted=sum(s == 201 for s, _ in answers),
    )
    assert [r.status_code for r in busy_answers] == [201, 201, 429]
    assert int(busy_answers[2].headers["Retry-After"]) == 10  # 6 a minute
    assert [r.json()["error"]["code"] for r in forged] == [
        "INVALID_SIGNATURE",
        "INVALID_SIGNATURE",
        "RATE_LIMITED",
    ]
    assert [r.status_code for r in quiet_answers] == [201, 201]


def test_a_patient_over_the_wallet_burst_is_limited(
    anvil: AnvilNode, w3: Web3, tmp_path: Path
) -> None:
    with custom_system(
        anvil,
        w3,
        tmp_path / "data",
        f"sqlite:///{tmp_path / 'd.db'}",
        rate_limit_wallet_per_minute=1,
        rate_limit_wallet_burst=2,
    ) as system:
        patient = new_wallet()
        # Three dentists, one visit each: only the patient goes over the burst.
        visits = [system.attested_visit(system.new_dentist(), patient) for _ in range(3)]
        statuses = [
            system.post_review(patient, system.review_message(visit)).status_code
            for visit in visits
        ]
    assert statuses == [202, 202, 429]
