"""Gzipped size of each page of the web build (JS + CSS), from Vite's manifest.

    python scripts/web_sizes.py [--markdown] [--budget-kb 200]

A page's size is everything the browser may fetch for it: the shell's entry chunk and CSS,
the page's module and every chunk those import, statically or dynamically (so the
profile's Chart.js and viem's lazily loaded helpers count too). Its first view is what it
fetches before the reader does anything: the static imports only (the catalogs of its
messages, a few KB, come on top). Exit 1 when the review page (the invitation flow)
exceeds the budget. The anonymous path's proof worker (Semaphore and snarkjs) is its own
row: a worker script, fetched only when a review is posted or checked anonymously, never
by a page's module graph (its proving files, /zk/semaphore-<depth>.*, come on top).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

WEBAPP = Path(__file__).resolve().parents[1] / "dentareview" / "webapp"
PAGES = {
    "home / directory": "src/pages/directory.ts",
    "dentist profile": "src/pages/profile.ts",
    "review (invitation)": "src/pages/invite.ts",
    "verification": "src/pages/verify.ts",
    "anonymous verification": "src/pages/verifyanonymous.ts",
}
REVIEW_PAGE = "review (invitation)"


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))


def closure(manifest: dict[str, Any], root: str, *, lazy: bool = True) -> set[str]:
    """Output files of the shell, of `root` and of every chunk they import (dynamically
    too, when `lazy`). The shell's own dynamic imports are the other pages: not followed."""
    seen: set[str] = set()
    files: set[str] = set()
    todo = ["index.html", root]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        chunk = manifest[key]
        files.add(chunk["file"])
        files.update(chunk.get("css", []))
        todo += chunk.get("imports", [])
        if key != "index.html" and lazy:
            todo += chunk.get("dynamicImports", [])
    return files


def measure(webapp: Path) -> dict[str, dict[str, int]]:
    manifest = json.loads((webapp / ".vite" / "manifest.json").read_text())
    sizes: dict[str, dict[str, int]] = {}
    for page, module in PAGES.items():
        files = closure(manifest, module)
        js = sum(gzipped(webapp / f) for f in files if f.endswith(".js"))
        css = sum(gzipped(webapp / f) for f in files if f.endswith(".css"))
        raw = sum((webapp / f).stat().st_size for f in files)
        first = sum(gzipped(webapp / f) for f in closure(manifest, module, lazy=False))
        sizes[page] = {
            "files": len(files),
            "js": js,
            "css": css,
            "total": js + css,
            "raw": raw,
            "first": first,
        }
    workers = sorted(
        {a for chunk in manifest.values() for a in chunk.get("assets", []) if "worker" in a}
    )
    if workers:
        sizes["proof worker (anonymous)"] = {
            "files": len(workers),
            "js": sum(gzipped(webapp / f) for f in workers),
            "css": 0,
            "total": sum(gzipped(webapp / f) for f in workers),
            "raw": sum((webapp / f).stat().st_size for f in workers),
            "first": 0,
        }
    widget = gzipped(webapp / "widget.js")
    raw_widget = (webapp / "widget.js").stat().st_size
    sizes["widget.js"] = {
        "files": 1,
        "js": widget,
        "css": 0,
        "total": widget,
        "raw": raw_widget,
        "first": widget,
    }
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webapp", type=Path, default=WEBAPP)
    parser.add_argument("--budget-kb", type=float, default=200)
    args = parser.parse_args()
    sizes = measure(args.webapp)
    print("| page | files | JS (gzip) | CSS (gzip) | total (gzip) | first view (gzip) |")
    print("|---|---:|---:|---:|---:|---:|")
    for page, s in sizes.items():
        print(
            f"| {page} | {s['files']} | {s['js'] / 1000:.1f} KB | {s['css'] / 1000:.1f} KB "
            f"| {s['total'] / 1000:.1f} KB | {s['first'] / 1000:.1f} KB |"
        )
    review = sizes[REVIEW_PAGE]["total"] / 1000
    if review > args.budget_kb:
        print(f"review page: {review:.1f} KB > budget {args.budget_kb} KB", file=sys.stderr)
        return 1
    print(f"\nreview page: {review:.1f} KB of JS+CSS gzipped (budget {args.budget_kb:g} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
