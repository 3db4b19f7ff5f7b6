"""The intake's database work, per review, through the service's session and through the
bare driver: how much of the route's CPU SQLAlchemy adds.

Both paths run the same three statements the route runs (`db/queries/reviews.py`: the
visit with its review check and the patient's lock, the reward history, the review and
its payment in one INSERT) and the commit, on PostgreSQL with the real schema. The
driver path executes the statements as SQLAlchemy compiles them for PostgreSQL, on a
plain psycopg connection with prepared statements: the floor of the database work as
seen from Python. Writes bench/results/intake_sql.md.

Run: python -m bench.profile.intake_sql [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.scale.common import REWARD, Wallet, insert_dentists, insert_visits, signed_pair
from dentareview.db.migrate import upgrade_database
from dentareview.db.queries import reviews as review_queries
from dentareview.db.queries.reviews import (
    NewReview,
    add_pending_review,
    reward_history,
    visit_for_review,
)
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.models import Eip712Domain
from tests.support.anvil import PROJECT_ROOT
from tests.support.databases import fresh_postgres_schema

RESULT = PROJECT_ROOT / "bench" / "results" / "intake_sql.md"
COMMAND = "python -m bench.profile.intake_sql"
DAY = 86_400


def _new_review(pair: Any, now: int) -> NewReview:
    return NewReview(
        visit_id="0x" + pair.visit.visit_id.hex(), digest="0x" + pair.digest.hex(),
        patient=pair.visit.patient, dentist=pair.visit.dentist, rating=5, treatment=4,
        bedside=5, wait_time=3, text=pair.review.text, deadline=pair.review.deadline,
        signature="0x" + pair.review_signature.hex(), rewardable=True,
        reward_withheld_code=None, reward_withheld_reason=None, submitted_at=now,
    )


def _through_session(engine: Engine, now: int) -> Callable[[Any], None]:
    sessions = make_session_factory(engine)

    def one(pair: Any) -> None:
        with sessions() as session:
            _work(session, pair, now)
            session.commit()

    return one


def _work(session: Session, pair: Any, now: int) -> None:
    target = visit_for_review(session, visit_id="0x" + pair.visit.visit_id.hex())
    assert target is not None and not target.reviewed
    reward_history(
        session, patient=target.patient, dentist=target.dentist,
        same_dentist_since=now - 30 * DAY, patient_since=now - 7 * DAY, dentist_since=now - DAY,
    )
    assert add_pending_review(session, review=_new_review(pair, now), reward_amount=REWARD)


def _through_driver(engine: Engine, dsn: str, now: int) -> Callable[[Any], None]:
    """The same statements as compiled for PostgreSQL, on a bare psycopg connection."""
    dialect = engine.dialect
    compiled = {
        name: statement.compile(dialect=dialect)
        for name, statement in (
            ("visit", review_queries._VISIT_FOR_REVIEW["postgresql"]),
            ("history", review_queries._REWARD_HISTORY),
            ("insert", review_queries._INSERT_REWARDED_REVIEW),
        )
    }
    connection = psycopg.connect(dsn)

    def run(name: str, params: dict[str, Any]) -> list[Any]:
        statement = compiled[name]
        values = statement.construct_params(params)
        for column in statement.insert_prefetch:  # Python-side defaults, as Core fills them
            if values.get(column.key) is None and column.default is not None:
                values[column.key] = getattr(column.default, "arg", None)
        return connection.execute(str(statement), values, prepare=True).fetchall()

    def one(pair: Any) -> None:
        visit_id = "0x" + pair.visit.visit_id.hex()
        (found,) = run("visit", {"visit_id": visit_id})
        patient, dentist = found[0], found[1]
        run("history", {"patient": patient, "dentist": dentist,
                        "patient_since": now - 30 * DAY, "dentist_since": now - DAY})
        values = _new_review(pair, now).params()
        assert run("insert", {**values, "reward_amount": Decimal(REWARD)})
        connection.commit()

    return one


def _timed(one: Callable[[Any], None], pairs: list[Any]) -> tuple[float, float]:
    """Median CPU and wall milliseconds per review (after a warm-up of 50)."""
    for pair in pairs[:50]:
        one(pair)
    cpu, wall = [], []
    for pair in pairs[50:]:
        cpu_0, wall_0 = time.process_time(), time.perf_counter()
        one(pair)
        cpu.append(time.process_time() - cpu_0)
        wall.append(time.perf_counter() - wall_0)
    return statistics.median(cpu) * 1000, statistics.median(wall) * 1000


def main(reviews: int) -> str:
    domain = Eip712Domain(chain_id=31337, verifying_contract="0x" + "11" * 20)
    now = int(time.time())
    dentists = [Wallet() for _ in range(20)]
    pairs = [
        signed_pair(domain, dentists[i % 20], visited_at=now - DAY, deadline=now + 3600)
        for i in range(2 * reviews)
    ]
    with fresh_postgres_schema() as url:
        upgrade_database(url)
        engine = make_engine(url)
        with Session(engine) as session:
            insert_dentists(session, [d.address for d in dentists], now)
            insert_visits(session, pairs, now)
            session.commit()
        url_params = engine.url.translate_connect_args(username="user", database="dbname")
        dsn = psycopg.conninfo.make_conninfo(
            **{k: str(v) for k, v in url_params.items()}, **engine.url.query
        )
        session_ms = _timed(_through_session(engine, now), pairs[:reviews])
        driver_ms = _timed(_through_driver(engine, dsn, now), pairs[reviews:])
        engine.dispose()
    text = (
        f"# The intake's database work per review\n\nCommand: `{COMMAND} {reviews}` "
        f"({os.cpu_count()} CPUs). The three statements of POST /v1/reviews and the "
        "commit, on PostgreSQL with the real schema; medians over "
        f"{reviews - 50} reviews after a warm-up of 50.\n\n"
        "| path | CPU ms per review (this process) | wall ms per review |\n"
        "|---|---:|---:|\n"
        f"| the service's session (SQLAlchemy, statements built once) | "
        f"{session_ms[0]:.2f} | {session_ms[1]:.2f} |\n"
        f"| the same SQL on a bare psycopg connection, prepared | "
        f"{driver_ms[0]:.2f} | {driver_ms[1]:.2f} |\n"
    )
    RESULT.write_text(text)
    return text


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
