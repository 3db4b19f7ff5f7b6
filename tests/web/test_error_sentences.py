"""Every API error code has a plain sentence in the web app (web/src/i18n/locales/en/errors.json;
the other languages are held to the same keys by tests/web/test_i18n.py)."""

from __future__ import annotations

import json

from dentareview.errors import ERROR_CATALOG
from tests.support.anvil import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "web" / "src" / "i18n" / "locales" / "en" / "errors.json"


def test_every_error_code_has_a_sentence() -> None:
    sentences = json.loads(SOURCE.read_text(encoding="utf-8"))
    codes = {error.code for error in ERROR_CATALOG} | {"NOT_FOUND", "METHOD_NOT_ALLOWED"}
    assert codes - sentences.keys() == set()
    for code in codes:
        sentence = sentences[code]
        assert sentence.endswith("."), code
        assert code not in sentence, code  # words, not the code itself
