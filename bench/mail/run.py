"""Invitation emails a second to a local SMTP server.

Starts its own Anvil, contracts and the service (SQLite) in this process, and a real
SMTP server (aiosmtpd, as the tests use). Per round, a fresh practice attests 200 visits
with an email each through `POST /v1/visits` (which queues one invitation each); then the
service's delivery passes (`deliver_invitations`, what the service's background loop
runs) send them all, each email built in the practice's name with its short link and
QR code and handed to the server over its own SMTP connection. Emails a second is the
round's count over the wall time of those passes, until the server holds them all.

Writes bench/results/mail.json and mail.md.

Run from the repository root:
    python -m bench.mail.run [--visits 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from web3 import Web3

from dentareview.services.invitation_mail import deliver_invitations
from tests.api.conftest import start_system
from tests.api.system import System, new_wallet
from tests.support.anvil import AnvilNode
from tests.support.smtp import SmtpServer
from tests.support.wallet import sign_typed

RESULTS = Path(__file__).resolve().parents[1] / "results"
COMMAND = "python -m bench.mail.run"


def _queue(system: System, visits: int) -> None:
    dentist = system.new_dentist("Harbour Dental")
    eip712 = system.eip712()
    for number in range(visits):
        message = system.visit_message(dentist, new_wallet())
        signature = sign_typed(dentist, eip712, "Visit", message)
        body = {"message": message, "signature": signature, "email": f"p{number}@example.org"}
        response = system.client.post("/v1/visits", json=body)
        assert response.status_code == 201, response.text


def _round(system: System, smtp: SmtpServer, visits: int) -> float:
    before = len(smtp.messages)
    _queue(system, visits)
    settings = system.settings.model_copy(update=smtp.settings_overrides())
    started = time.perf_counter()
    sent = 0
    while sent < visits:
        report = deliver_invitations(system.sessions, settings, now=int(time.time()))
        assert report.failed == 0, "the SMTP server refused mail"
        sent += report.sent.count("invitation")
    smtp.wait_for(before + visits, timeout=60)
    return visits / (time.perf_counter() - started)


def measure(visits: int, rounds: int) -> dict[str, Any]:
    node, smtp = AnvilNode(), SmtpServer()
    node.start()
    smtp.start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            data = Path(directory)
            systems = start_system(
                node.rpc_url,
                Web3(Web3.HTTPProvider(node.rpc_url)),
                data / "data",
                f"sqlite:///{data / 'bench.db'}",
            )
            system = next(systems)
            try:
                rates = [_round(system, smtp, visits) for _ in range(rounds)]
            finally:
                systems.close()
    finally:
        smtp.stop()
        node.stop()
    return {
        "command": COMMAND,
        "visits_per_round": visits,
        "emails_per_second": [round(rate, 1) for rate in rates],
        "median_emails_per_second": round(statistics.median(rates), 1),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def render(result: dict[str, Any]) -> str:
    rates = ", ".join(f"{rate:.1f}" for rate in result["emails_per_second"])
    return "\n".join(
        [
            "# Invitation emails a second",
            "",
            f"Command: `{result['command']}`",
            "",
            f"{result['visits_per_round']} invitations a round, each built (practice's name, short "
            "link, QR code, plain text and HTML) and sent over its own SMTP connection to a "
            "local aiosmtpd server by the service's delivery passes.",
            "",
            "| median emails/s | rounds |",
            "|---:|---|",
            f"| {result['median_emails_per_second']:.1f} | {rates} |",
            "",
            f"Load average at the end: {result['load_average']} (2 cores).",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    result = measure(args.visits, args.rounds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mail.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "mail.md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()
