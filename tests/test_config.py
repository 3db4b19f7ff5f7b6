"""Settings: the policy's rules are stated once, in the domain, and set from the environment."""

from __future__ import annotations

from dataclasses import fields

import pytest

from dentareview.config import POLICY_SETTINGS, Settings
from dentareview.domain.policy import PolicySettings
from dentareview.domain.ratings import RATING_MAX, RATING_MIN
from dentareview.relay.finality import Finality
from dentareview.relay.settings import RelaySettings


def test_the_policy_settings_default_to_the_policys_defaults() -> None:
    assert Settings().policy() == PolicySettings()


def test_every_policy_rule_but_the_rating_scale_is_a_setting() -> None:
    rules = {f.name for f in fields(PolicySettings)}
    assert set(POLICY_SETTINGS) == rules - {"rating_min", "rating_max"}


def test_each_policy_setting_reaches_the_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = PolicySettings()
    for name in POLICY_SETTINGS:
        monkeypatch.setenv(f"DENTAREVIEW_{name.upper()}", str(getattr(defaults, name) + 1))
    policy = Settings().policy()
    for name in POLICY_SETTINGS:
        assert getattr(policy, name) == getattr(defaults, name) + 1, name


def test_the_rating_scale_is_the_registrys() -> None:
    policy = Settings().policy()
    assert (policy.rating_min, policy.rating_max) == (RATING_MIN, RATING_MAX) == (1, 5)


def test_the_relay_policy_defaults_are_the_settings_defaults() -> None:
    assert RelaySettings() == RelaySettings.from_settings(Settings())


def test_each_relay_setting_reaches_the_relay_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DENTAREVIEW_FINALITY", "safe")
    monkeypatch.setenv("DENTAREVIEW_MAX_FEE_PER_GAS_GWEI", "7")
    monkeypatch.setenv("DENTAREVIEW_REPLACE_AFTER_SECONDS", "9")
    monkeypatch.setenv("DENTAREVIEW_FEE_BUMP_PERCENT", "33")
    monkeypatch.setenv("DENTAREVIEW_RECEIPT_TIMEOUT_SECONDS", "4")
    policy = RelaySettings.from_settings(Settings())
    assert policy.finality == Finality.parse("safe")
    assert (policy.max_fee_per_gas, policy.replace_after_seconds) == (7 * 10**9, 9)
    assert (policy.fee_bump_percent, policy.receipt_timeout_seconds) == (33, 4)
