"""Build the demo handbook with Sphinx (Furo) and MkDocs (Material); what `make demo` runs.

    .venv/bin/python demo-site/build.py [--only sphinx|mkdocs] [--out DIR]

Both builds are strict: Sphinx with ``-W --keep-going`` and MkDocs with ``--strict``, so a
broken diagram fails the build (with every problem listed, at its file and line) instead
of shipping a page with an error box. The output goes to ``demo-site/build/sphinx`` and
``demo-site/build/mkdocs`` (or under ``--out``). At the end: where to open each site, and
how many pages and diagrams each has and how long it took. Exit status 1 if a build failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPHINX_SRC = HERE / "sphinx"
MKDOCS_DIR = HERE / "mkdocs"
DIAGRAM = re.compile(r"<svg\b[^>]*\bclass=\"mlseq\b")
# Generated pages with no content of ours (indexes, search, 404).
NOT_CONTENT = {"genindex.html", "search.html", "404.html", "py-modindex.html"}


@dataclass(frozen=True)
class Result:
    name: str
    ok: bool
    seconds: float
    index: Path
    pages: int
    diagrams: int


def count(site: Path) -> tuple[int, int]:
    """(content pages, diagrams) in a built site."""
    pages = diagrams = 0
    for page in site.rglob("*.html"):
        if page.name in NOT_CONTENT or "_static" in page.parts or "assets" in page.parts:
            continue
        pages += 1
        diagrams += len(DIAGRAM.findall(page.read_text(encoding="utf-8", errors="replace")))
    return pages, diagrams


def run(name: str, command: list[str], cwd: Path, out: Path) -> Result:
    if out.exists():
        shutil.rmtree(out)
    print(f"==> {name}: {' '.join(command)}", flush=True)
    start = time.perf_counter()
    # Material for MkDocs prints a long banner about MkDocs 2 on every build; it is not
    # about this site, and it buries the build's own warnings.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    status = subprocess.run(command, cwd=cwd, check=False, env=env).returncode
    seconds = time.perf_counter() - start
    pages, diagrams = count(out) if out.exists() else (0, 0)
    return Result(name, status == 0, seconds, out / "index.html", pages, diagrams)


def build_sphinx(out: Path) -> Result:
    target = out / "sphinx"
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q",
        "-d", str(out / ".doctrees"), str(SPHINX_SRC), str(target),
    ]
    return run("Sphinx (Furo)", command, SPHINX_SRC, target)


def build_mkdocs(out: Path) -> Result:
    target = out / "mkdocs"
    # Run from the project folder: pymdownx.snippets resolves base_path against it.
    command = [
        sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
        "-f", str(MKDOCS_DIR / "mkdocs.yml"), "-d", str(target),
    ]
    return run("MkDocs (Material)", command, MKDOCS_DIR, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sphinx", "mkdocs"])
    parser.add_argument("--out", type=Path, default=HERE / "build")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = []
    if args.only in (None, "sphinx"):
        results.append(build_sphinx(out))
    if args.only in (None, "mkdocs"):
        results.append(build_mkdocs(out))
    print()
    for r in results:
        state = "built " if r.ok else "FAILED"
        print(f"{state} {r.name:<18} {r.pages:>3} pages, {r.diagrams:>3} diagrams, "
              f"{r.seconds:5.1f} s")
        if r.ok:
            print(f"       open {r.index.as_uri()}")
    print(f"total {time.perf_counter() - started:.1f} s")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
