"""The largest functions and modules of the Python package, in lines.

    python scripts/code_sizes.py [--top 10] [--markdown]

A function's size is its span in the source, decorators and docstring included
(`end_lineno - lineno + 1`); methods count as functions, named `Class.method`. A
module's size is its line count. Only `dentareview/**/*.py` is read.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dentareview"


def functions(tree: ast.Module) -> list[tuple[str, int]]:
    """(qualified name, lines) of every function and method, nested ones included."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                end = child.end_lineno or child.lineno
                found.append((prefix + child.name, end - start + 1))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def measure() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(functions, modules), each as (name, lines), largest first."""
    funcs: list[tuple[str, int]] = []
    modules: list[tuple[str, int]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        relative = path.relative_to(ROOT).as_posix()
        modules.append((relative, len(source.splitlines())))
        tree = ast.parse(source, filename=relative)
        funcs += [(f"{relative}:{name}", lines) for name, lines in functions(tree)]
    return (
        sorted(funcs, key=lambda item: (-item[1], item[0])),
        sorted(modules, key=lambda item: (-item[1], item[0])),
    )


def table(title: str, rows: list[tuple[str, int]], markdown: bool) -> str:
    if markdown:
        lines = [f"| {title} | lines |", "|---|---:|"]
        lines += [f"| `{name}` | {size} |" for name, size in rows]
    else:
        width = max([len(title), *(len(name) for name, _ in rows)])
        lines = [f"{title:<{width}}  lines"]
        lines += [f"{name:<{width}}  {size:>5}" for name, size in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    funcs, modules = measure()
    print(table("function", funcs[: args.top], args.markdown))
    print()
    print(table("module", modules[: args.top], args.markdown))


if __name__ == "__main__":
    main()
