"""The operator's relay settings, as one value the workers are given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dentareview.config import Settings
from dentareview.relay.finality import Finality


def _default(name: str) -> Any:
    """The setting's own default: each relay default is stated once, in Settings."""
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class RelaySettings:
    finality: Finality = field(default_factory=lambda: Finality.parse(_default("finality")))
    max_fee_per_gas: int = int(_default("max_fee_per_gas_gwei") * 10**9)
    replace_after_seconds: float = _default("replace_after_seconds")
    fee_bump_percent: int = _default("fee_bump_percent")
    receipt_timeout_seconds: float = _default("receipt_timeout_seconds")
    # Backoff of a review that cannot be anchored now: doubling from `backoff_min_seconds`.
    backoff_min_seconds: int = 5
    backoff_max_seconds: int = 600

    @classmethod
    def from_settings(cls, settings: Settings) -> RelaySettings:
        return cls(
            finality=Finality.parse(settings.finality),
            max_fee_per_gas=settings.max_fee_per_gas,
            replace_after_seconds=settings.replace_after_seconds,
            fee_bump_percent=settings.fee_bump_percent,
            receipt_timeout_seconds=settings.receipt_timeout_seconds,
        )

    def backoff(self, attempts: int) -> int:
        """Seconds to wait after the `attempts`-th failed attempt (1, 2, ...)."""
        exponent = min(max(attempts - 1, 0), 20)
        return int(min(self.backoff_min_seconds * 2**exponent, self.backoff_max_seconds))
