"""Property-based fuzzing of the whole API from its own OpenAPI document, on SQLite and
PostgreSQL: no 5xx, and every answer (status, headers, body) matches what the document
declares.

Each run explores new cases: the seed is drawn per run unless
DENTAREVIEW_SCHEMATHESIS_SEED names one, and it is printed in the run's summary and in
any failure so that the failing run can be replayed exactly.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import positive_data_acceptance
from web3 import Web3

from dentareview.api.app import create_app
from dentareview.config import Settings
from dentareview.db.migrate import upgrade_database
from dentareview.services.deploy import deploy
from tests.reliability.figures import record
from tests.support.anvil import AnvilNode
from tests.support.databases import DatabaseKind, fresh_database

EXAMPLES_PER_OPERATION = 40  # per generation mode (schema-valid, schema-invalid)
SEED_VARIABLE = "DENTAREVIEW_SCHEMATHESIS_SEED"


def _seed() -> int:
    chosen = os.environ.get(SEED_VARIABLE, "").strip()
    return int(chosen) if chosen else secrets.randbelow(2**32)


SEED = _seed()  # one per run, shared by both databases
REPLAY = f"replay with {SEED_VARIABLE}={SEED}"


class Counts:
    def __init__(self) -> None:
        self.examples = 0
        self.failures = 0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DatabaseKind, str, Path]]:
    kind: DatabaseKind = request.param
    directory = tmp_path_factory.mktemp(f"fuzz-{kind}")
    with fresh_database(kind, directory) as url:
        yield kind, url, directory


@pytest.fixture(scope="module")
def fuzzed_app(
    anvil: AnvilNode, w3: Web3, database: tuple[DatabaseKind, str, Path]
) -> Iterator[tuple[DatabaseKind, FastAPI]]:
    kind, database_url, directory = database
    settings = Settings(
        rpc_url=anvil.rpc_url,
        data_dir=directory / "data",
        database_url=database_url,
        anchor_worker=False,
    )
    deploy(settings, w3)
    upgrade_database(database_url)
    yield kind, create_app(settings, run_anchor_worker=False)


def _fuzz(
    operation: schemathesis.APIOperation, mode: schemathesis.GenerationMode, counts: Counts
) -> None:
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.seed(SEED)
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case: schemathesis.Case) -> None:
        counts.examples += 1
        try:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])
        except BaseException:
            counts.failures += 1
            raise

    run()


def test_every_answer_matches_the_openapi_document(
    fuzzed_app: tuple[DatabaseKind, FastAPI],
) -> None:
    # Driven by hand: schemathesis's pytest plugin does not support this pytest yet.
    kind, app = fuzzed_app
    api_schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    # A body over the size limit is refused before it is read: 413, which the write
    # routes document (api/ratelimit.py), is a rejection of schema-invalid data too.
    rejection = api_schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    counts = Counts()
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode in schemathesis.GenerationMode:
            try:
                _fuzz(operation, mode, counts)
            except hypothesis.errors.Unsatisfiable:
                continue  # no schema-invalid input exists (e.g. no parameters at all)
            except Exception as error:  # noqa: BLE001 - gather every operation's failure
                failures.append(f"{operation.label} ({mode.value}): {error}")
    record(
        f"schemathesis_{kind}",
        examples=counts.examples,
        failures=counts.failures,
        examples_per_operation=EXAMPLES_PER_OPERATION,
        seed=SEED,
    )
    assert counts.examples > 0
    assert not failures, f"{kind}, seed {SEED} ({REPLAY}):\n\n" + "\n\n".join(failures)
