"""Texts built to make a backtracking pattern run without end, and the checks that take
user text. Run as a script, it times each hostile text against one check, printing one
line per text as it finishes (tests/security/test_linear_time.py reads them with a
deadline, so a check that hangs is killed, not waited for)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import suppress

from dentareview.domain import phi, practice_names, replies, siwe, visit_csv
from dentareview.domain.policy import PolicySettings, check_text
from dentareview.errors import DentaReviewError

MAX_CHARS = phi.MAX_CHECKED_CHARS  # the longest text /v1/replies/check accepts


def fill(unit: str, length: int = MAX_CHARS) -> str:
    """`unit` repeated, cut to exactly `length` characters."""
    return (unit * (length // len(unit) + 1))[:length]


HOSTILE: dict[str, str] = {
    "digit run": "1" * MAX_CHARS,
    "digit runs and spaces": fill("1" * 60 + " "),  # the text that took 31 s at 121 chars
    "digits and spaces": fill("1 "),
    "digits and dashes": fill("1-"),
    "digits and dots": fill("1."),
    "digits and slashes": fill("1/"),
    "digits and parentheses": fill("(1"),
    "plus prefixes": fill("+1 "),
    "titles": fill("Mr "),
    "titles with dots": fill("Mrs. "),
    "greetings": fill("Dear "),
    "greetings and long words": fill("Dear " + "A" * 30 + " "),
    "month names": fill("March "),
    "month names and days": fill("March 3 "),
    "email-ish": fill("a@"),
    "email-ish with dots": fill("a.a@a."),
    "long capitalised word": "A" + "b" * (MAX_CHARS - 1),
    "possessives": fill("Sarah's "),
    "pronouns": fill("your "),
    "times": fill("at 1"),
    "you had": fill("you had "),
    "hex-ish": fill("0x"),
    "uri characters": fill("a:/"),
}

# Prose of the same length: the linear cost every hostile text is measured against.
BENIGN = fill("Thank you for the kind words; the whole team was glad to read them. ")

_SIWE_HEADER = "{} wants you to sign in with your Ethereum account:\n"
_SIWE_BODY = (
    "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\nI accept.\n\nURI: https://service.org\n"
    "Version: 1\nChain ID: 1\nNonce: 32891756\nIssued At: 2021-09-30T16:25:24Z\n"
)


def _refused(check: Callable[[str], object]) -> Callable[[str], None]:
    """The check, with a refusal counted as an answer: only the time matters here."""

    def run(text: str) -> None:
        with suppress(DentaReviewError, ValueError):
            check(text)

    return run


# Every public check that matches patterns on text a user sends.
CHECKS: dict[str, Callable[[str], None]] = {
    "reply PHI check": _refused(phi.check_reply_text),
    "review text policy": _refused(lambda text: check_text(text, PolicySettings())),
    "reply text policy": _refused(lambda text: replies.check_reply_text(text, PolicySettings())),
    "SIWE domain": _refused(lambda text: siwe.parse_siwe(_SIWE_HEADER.format(text) + _SIWE_BODY)),
    "SIWE resource": _refused(
        lambda text: siwe.parse_siwe(
            _SIWE_HEADER.format("service.org") + _SIWE_BODY + "Resources:\n- " + text
        )
    ),
    "visits CSV": _refused(visit_csv.parse_visits_csv),
    "practice name": _refused(practice_names.practice_name),
    "rename reason": _refused(practice_names.rename_reason),
}


def seconds(check: Callable[[str], None], text: str) -> float:
    started = time.perf_counter()
    check(text)
    return time.perf_counter() - started


if __name__ == "__main__":
    check = CHECKS[sys.argv[1]]
    print("ready", flush=True)
    for name, text in HOSTILE.items():
        print(f"{seconds(check, text):.6f} {name}", flush=True)
