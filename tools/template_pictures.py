"""Draw every built-in template for docs/templates.md.

    .venv/bin/python tools/template_pictures.py          # write docs/img/templates/*.svg
    .venv/bin/python tools/template_pictures.py --check  # exit 1 if any is out of date

Each picture is ``mlseq.render("template: NAME")`` with the stylesheet embedded, so it
shows the defaults a team gets from the smallest call. ``make golden`` runs this too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import mlseq
from mlseq.template import list_templates

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img" / "templates"


def pictures() -> dict[str, str]:
    return {name: mlseq.render(f"template: {name}\n") for name, _ in list_templates()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name, svg in pictures().items():
        path = OUT / f"{name}.svg"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != svg:
                stale.append(str(path))
        else:
            path.write_text(svg, encoding="utf-8")
    for path in stale:
        print(f"{path} is out of date: run tools/template_pictures.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
