"""The README stays a five-minute read whose layout and links match the tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAX_LINES = 200
MAX_CELL_CHARS = 200


def _layout_block() -> list[str]:
    section = README.split("## Layout", 1)[1]
    return section.split("```", 2)[1].strip("\n").splitlines()


def test_the_readme_is_at_most_200_lines() -> None:
    assert len(README.splitlines()) <= MAX_LINES


def test_every_table_cell_of_the_readme_and_docs_holds_one_short_line() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    long_cells = []
    for page in pages:
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if not line.startswith("|"):
                continue
            long_cells += [
                f"{page.name}:{number}: {cell.strip()[:60]}…"
                for cell in re.split(r"(?<!\\)\|", line)
                if len(cell.strip()) > MAX_CELL_CHARS
            ]
    assert long_cells == []


def test_every_path_in_the_layout_exists_and_every_package_folder_is_listed() -> None:
    tracked = set(
        subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    )
    folders = {str(Path(path).parent) for path in tracked}
    listed: list[str] = []
    parents: list[str] = []
    for line in _layout_block():
        match = re.match(r"^( *)(\S+)\s", line + " ")
        if match is None or not match.group(2).endswith(("/", ".py")):
            continue
        depth = len(match.group(1)) // 2
        parents = [*parents[:depth], match.group(2).rstrip("/")]
        listed.append("/".join(parents))
    for path in listed:
        assert path in folders or path in tracked, f"the layout lists {path}, not in the tree"
    package_folders = {
        folder.split("/")[1]
        for folder in folders
        if folder.startswith("dentareview/") and folder.count("/") >= 1
    }
    listed_in_package = {path.split("/")[1] for path in listed if path.startswith("dentareview/")}
    assert package_folders - {"webapp"} <= listed_in_package


def test_every_relative_link_of_the_readme_resolves() -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README):
        assert (ROOT / target).exists(), target
