"""Crash points for the reliability tests: SIGKILL this process at a named step.

Inert unless the environment variable DENTAREVIEW_CRASH_AT names a step. The tests
start the service as a subprocess with it set, let it die exactly there (as a power
cut would), restart it without it, and check that every review ends anchored once.
"""

from __future__ import annotations

import os
import signal
from typing import Final, Literal

CRASH_AT_VARIABLE: Final = "DENTAREVIEW_CRASH_AT"

# In the order the anchorer reaches them (see anchoring/outbox.py).
CrashStep = Literal["signed", "noted", "sent_one", "sent_half", "sent", "mined"]
CRASH_STEPS: Final[tuple[CrashStep, ...]] = ("signed", "noted", "sent_one", "sent", "mined")
# Steps only some tests select: "sent_half" (half of a pass's pipeline broadcast).
OTHER_STEPS: Final[tuple[CrashStep, ...]] = ("sent_half",)


def crash_point(step: CrashStep) -> None:
    if os.environ.get(CRASH_AT_VARIABLE) == step:
        os.kill(os.getpid(), signal.SIGKILL)
