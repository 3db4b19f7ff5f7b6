"""Settings: the policy's rules are stated once, in the domain, and set from the environment."""

from __future__ import annotations

from dataclasses import fields

import pytest

from dentareview.config import POLICY_SETTINGS, Settings
from dentareview.domain.policy import PolicySettings
from dentareview.domain.ratings import RATING_MAX, RATING_MIN


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
