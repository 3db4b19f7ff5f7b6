"""The size budget: the review page ships at most 200 KB of JS+CSS, gzipped."""

from __future__ import annotations

from scripts.web_sizes import REVIEW_PAGE, WEBAPP, measure
from tests.web.browser import require_build


def test_review_page_within_size_budget() -> None:
    require_build()
    sizes = measure(WEBAPP)
    assert sizes[REVIEW_PAGE]["total"] <= 200_000, sizes
    assert sizes["widget.js"]["total"] <= 10_000, sizes
    assert all(s["total"] > 0 for s in sizes.values())
