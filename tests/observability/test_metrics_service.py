"""`/metrics` scraped from the real service (`dentareview serve --workers 2` on Anvil
and PostgreSQL): the counters match what was done, summed over both worker processes,
and no label carries anything but a bounded value."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hexbytes import HexBytes
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from dentareview.api.app import create_app
from dentareview.db.models import ReviewRow
from dentareview.observability.dependencies import BATCH_METHOD, rpc_method
from dentareview.observability.http import KNOWN_CODES, KNOWN_METHODS, UNKNOWN_CODE
from dentareview.observability.metrics import (
    INTAKE_KINDS,
    NEWS_CHANNELS,
    NEWS_OUTCOMES,
    OTHER_RPC_METHOD,
    UNMATCHED_ROUTE,
    WITHHELD_LIMITS,
    WRITER_KINDS,
)
from tests.api.system import new_wallet
from tests.reliability.service import Service, Stack, postgres_stack, running
from tests.support.anvil import AnvilNode, free_port

REVIEWS = 5
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(scope="module")
def own_chain() -> Iterator[AnvilNode]:
    node = AnvilNode()
    node.start()
    yield node
    node.stop()


@pytest.fixture(scope="module")
def stack(own_chain: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("data")
    with postgres_stack(own_chain, data_dir) as stack:
        yield stack


@pytest.fixture(scope="module")
def service(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    log = tmp_path_factory.mktemp("logs") / "service.log"
    service = Service(stack.env(DENTAREVIEW_METRICS_PORT=str(free_port())), workers=2, log_path=log)
    with running(service):
        yield service


@pytest.fixture(scope="module")
def traffic(stack: Stack, service: Service) -> dict[str, Any]:
    """Real traffic: REVIEWS reviews accepted and anchored, and a few refusals."""
    dentist = stack.new_dentist()
    patients = [new_wallet() for _ in range(REVIEWS)]
    visits = [stack.signed_visit(dentist, patient) for patient in patients]
    with httpx.Client(base_url=service.url, timeout=30) as client:
        for visit in visits:
            assert client.post("/v1/visits", json=visit).status_code == 201
        bodies = [
            stack.signed_review(patient, visit["message"])
            for patient, visit in zip(patients, visits, strict=True)
        ]
        for body in bodies:
            assert client.post("/v1/reviews", json=body).status_code == 202, service.log()
        # Refusals: a second review of a visit, a text too short, an unknown visit.
        assert client.post("/v1/reviews", json=bodies[0]).status_code == 409
        short = stack.signed_review(patients[1], visits[1]["message"], text="Too short.")
        assert client.post("/v1/reviews", json=short).status_code == 422
        stranger = new_wallet()
        unknown = stack.signed_review(stranger, stack.signed_visit(dentist, stranger)["message"])
        assert client.post("/v1/reviews", json=unknown).status_code == 404
        # Paths with ids and a wallet in them, and one that matches no route.
        client.get(f"/v1/dentists/{dentist.address}")
        client.get(f"/v1/reviews/{visits[0]['message']['visitId']}")
        client.get(f"/nowhere/{dentist.address}?key=secret")
        assert client.get("/metrics").status_code == 404  # never on the public port
    stack.wait_all_anchored(timeout=60)
    _mine_until_final(stack)
    return {"dentist": dentist.address, "patients": [p.address for p in patients]}


def _mine_until_final(stack: Stack, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with stack.sessions() as session:
            unfinal = session.scalars(select(ReviewRow.id).where(ReviewRow.final.is_(False))).all()
        if not unfinal:
            return
        assert time.monotonic() < deadline, f"reviews {unfinal} not final"
        stack.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        time.sleep(0.3)


def _samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the series of `name` whose labels include `labels`."""
    return sum(
        value
        for (sample, found), value in samples.items()
        if sample == name and set(labels.items()) <= set(found)
    )


@pytest.fixture(scope="module")
def scrape(stack: Stack, service: Service, traffic: dict[str, Any]) -> str:
    port = service.env["DENTAREVIEW_METRICS_PORT"]
    # The anchored histograms are observed in the pass that anchors; wait for the final ones.
    deadline = time.monotonic() + 30
    while True:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        finals = _value(_samples(text), "dentareview_outbox_time_to_final_seconds_count")
        if finals >= REVIEWS or time.monotonic() > deadline:
            return text
        time.sleep(0.3)


def test_the_counters_match_what_was_done(stack: Stack, scrape: str) -> None:
    samples = _samples(scrape)
    value = lambda name, **labels: _value(samples, name, **labels)  # noqa: E731
    assert value("dentareview_intake_accepted_total", kind="visit") == REVIEWS
    assert value("dentareview_intake_accepted_total", kind="review") == REVIEWS
    refused = "dentareview_intake_refused_total"
    assert value(refused, kind="review", code="DUPLICATE_REVIEW") == 1
    assert value(refused, kind="review", code="TEXT_TOO_SHORT") == 1
    assert value(refused, kind="review", code="VISIT_NOT_FOUND") == 1
    requests = "dentareview_http_requests_total"
    assert value(requests, method="POST", route="/v1/reviews", status="202") == REVIEWS
    assert value(requests, method="POST", route="/v1/visits", status="201") == REVIEWS
    assert value("dentareview_http_request_duration_seconds_count", route="/v1/reviews") == (
        REVIEWS + 3
    )
    assert value("dentareview_outbox_time_to_anchored_seconds_count", kind="review") == REVIEWS
    assert value("dentareview_outbox_time_to_final_seconds_count", kind="review") == REVIEWS
    assert value("dentareview_chain_transactions_sent_total", kind="review") == REVIEWS
    assert value("dentareview_chain_transactions_reverted_total") == 0
    assert value("dentareview_rewards_minted_total") == REVIEWS
    assert value("dentareview_outbox_waiting", kind="review") == 0
    assert value("dentareview_outbox_in_flight", kind="review") == 0
    assert value("dentareview_outbox_unfinal", kind="review") == 0
    assert value("dentareview_chain_sending_paused") == 0
    assert value("dentareview_chain_base_fee_wei") > 0
    assert value("dentareview_rpc_request_duration_seconds_count") > 0

    # Gas and fees: what the receipts of the anchoring transactions say, read from Anvil.
    with stack.sessions() as session:
        hashes = session.scalars(select(ReviewRow.tx_hash)).all()
    receipts = [stack.w3.eth.get_transaction_receipt(HexBytes(str(h))) for h in hashes]
    assert len(receipts) == REVIEWS
    assert value("dentareview_chain_gas_used_total", kind="review") == sum(
        int(r["gasUsed"]) for r in receipts
    )
    assert value("dentareview_chain_fees_paid_wei_total", kind="review") == sum(
        int(r["gasUsed"]) * int(r["effectiveGasPrice"]) for r in receipts
    )


def test_both_worker_processes_report_and_one_holds_the_lease(scrape: str) -> None:
    held = [
        (dict(labels), value)
        for (name, labels), value in _samples(scrape).items()
        if name == "dentareview_worker_lease_held"
    ]
    assert len({labels["pid"] for labels, _ in held}) == 2, held  # one series per worker
    assert sorted(value for _, value in held) == [0, 1]
    assert _value(_samples(scrape), "dentareview_worker_lease_takeovers_total") == 1


def test_every_label_value_is_bounded_and_nothing_identifying_appears(
    stack: Stack, service: Service, scrape: str, traffic: dict[str, Any]
) -> None:
    app = create_app(stack.settings, run_anchor_worker=False)
    routes = {getattr(route, "path", "") for route in app.routes} | {UNMATCHED_ROUTE}
    routes |= set(app.openapi()["paths"])  # the routes of the included routers
    http_methods = KNOWN_METHODS | {"OTHER"}
    allowed = {
        "route": lambda v: v in routes,
        "status": lambda v: re.fullmatch(r"[1-5][0-9][0-9]", v) is not None,
        "code": lambda v: v in KNOWN_CODES | {UNKNOWN_CODE},
        "kind": lambda v: v in set(WRITER_KINDS) | set(INTAKE_KINDS),
        "limit": lambda v: v in set(WITHHELD_LIMITS) | {"OTHER"},
        "channel": lambda v: v in NEWS_CHANNELS,
        "outcome": lambda v: v in NEWS_OUTCOMES,
        "host": lambda v: v == socket.gethostname()[:64],
        "pid": lambda v: v.isdigit(),
        "le": lambda v: v == "+Inf" or float(v) >= 0,
        "method": lambda v: (
            v in http_methods or v in (BATCH_METHOD, OTHER_RPC_METHOD) or rpc_method(v) == v
        ),
    }
    for (name, labels), _ in _samples(scrape).items():
        assert name.startswith("dentareview_"), name
        for label, value in labels:
            assert allowed[label](value), f"{name}: {label}={value!r}"
            assert re.search(r"[0-9a-f]{16}", value) is None  # no hex id of any kind
    lowered = scrape.lower()
    for address in [traffic["dentist"], *traffic["patients"]]:
        assert address.lower()[2:] not in lowered
    assert "0x" not in lowered
    assert "http://" not in lowered and "https://" not in lowered and "secret" not in lowered
    port = service.env["DENTAREVIEW_METRICS_PORT"]
    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 404
