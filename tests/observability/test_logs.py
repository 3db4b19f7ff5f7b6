"""The service's logs: JSON lines with the request id, and nothing secret or personal.

The real `dentareview serve` runs as a subprocess (as in production, stderr to a file)
through sign-in, visits, reviews and their anchoring, then again on a node URL that
carries a token and does not answer. Its log file is then read line by line.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dentareview.api.app import create_app
from dentareview.api.request_id import HEADER
from dentareview.config import Settings
from dentareview.db.session import make_engine
from dentareview.observability.logging import (
    REQUEST_ID,
    RequestContext,
    make_formatter,
    make_handler,
)
from tests.api.system import new_wallet
from tests.reliability.service import Service, Stack, deployed_stack, running
from tests.support.anvil import AnvilNode, dev_account, free_port
from tests.support.databases import fresh_postgres_schema
from tests.support.siwe import signed_in

TOKEN = "FAKE-PROVIDER-TOKEN-5d1e08"
EMAIL = "jane.patient@example.org"
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Loggers whose every line is written while answering a request.
REQUEST_LOGGERS = ("uvicorn.access", "dentareview.api.routes", "dentareview.api.error_responses")


@pytest.fixture
def stack(anvil: AnvilNode, tmp_path: Path) -> Iterator[Stack]:
    with deployed_stack(anvil, tmp_path / "data", f"sqlite:///{tmp_path / 'db.sqlite'}") as s:
        yield s


def _lines(path: Path) -> list[dict[str, Any]]:
    """Every line of the log as JSON (a line that is not fails the test)."""
    records = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"line {number} is not JSON: {line!r}")
        assert isinstance(record, dict) and {"time", "level", "logger", "message"} <= set(record)
        records.append(record)
    return records


def _session_and_reviews(stack: Stack, service: Service) -> dict[str, Any]:
    """Sign-in, visits, a review (anchored), reads of the patient's own data; and a second
    visit whose review is kept for the failing node."""
    dentist, patient, second = stack.new_dentist(), new_wallet(), new_wallet()
    visit, later = stack.signed_visit(dentist, patient), stack.signed_visit(dentist, second)
    text = f"Friendly staff and a careful cleaning; write to me at {EMAIL} about the clinic."
    with httpx.Client(base_url=service.url, timeout=30) as client:
        for signed in (visit, later):
            assert client.post("/v1/visits", json=signed).status_code == 201
        review = stack.signed_review(patient, visit["message"], text=text)
        accepted = client.post("/v1/reviews", json=review)
        assert accepted.status_code == 202, accepted.text
        signed_in(client, patient)
        cookies = [cookie.value for cookie in client.cookies.jar]
        assert cookies, "signing in set no session cookie"
        stack.wait_all_anchored()
        assert client.get("/v1/me/rewards").status_code == 200
        assert client.get(f"/v1/patients/{patient.address}/rewards").status_code == 200
        client.get(f"/v1/visits/{EMAIL}/invitation")  # personal data in a path: refused
        client.get("/v1/dentists", params={"q": EMAIL, "wallet": patient.address})
        client.get(f"/no-such-page/{patient.address.lower()}")
    return {
        "patients": [patient.address, second.address],
        "later_review": stack.signed_review(second, later["message"]),
        "cookies": cookies,
        "review_id": accepted.json()["id"],
        "request_id": accepted.headers[HEADER],
    }


def _with_failing_node(stack: Stack, log_path: Path, review: dict[str, Any]) -> None:
    """A second service whose node URL holds a token and does not answer: the health
    check, a review taken while the chain is away, and the worker's failing passes."""
    dead = f"http://user:{TOKEN}@127.0.0.1:{free_port()}/v2/{TOKEN}?apikey={TOKEN}"
    env = stack.env(
        DENTAREVIEW_RPC_URL=dead,
        DENTAREVIEW_CHAIN_ID=str(stack.manifest.chain_id),
        DENTAREVIEW_RPC_TIMEOUT_SECONDS="1",
    )
    service = Service(env, workers=2, log_path=log_path)  # through the worker processes too
    with running(service), httpx.Client(base_url=service.url, timeout=30) as client:
        assert client.get("/health").status_code == 503
        answer = client.post("/v1/reviews", json=review)
        assert answer.status_code == 202, answer.text
        client.get("/v1/chain")
        deadline = time.monotonic() + 30
        while "anchoring held back" not in log_path.read_text():
            assert time.monotonic() < deadline, "the worker never said the chain is away"
            time.sleep(0.2)


def test_the_log_is_json_with_request_ids_and_holds_no_secret_or_personal_data(
    stack: Stack, tmp_path: Path
) -> None:
    log_path = tmp_path / "service.log"
    # The node answers at / whatever the credentials and query: a live URL with a token.
    live = f"http://user:{TOKEN}@{stack.chain.rpc_url.split('://', 1)[1]}/?apikey={TOKEN}"
    with running(Service(stack.env(DENTAREVIEW_RPC_URL=live), log_path=log_path)) as service:
        seen = _session_and_reviews(stack, service)
    _with_failing_node(stack, log_path, seen["later_review"])

    text = log_path.read_text()
    records = _lines(log_path)
    key = dev_account(0).key.hex().removeprefix("0x")
    forbidden = {
        "the operator's private key": key,
        "the node URL's token": TOKEN,
        **{f"patient {i}'s wallet": p[2:] for i, p in enumerate(seen["patients"])},
        **{f"session cookie {i}": c for i, c in enumerate(seen["cookies"])},
    }
    for what, value in forbidden.items():
        assert value.lower() not in text.lower(), f"the log holds {what}"
    assert not EMAIL_LIKE.search(text), EMAIL_LIKE.search(text)

    # Every line written while answering a request carries its id.
    from_requests = [r for r in records if r["logger"].startswith(REQUEST_LOGGERS)]
    assert len(from_requests) > 10
    without = [
        r for r in from_requests if not re.fullmatch(r"[0-9a-f]{32}", r.get("request_id", ""))
    ]
    assert not without, without
    access = [r for r in records if r["logger"] == "uvicorn.access"]
    assert {"/v1/patients/{address}/rewards", "<unmatched>"} <= {r["http_route"] for r in access}

    # A review followed from its request to its anchor.
    review_id, request_id = seen["review_id"], seen["request_id"]
    intake = [r for r in records if r.get("review_id") == review_id and "request_id" in r]
    assert [r["request_id"] for r in intake] == [request_id], intake
    anchored = [r for r in records if r.get("review_id") == review_id and "tx_hash" in r]
    assert anchored and "anchored" in anchored[-1]["message"], anchored
    # The failing node's worker said so (scrubbed: the token check above), outside requests.
    held_back = [r for r in records if r["message"].startswith("anchoring held back")]
    assert held_back and all("request_id" not in r for r in held_back), held_back


def test_in_batch_mode_a_review_is_followed_through_its_batch(stack: Stack, tmp_path: Path) -> None:
    log_path = tmp_path / "service.log"
    env = stack.env(DENTAREVIEW_ANCHOR_MODE="batch", DENTAREVIEW_BATCH_SECONDS="0")
    with running(Service(env, log_path=log_path)) as service:
        seen = _session_and_reviews(stack, service)
    records = _lines(log_path)
    review_id = seen["review_id"]
    intake = [r for r in records if r.get("review_id") == review_id]
    assert [r["request_id"] for r in intake] == [seen["request_id"]], intake
    built = [r for r in records if review_id in r.get("review_ids", [])]
    assert len(built) == 1, built
    anchored = [r for r in records if r.get("batch_id") == built[0]["batch_id"] and "tx_hash" in r]
    assert anchored and "anchored" in anchored[-1]["message"], anchored


def test_a_well_formed_request_id_is_kept_and_any_other_replaced(tmp_path: Path) -> None:
    settings = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path)
    with TestClient(create_app(settings, run_anchor_worker=False)) as client:
        kept = client.get("/v1/eip712", headers={HEADER: "edge-7f3a:0042.b"})
        assert kept.headers[HEADER] == "edge-7f3a:0042.b"
        made = client.get("/v1/eip712").headers[HEADER]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        bad_ids = ["short", "x" * 65, "with space 1234", "tab\tin-1234", "é" * 10, EMAIL]
        for bad in bad_ids:
            answer = client.get("/v1/eip712", headers={HEADER: bad.encode()})
            assert re.fullmatch(r"[0-9a-f]{32}", answer.headers[HEADER])
        # Errors carry it too (the id an operator is quoted), an unexpected one included.
        assert client.get("/v1/reviews/0").headers[HEADER]
        assert client.get("/no-such-page").headers[HEADER]


def test_an_unexpected_error_is_logged_and_answered_with_its_request_id(tmp_path: Path) -> None:
    settings = Settings(rpc_url=f"http://127.0.0.1:{free_port()}", data_dir=tmp_path)
    app = create_app(settings, run_anchor_worker=False)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom", boom)
    records: list[logging.LogRecord] = []
    handler = logging.Handler()  # as the service's: the filter runs when a line is written
    handler.addFilter(RequestContext())
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            answer = client.get("/boom", headers={HEADER: "trace-0001"})
    finally:
        root.removeHandler(handler)
    assert answer.status_code == 500
    assert answer.headers[HEADER] == "trace-0001"
    logged = [r for r in records if r.getMessage() == "unexpected error"]
    assert [getattr(r, "request_id", None) for r in logged] == ["trace-0001"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_error_is_logged_without_the_values_it_failed_on(
    backend: str, tmp_path: Path
) -> None:
    """The 500 handler logs the traceback: the SQL is shown, not the bound values (nor
    PostgreSQL's "Key (...)=(...)" detail) when they are a wallet or an email."""
    wallet = new_wallet().address
    with contextlib.ExitStack() as stack:
        url = (
            f"sqlite:///{tmp_path / 'db.sqlite'}"
            if backend == "sqlite"
            else stack.enter_context(fresh_postgres_schema())
        )
        engine = make_engine(url)
        stack.callback(engine.dispose)
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (who VARCHAR(100) UNIQUE)"))
            for value in (EMAIL, wallet):
                connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})
                connection.commit()
                with pytest.raises(IntegrityError) as raised:
                    connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})
                connection.rollback()
                out = io.StringIO()
                record = logging.LogRecord(
                    "x",
                    logging.ERROR,
                    __file__,
                    1,
                    "unexpected error",
                    None,
                    (IntegrityError, raised.value, raised.tb),
                )
                make_handler("json", out).handle(record)
                logged = json.loads(out.getvalue())["exc_info"]
                assert "INSERT INTO t" in logged
                assert value not in logged and value[2:].lower() not in logged.lower()


def test_text_lines_show_the_request_id_and_json_lines_leave_it_out_when_there_is_none() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "review %d accepted", (7,), None)
    assert json.loads(make_formatter("json").format(record))["message"] == "review 7 accepted"
    assert "request_id" not in json.loads(make_formatter("json").format(record))
    assert "[-] review 7 accepted" in make_formatter("text").format(record)
    token = REQUEST_ID.set("abc12345")
    try:
        RequestContext().filter(record)
        assert json.loads(make_formatter("json").format(record))["request_id"] == "abc12345"
        assert "[abc12345] review 7 accepted" in make_formatter("text").format(record)
    finally:
        REQUEST_ID.reset(token)
