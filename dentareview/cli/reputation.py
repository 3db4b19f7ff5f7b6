"""`dentareview reputation rebuild`: recompute the stored reputation totals."""

from __future__ import annotations

import typer

from dentareview.cli.common import (
    fail,
    with_settings,
)
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.reputation_rebuild import RelayBusy, rebuild_reputation

reputation_app = typer.Typer(help="Maintain the stored reputation totals.", no_args_is_help=True)


@reputation_app.command("rebuild")
@with_settings("data_dir", "database")
def rebuild_command(settings: Settings) -> None:
    """Recompute every dentist's reputation totals from the anchored reviews (they are
    otherwise kept up to date as reviews are anchored); safe while the service runs."""
    upgrade_database(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        dentists = rebuild_reputation(engine, make_session_factory(engine))
    except RelayBusy as error:
        raise fail(str(error)) from error
    finally:
        engine.dispose()
    typer.echo(f"rebuilt the reputation totals of {dentists} dentists")
