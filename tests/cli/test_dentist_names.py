"""`dentareview dentist add|rename|names`: the CLI refuses deceptive and look-alike names
with the API's codes before any transaction, never renames silently, and records each
rename with the admin's account, when, the old and new name and why."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from dentareview.chain.registry import OnChainDentistStatus
from dentareview.cli import app
from dentareview.config import Settings
from dentareview.db.models import DentistRow, NameDecisionRow
from dentareview.db.session import make_engine, make_session_factory
from dentareview.services.chain_access import ChainGateway
from tests.api.conftest import database_url
from tests.api.system import new_wallet
from tests.audit.helpers import runner
from tests.support.anvil import AnvilNode, dev_account

__all__ = ["database_url"]

REASON = "The practice was sold; the new owner trades under this name."


def test_the_cli_vets_names_and_records_renames(
    anvil: AnvilNode, tmp_path: Path, database_url: str
) -> None:
    db = ["--data-dir", str(tmp_path), "--database-url", database_url]
    common = ["--rpc-url", anvil.rpc_url, *db]
    assert runner.invoke(app, ["deploy", *common[:4]]).exit_code == 0
    harbour, newcomer = new_wallet().address, new_wallet().address

    added = runner.invoke(app, ["dentist", "add", harbour, "--name", " Harbour  Dental", *common])
    assert added.exit_code == 0, added.output
    assert f"dentist {harbour} (Harbour Dental): registered in tx 0x" in added.output

    for name, code in (
        ("HARBOUR DENTAL", "NAME_CONFUSABLE"),
        ("Harb0ur DentaI", "NAME_CONFUSABLE"),
        ("H\u0430rbour Dental", "NAME_MIXED_SCRIPT"),
        ("Harbour\u202e Dental", "NAME_BIDI_CONTROL"),
        ("Harbour\u200d Dental", "NAME_INVISIBLE_CHARACTERS"),
        ("Harbour\x1b[31m Dental", "NAME_CONTROL_CHARACTERS"),
        ("\u3000 \u2800", "NAME_BLANK"),
        ("<script>alert(1)</script>", "NAME_MARKUP"),
    ):
        refused = runner.invoke(app, ["dentist", "add", newcomer, "--name", name, *common])
        assert refused.exit_code == 1, (name, refused.output)
        assert f"error: {code}: " in refused.output, (name, refused.output)
    settings = Settings(rpc_url=anvil.rpc_url, data_dir=tmp_path)
    registry = ChainGateway(settings).deployment().registry
    assert registry.dentist_status(newcomer) is OnChainDentistStatus.UNREGISTERED  # none sent

    silent = runner.invoke(app, ["dentist", "add", harbour, "--name", "Evil Twin", *common])
    assert silent.exit_code == 1
    assert "RENAME_REQUIRES_REASON" in silent.output and "dentist rename" in silent.output

    rename = ["dentist", "rename", harbour, "Harbour Dental Care"]
    missing = runner.invoke(app, [*rename, *db])
    assert missing.exit_code == 2 and "Missing option" in missing.output
    blank = runner.invoke(app, [*rename, "--reason", " ", *db])
    assert blank.exit_code == 1 and "error: RENAME_REASON_INVALID: " in blank.output
    same = runner.invoke(
        app, ["dentist", "rename", harbour, "Harbour Dental", "--reason", REASON, *db]
    )
    assert same.exit_code == 1 and "error: NAME_UNCHANGED: " in same.output

    admin = dev_account(0).address  # the operator key, admin too on a local chain
    done = runner.invoke(app, [*rename, "--reason", REASON, *db])
    assert done.exit_code == 0, done.output
    assert f"renamed from 'Harbour Dental' to 'Harbour Dental Care' by {admin}" in done.output
    listed = runner.invoke(app, ["dentist", "names", *db])
    assert listed.exit_code == 0, listed.output
    assert f"'Harbour Dental' -> 'Harbour Dental Care' by {admin} (cli): {REASON}" in (
        listed.output
    )

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            row = session.get(DentistRow, harbour)
            assert row is not None and row.name == "Harbour Dental Care"
            assert session.get(DentistRow, newcomer) is None
            decisions = session.scalars(select(NameDecisionRow)).all()
            assert [
                (d.dentist, d.old_name, d.new_name, d.reason, d.decided_by, d.channel)
                for d in decisions
            ] == [(harbour, "Harbour Dental", "Harbour Dental Care", REASON, admin, "cli")]
    finally:
        engine.dispose()
