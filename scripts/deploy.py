"""Deploy the contracts: a thin wrapper around `dentareview deploy` for people who expect a script.

python scripts/deploy.py [--rpc-url URL] [--private-key KEY] [--force]
"""

from __future__ import annotations

import sys

from dentareview.cli import app

if __name__ == "__main__":
    sys.exit(app(["deploy", *sys.argv[1:]]))
