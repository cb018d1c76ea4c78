"""Take the README's picture: a real screenshot of the built demo site.

    .venv/bin/python demo-site/screenshot.py [--site mkdocs|sphinx] [--page runbook]
                                             [--dark] [--out docs/img/demo.png]

Builds the site first when ``demo-site/build/<site>`` is missing, serves it over HTTP
(as a reader would see it), scrolls the page's first diagram into view under the header and
saves a 1200 x 760 PNG. The README picture should stay under ~300 kB; the script says
when it does not.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import launch, missing_reason  # noqa: E402

LIMIT = 300 * 1024
DARK = {
    "sphinx": "document.body.dataset.theme = 'dark'",
    "mkdocs": "document.body.setAttribute('data-md-color-scheme', 'slate')",
}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", choices=["mkdocs", "sphinx"], default="mkdocs")
    parser.add_argument("--page", default="runbook")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=760)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "demo.png")
    parser.add_argument("--build", type=Path, default=HERE / "build",
                        help="folder holding the built sites (default demo-site/build)")
    args = parser.parse_args(argv)
    reason = missing_reason()
    if reason:
        print(f"screenshot: {reason}", file=sys.stderr)
        return 2
    build = args.build.resolve()
    if not (build / args.site / "index.html").exists():
        status = subprocess.run(
            [sys.executable, str(HERE / "build.py"), "--only", args.site, "--out", str(build)],
            check=False,
        ).returncode
        if status:
            return status
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(build))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{args.site}/{args.page}.html"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with launch() as browser:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url, wait_until="networkidle")
            if args.dark:
                page.evaluate(DARK[args.site])
            # Show the page's title and the top of its first diagram together.
            page.evaluate(
                "() => { const d = document.querySelector('svg.mlseq');"
                " if (d) window.scrollTo(0, Math.max(0, d.getBoundingClientRect().top"
                " + window.scrollY - innerHeight * 0.5)); }"
            )
            page.screenshot(path=str(args.out))
    finally:
        server.shutdown()
        server.server_close()
    size = args.out.stat().st_size
    print(f"{args.out} ({size // 1024} kB) from {url}")
    if size > LIMIT:
        print(f"warning: larger than {LIMIT // 1024} kB; try a smaller --height", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
