"""Profile POST /v1/reviews in process (pyinstrument) on PostgreSQL and a real Anvil.

Visits are attested first; only the review posts are profiled. Prints the call tree
and writes bench/results/intake_profile.txt.  Run: python -m bench.profile.intake [N]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyinstrument import Profiler
from web3 import Web3

from bench.profile import repository_relative
from bench.scale.common import anvil_node, settings_for
from dentareview.api.app import create_app
from dentareview.api.convert import review_from_wire, signature_from_wire
from dentareview.api.ratelimit import WriteLimits
from dentareview.api.schemas import SignedReview
from dentareview.db.migrate import upgrade_database
from dentareview.db.session import make_engine, make_session_factory
from dentareview.domain.models import Eip712Domain
from dentareview.domain.typed_data import EIP712_TYPES, domain_dict
from dentareview.services.chain_access import ChainGateway
from dentareview.services.dentists import register_dentist
from dentareview.services.deploy import deploy
from dentareview.services.reviews import submit_review
from tests.api.system import System, new_wallet
from tests.support.anvil import PROJECT_ROOT
from tests.support.databases import fresh_postgres_schema
from tests.support.wallet import sign_typed

RESULT = PROJECT_ROOT / "bench" / "results" / "intake_profile.txt"


def main(reviews: int) -> str:
    with anvil_node() as node, fresh_postgres_schema() as url:
        w3 = Web3(Web3.HTTPProvider(node.rpc_url))
        settings = settings_for(node, Path(tempfile.mkdtemp()), url)
        manifest, _ = deploy(settings, w3)
        upgrade_database(url)
        sessions = make_session_factory(make_engine(url))
        gateway = ChainGateway(settings)
        domain = Eip712Domain(
            chain_id=manifest.chain_id, verifying_contract=manifest.registry.address
        )
        eip712 = {"domain": domain_dict(domain), "types": EIP712_TYPES}
        dentists = [new_wallet() for _ in range(max(1, reviews // 150))]
        for dentist in dentists:
            register_dentist(
                sessions,
                gateway.deployment(),
                address=dentist.address,
                name="P",
                now=int(time.time()),
            )
        app = create_app(settings, run_anchor_worker=False)
        bodies = []
        with TestClient(app) as client:
            for i in range(reviews):
                patient, dentist = new_wallet(), dentists[i % len(dentists)]
                visit = System.visit_message(dentist, patient)
                signed = {
                    "message": visit,
                    "signature": sign_typed(dentist, eip712, "Visit", visit),
                }
                assert client.post("/v1/visits", json=signed).status_code == 201
                review = System.review_message(visit)
                bodies.append(
                    {"message": review, "signature": sign_typed(patient, eip712, "Review", review)}
                )
            third = len(bodies) // 3
            started = time.perf_counter()
            for body in bodies[:third]:  # the whole HTTP path, for comparison
                answer = client.post("/v1/reviews", json=body)
                assert answer.status_code == 202, answer.text
            http_ms = (time.perf_counter() - started) / third * 1000
            state = app.state.dentareview
            raws = [json.dumps(body).encode() for body in bodies[third:]]
            wall, cpu = [], []
            for raw in raws[:third]:  # the route's own work, timed without the profiler
                wall_0, cpu_0 = time.perf_counter(), time.process_time()
                _handle(app, state, raw)
                cpu.append(time.process_time() - cpu_0)
                wall.append(time.perf_counter() - wall_0)
            profiler = Profiler(interval=0.0002)
            with profiler:  # and again, in this thread, for the profiler
                for raw in raws[third:]:
                    _handle(app, state, raw)
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    header = (
        f"POST /v1/reviews on PostgreSQL: {http_ms:.2f} ms per review over HTTP "
        "(TestClient, rate limits in memory). The route's own work (rate-limit checks, "
        "body parsing, submit_review, commit), without the profiler, median per review: "
        f"{statistics.median(wall) * 1000:.2f} ms wall, of which "
        f"{statistics.median(cpu) * 1000:.2f} ms CPU in this process (the rest is waiting "
        "for PostgreSQL). The profile below (wall time, slowed by the profiler) shows "
        "where it goes.\n\n"
    )
    text = repository_relative(header + text)
    RESULT.write_text(text)
    return text


def _handle(app: Any, state: Any, raw: bytes) -> None:
    limits: WriteLimits = app.state.write_limits
    limits.count_client("127.0.0.1")
    body = SignedReview.model_validate_json(raw)
    with state.sessions() as session:
        submit_review(
            session,
            domain=state.domain(),
            review=review_from_wire(body.message),
            signature=signature_from_wire(body.signature),
            now=state.clock(),
            policy=state.settings.policy(),
            reward_amount=state.gateway.manifest().reward_amount,
            contracts=state.gateway.contract_accounts(),
            count_signer=limits.count_wallet,
        )
        session.commit()


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 450))
