"""The README's ten-line example runs as written against a real service, and anchors."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from tests.api.system import new_wallet
from tests.web.conftest import WebSystem

README = Path(__file__).resolve().parents[2] / "README.md"


def _example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "the README has one Python example"
    example: str = blocks[0]
    return example


def test_the_readme_example_posts_a_review_that_gets_anchored(web: WebSystem) -> None:
    example = _example()
    assert len(example.strip().splitlines()) <= 12
    local_url = 'api = "http://127.0.0.1:8000"'
    assert local_url in example
    dentist = web.new_dentist("Readme Dental")
    patient = new_wallet()
    visit = web.visit(dentist, patient)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(  # noqa: S102 - the README's own code, run as a reader would run it
            example.replace(local_url, f'api = "{web.url}"'),
            {"visit_id": visit["visitId"], "patient_key": patient.key},
        )
    status, review_id = printed.getvalue().split()
    assert status == "202"
    assert web.wait_anchored(int(review_id))["status"] == "anchored"
