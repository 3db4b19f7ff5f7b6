"""`dentareview moderation`: the operator's flags, decisions and signals from the shell."""

from __future__ import annotations

import json

from dentareview.cli import app
from tests.api.conftest import database_url
from tests.api.system import System, new_wallet
from tests.api.test_moderation import OPERATOR, anchored_review, moderated
from tests.audit.helpers import runner

__all__ = ["database_url", "moderated"]


def _args(system: System) -> list[str]:
    return [
        "--data-dir", str(system.settings.data_dir),
        "--database-url", system.settings.resolved_database_url,
    ]  # fmt: skip


def test_flags_decide_and_signals_from_the_cli(moderated: System) -> None:
    system = moderated
    review = anchored_review(system)
    assert (
        system.client.post(
            f"/v1/reviews/{review['id']}/flags", json={"reason": "advertising"}
        ).status_code
        == 201
    )

    listed = runner.invoke(app, ["moderation", "flags", *_args(system)])
    assert listed.exit_code == 0, listed.output
    assert f"review {review['id']}: advertising" in listed.output

    stranger = runner.invoke(
        app,
        ["moderation", "decide", str(review["id"]), "--action", "remove", "--reason",
         "advertising", "--operator", new_wallet().address, *_args(system)],
    )  # fmt: skip
    assert stranger.exit_code == 1 and "not one of the service's operators" in stranger.output

    decided = runner.invoke(
        app,
        ["moderation", "decide", str(review["id"]), "--action", "remove", "--reason",
         "advertising", "--note", "a discount code", "--operator", OPERATOR.address,
         *_args(system)],
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert "1 flag(s) resolved" in decided.output
    shown = system.client.get(f"/v1/reviews/{review['id']}").json()
    assert shown["state"] == "removed" and shown["decisions"][0]["note"] == "a discount code"

    signals = runner.invoke(
        app, ["moderation", "signals", review["dentist"].address, "--json", *_args(system)]
    )
    assert signals.exit_code == 0, signals.output
    names = [s["name"] for s in json.loads(signals.stdout)["signals"]]
    assert names == ["new_wallets", "burst", "rating_shift"]
