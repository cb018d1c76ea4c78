"""Compare mlseq.metrics.text_width with what headless Chromium draws.

    .venv/bin/python tools/measure_text_in_browser.py [--chromium PATH] [--size 14] [--json OUT]

Writes one HTML page holding an SVG ``<text>`` per sample string (font-family
``mlseq.metrics.FONT_FAMILY``; regular and bold; with the browser's default kerning and with
``font-kerning: none``), lets headless Chromium lay it out, reads every width with
``getComputedTextLength()`` and prints, per group of samples, the largest relative error of
``text_width`` against the browser. Samples: fixed strings in several scripts plus every
message label found in ../shared/corpus/.

Characters Liberation Sans lacks (CJK, emoji, Devanagari, ...) are drawn from whatever
fallback fonts the machine has, so for them the comparison only tells how far our estimate
is from this machine; the Latin, Greek and Cyrillic groups are the ones that must agree.
To see real fallback fonts without installing them system-wide, unpack Debian's
fonts-noto-cjk and fonts-noto-color-emoji (``apt-get download``, ``dpkg -x``) and point
``FONTCONFIG_FILE`` at a fonts.conf that includes /etc/fonts/fonts.conf and adds that folder.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlseq.metrics import _REGULAR, FONT_FAMILY, text_width  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

SAMPLES: dict[str, list[str]] = {
    "latin": [
        "Hello, World",
        "The quick brown fox jumps over the lazy dog",
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
        "AVATAR Type Wave Yoyo LTA P.",
        "Data Engineer",
        "Feature Store",
        "train(model, epochs=10, lr=3e-4)",
        "return accuracy >= 0.92 ? deploy : retrain",
        "iiiiiiiiii",
        "WWWWWWWWWW",
        "mlflow.register_model('runs:/abc123/model', 'Prod')",
        "1234567890 %$#@!&*()[]{}<>",
    ],
    "latin-1 / extended": [
        "Ça va très bien, naïve façade",
        "Straße, Øresund, Ærø, Łódź, Dvořák",
        "Ñandú ¿Qué? ¡Sí! «quoted» — en–dash…",
        "Žluťoučký kůň úpěl ďábelské ódy",
    ],
    "greek / cyrillic": [
        "Αλφα Βήτα Γάμμα Δέλτα",
        "ΤΑΥΤΟΤΗΤΑ Γράμμα",
        "Привет, мир! Обучение модели",
        "ГОСУДАРСТВЕННЫЙ Тест",
    ],
    "combining marks": [
        "e\u0301te\u0301 cafe\u0301",
        "n\u0303o\u0308",
    ],
    "east asian (fallback font)": [
        "機械学習モデル",
        "モデルを訓練する",
        "데이터 파이프라인",
        "训练模型并部署",
    ],
    "emoji (fallback font)": [
        "deploy 🚀",
        "ok ✅ failed ❌",
        "team 👨‍👩‍👧 flag 🇩🇪",
    ],
    "other scripts (fallback font)": [
        "مرحبا بالعالم",
        "שלום עולם",
        "नमस्ते दुनिया",
        "สวัสดีชาวโลก",
    ],
}


def corpus_labels() -> list[str]:
    """Message labels (text after the last ':' of arrow lines) from ../shared/corpus."""
    labels: set[str] = set()
    if not CORPUS.exists():
        return []
    arrow = re.compile(r"^\s*[^%:]+?(?:-|--)(?:>>|>|x|\)|>>|>)[+-]?[^:]*:(.+)$")
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix not in (".mmd", ".mlseq", ".txt") or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = arrow.match(line)
            if match:
                for part in re.split(r"<br\s*/?>", match.group(1)):
                    # SVG collapses runs of spaces (as mlseq.metrics.wrap does)
                    label = " ".join(part.split())
                    if label:
                        labels.add(label)
    return sorted(labels)


def page(items: list[tuple[str, str, bool, bool]], size: float) -> str:
    rows = []
    for i, (_, text, bold, kerning) in enumerate(items):
        style = "font-weight:bold;" if bold else ""
        if not kerning:
            style += "font-kerning:none;"
        rows.append(
            f'<text id="t{i}" x="0" y="{20 + i * 20}" style="{style}">{html.escape(text)}</text>'
        )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="{20 + len(items) * 20}"
 font-family='{FONT_FAMILY}' font-size="{size}">
{chr(10).join(rows)}
</svg>
<pre id="out"></pre>
<script>
const out = [];
for (let i = 0; i < {len(items)}; i++) {{
  out.push(document.getElementById("t" + i).getComputedTextLength());
}}
document.getElementById("out").textContent = JSON.stringify(out);
</script>
</body></html>
"""


def measure(items: list[tuple[str, str, bool, bool]], size: float, chromium: str) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(page(items, size), encoding="utf-8")
        profile = Path(tmp) / "profile"
        result = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    match = re.search(r'<pre id="out">(.*?)</pre>', result.stdout, re.S)
    if not match or not match.group(1):
        raise SystemExit(f"no measurements in Chromium's output:\n{result.stderr[-2000:]}")
    widths: list[float] = json.loads(html.unescape(match.group(1)))
    return widths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--size", type=float, default=14.0)
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("--worst", type=int, default=3, help="worst samples shown per group")
    args = parser.parse_args(argv)

    groups = dict(SAMPLES)
    labels = corpus_labels()
    covered = [label for label in labels if all(ord(ch) in _REGULAR.widths for ch in label)]
    groups["corpus labels, font covers all"] = covered
    groups["corpus labels, needing fallback"] = [x for x in labels if x not in set(covered)]
    items = [
        (group, text, bold, kerning)
        for group, texts in groups.items()
        for text in texts
        for bold in (False, True)
        for kerning in (True, False)
    ]
    browser = measure(items, args.size, args.chromium)
    records = []
    for (group, text, bold, kerning), got in zip(items, browser, strict=True):
        ours = text_width(text, args.size, bold=bold)
        error = (ours - got) / got if got else 0.0
        records.append(
            {"group": group, "text": text, "bold": bold, "kerning": kerning,
             "browser": got, "ours": ours, "error": error}
        )  # fmt: skip

    print(f"{len(items)} measurements at {args.size:g}px; error = (ours - browser) / browser")
    print(f"{'group':32} {'n':>4} {'max |err| kern':>15} {'max |err| no kern':>18}")
    for group in groups:
        rows = [r for r in records if r["group"] == group]
        if not rows:
            continue
        with_kern = max(abs(r["error"]) for r in rows if r["kerning"])
        without = max(abs(r["error"]) for r in rows if not r["kerning"])
        print(f"{group:32} {len(rows) // 2:>4} {with_kern:>14.2%} {without:>17.2%}")
        worst = sorted((r for r in rows if r["kerning"]), key=lambda r: -abs(r["error"]))
        for r in worst[: args.worst]:
            weight = "bold" if r["bold"] else "regular"
            print(
                f"    {r['error']:+.2%} {weight:7} ours {r['ours']:.2f} browser "
                f"{r['browser']:.2f}  {r['text'][:50]!r}"
            )
    if args.json:
        args.json.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
