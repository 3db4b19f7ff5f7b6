"""The `dentareview` command."""

from __future__ import annotations

import typer

from dentareview.cli.auditor import audit_command, verify_command
from dentareview.cli.contracts import verify_contracts_command
from dentareview.cli.dentists import dentist_app
from dentareview.cli.deploy import deploy_command
from dentareview.cli.moderation import moderation_app
from dentareview.cli.reputation import reputation_app
from dentareview.cli.service import anchor_command, migrate_command, serve_command
from dentareview.cli.visit_keys import visit_key_app
from dentareview.cli.visits import visit_app

app = typer.Typer(
    name="dentareview",
    help=(
        "DentaReview: verified dental reviews anchored on Ethereum.\n\n"
        "Configuration comes from DENTAREVIEW_* environment variables, overridden by flags. "
        "The default operator key is Anvil's well-known development key: public, for a "
        "local chain only."
    ),
    no_args_is_help=True,
    add_completion=False,
)
app.command("deploy")(deploy_command)
app.add_typer(dentist_app, name="dentist")
app.add_typer(visit_app, name="visit")
app.add_typer(visit_key_app, name="visit-key")
app.command("migrate")(migrate_command)
app.command("serve")(serve_command)
app.command("anchor")(anchor_command)
app.command("verify")(verify_command)
app.command("verify-contracts")(verify_contracts_command)
app.command("audit")(audit_command)
app.add_typer(moderation_app, name="moderation")
app.add_typer(reputation_app, name="reputation")
