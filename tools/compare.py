"""Make the README's side-by-side picture: one ML workflow drawn by Mermaid, PlantUML
and mlseq.

    .venv/bin/python tools/compare.py [--out docs/img/compare.png]

The three inputs are the equivalent diagrams in ``../shared/peers/diagrams/b_ml.*``
(the same participants, messages, notes and blocks in each language). mlseq renders
``b_ml.mmd`` here; PlantUML renders ``b_ml.puml`` with Debian's ``/usr/bin/plantuml``
when it is installed (otherwise the peers' own PNG is used); Mermaid's drawing is the
PNG that mermaid-cli made of ``b_ml.mmd`` in ``../shared/peers/look/``, because the
Mermaid CLI needs a headless browser set-up of its own (see ``bench/``). The three are
put on one HTML page at the same width and photographed with headless Chromium.
"""

from __future__ import annotations

import argparse
import base64
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"
sys.path.insert(0, str(ROOT / "tools"))

import mlseq  # noqa: E402
from png import CHROMIUM  # noqa: E402

COLUMN = 640


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _plantuml_svg(source: Path) -> bytes | None:
    exe = shutil.which("plantuml")
    if not exe:
        return None
    done = subprocess.run(
        [exe, "-tsvg", "-pipe"], input=source.read_bytes(), capture_output=True, timeout=120,
        check=False,
    )
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def build_page() -> str:
    mmd = (PEERS / "diagrams" / "b_ml.mmd").read_text(encoding="utf-8")
    ours = mlseq.render(mmd).encode("utf-8")
    puml = _plantuml_svg(PEERS / "diagrams" / "b_ml.puml")
    columns = [
        ("Mermaid 11 (mermaid-cli)", _data_uri((PEERS / "look" / "b_ml.mermaid.png")
                                               .read_bytes(), "image/png")),
        (
            "PlantUML 1.2020 (Debian)" if puml else "PlantUML 1.2025",
            _data_uri(puml, "image/svg+xml") if puml else
            _data_uri((PEERS / "look" / "b_ml.plantuml-2025.png").read_bytes(), "image/png"),
        ),
        (f"mlseq {mlseq.__version__}", _data_uri(ours, "image/svg+xml")),
    ]
    cells = "".join(
        f'<figure><figcaption>{html.escape(name)}</figcaption><img src="{uri}"></figure>'
        for name, uri in columns
    )
    return (
        "<!doctype html><html><head><style>"
        "body{margin:0;background:#fff;font:600 18px 'Liberation Sans',Arial,sans-serif}"
        ".row{display:flex;gap:24px;padding:16px;align-items:flex-start}"
        f"figure{{margin:0;width:{COLUMN}px}}figcaption{{padding:0 0 8px;color:#222}}"
        "img{width:100%;height:auto;border:1px solid #ddd}"
        f'</style></head><body><div class="row">{cells}</div></body></html>'
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "compare.png")
    args = parser.parse_args(argv)
    if not PEERS.is_dir():
        print(f"{PEERS} is missing", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "compare.html"
        page.write_text(build_page(), encoding="utf-8")
        width = 3 * COLUMN + 2 * 24 + 32
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={tmp}/profile", f"--screenshot={args.out.resolve()}",
             f"--window-size={width},740", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print(f"{args.out} ({args.out.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
