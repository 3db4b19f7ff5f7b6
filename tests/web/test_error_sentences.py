"""Every API error code has a plain sentence in the web app (web/src/errors.ts)."""

from __future__ import annotations

import re

from dentareview.errors import ERROR_CATALOG
from tests.support.anvil import PROJECT_ROOT

SOURCE = PROJECT_ROOT / "web" / "src" / "errors.ts"


def test_every_error_code_has_a_sentence() -> None:
    sentences = dict(re.findall(r'^\s+([A-Z_]+): "([^"]+)",$', SOURCE.read_text(), re.MULTILINE))
    codes = {error.code for error in ERROR_CATALOG} | {"NOT_FOUND", "METHOD_NOT_ALLOWED"}
    assert codes - sentences.keys() == set()
    for code in codes:
        sentence = sentences[code]
        assert sentence.endswith("."), code
        assert code not in sentence, code  # words, not the code itself
