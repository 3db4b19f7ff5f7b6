"""A `solc` executable made of the npm `solc` package (solc.js on Node), as py-solc-x drives one.

    python -m dentareview.audit.solcjs_shim NODE SOLC_JS [solc arguments...]

solc.js prints a line about SMT solvers on stdout before its JSON: the JSON alone is
passed on. Its input and output go through files, not pipes: Node reads a pipe on
stdin without waiting (EAGAIN) and may exit before a large pipe write is flushed.
Standard library only: it runs as a separate process for each compiler call.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile


def json_only(output: str) -> str:
    """solc.js's output from the first line that opens the JSON object."""
    if output.startswith("{"):
        return output
    start = output.find("\n{")
    return output[start + 1 :] if start >= 0 else output


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.stderr.write("usage: solcjs_shim NODE SOLC_JS [solc arguments...]\n")
        return 2
    node, solc_js, arguments = argv[0], argv[1], argv[2:]
    standard_json = "--standard-json" in arguments
    with tempfile.TemporaryFile() as given, tempfile.TemporaryFile() as printed:
        if standard_json:
            given.write(sys.stdin.buffer.read())
            given.seek(0)
        code = subprocess.run(
            [node, solc_js, *arguments], stdin=given, stdout=printed, check=False
        ).returncode
        printed.seek(0)
        output = printed.read().decode("utf-8")
    sys.stdout.write(json_only(output) if standard_json else output)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
