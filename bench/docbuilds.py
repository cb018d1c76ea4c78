"""Documentation builds: a generated 200-diagram Sphinx project and MkDocs site.

Each project has 20 pages of 10 diagrams (bench/diagrams.py ``doc_diagram``, all distinct)
with a paragraph of prose around each, built twice over: with the diagrams as ``mlseq``
blocks, and with the very same blocks as plain code blocks. The ratio of the two build
times is what mlseq adds to a docs build.

Builds run in a child process (``python bench/docbuilds.py counted ...``) that counts
every drawing (each call of ``mlseq.svg.draw``, the last stage of a render) into a file,
so a rebuild can be checked to draw nothing. The count survives ``-j 2`` because each
worker appends to the same file.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from diagrams import doc_diagram  # noqa: E402

PAGES = 20
PER_PAGE = 10
COUNT_ENV = "MLSEQ_BENCH_DRAW_COUNT"

_PROSE = ("The nightly job {i} reads the day's events, builds features and trains a "
          "candidate; the evaluation gate decides whether it is registered.")


def _indent(text: str, pad: str) -> str:
    return "".join(pad + line + "\n" if line else "\n" for line in text.splitlines())


def write_sphinx(root: Path, *, diagrams: bool) -> Path:
    src = root / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    ext = '["sphinx_mlseq"]' if diagrams else "[]"
    (src / "conf.py").write_text(
        f'project = "bench"\nextensions = {ext}\nhtml_theme = "alabaster"\n'
        "exclude_patterns = []\n"
    )
    toc = "\n".join(f"   page{p:02d}" for p in range(PAGES))
    (src / "index.rst").write_text(f"Bench\n=====\n\n.. toctree::\n\n{toc}\n")
    for p in range(PAGES):
        parts = [f"Page {p}\n{'=' * (5 + len(str(p)))}\n"]
        for k in range(PER_PAGE):
            i = p * PER_PAGE + k
            head = ".. mlseq::" if diagrams else ".. code-block:: text"
            parts.append(f"Run {i}\n{'-' * (4 + len(str(i)))}\n\n{_PROSE.format(i=i)}\n\n"
                         f"{head}\n\n{_indent(doc_diagram(i), '   ')}")
        (src / f"page{p:02d}.rst").write_text("\n".join(parts))
    return src


def write_mkdocs(root: Path, *, diagrams: bool) -> Path:
    if root.exists():
        shutil.rmtree(root)
    docs = root / "docs"
    docs.mkdir(parents=True)
    plugins = "plugins:\n  - search\n" + ("  - mlseq\n" if diagrams else "")
    (root / "mkdocs.yml").write_text(
        "site_name: bench\ntheme: mkdocs\n" + plugins
        + "markdown_extensions:\n  - pymdownx.superfences\n"
    )
    (docs / "index.md").write_text("# Bench\n\nGenerated pages.\n")
    lang = "mlseq" if diagrams else "text"
    for p in range(PAGES):
        parts = [f"# Page {p}\n"]
        for k in range(PER_PAGE):
            i = p * PER_PAGE + k
            parts.append(f"## Run {i}\n\n{_PROSE.format(i=i)}\n\n```{lang}\n{doc_diagram(i)}```\n")
        (docs / f"page{p:02d}.md").write_text("\n".join(parts))
    return root


def _counted_run(args: list[str], count_file: Path, timeout: float = 900) -> tuple[float, int, str]:
    """(wall seconds, drawings made, output tail) of one counted child build."""
    if count_file.exists():
        count_file.unlink()
    env = dict(os.environ, **{COUNT_ENV: str(count_file)})
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "counted", *args],
                          env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, check=False)
    spent = time.perf_counter() - t0
    draws = len(count_file.read_text()) if count_file.exists() else 0
    if done.returncode != 0:
        raise RuntimeError(f"build failed ({done.returncode}): {done.stdout[-1500:]}")
    return spent, draws, done.stdout


def sphinx(work: Path, *, runs: int, log: object = print) -> dict[str, object]:
    """Fresh builds with diagrams and with code blocks, a no-change rebuild, a one-page
    edit, and ``-j 2``. Returns medians (s), ratios and drawing counts."""
    say = log if callable(log) else print
    count = work / "draws.txt"
    res: dict[str, object] = {"diagrams": PAGES * PER_PAGE, "pages": PAGES}
    roots = {"mlseq": work / "sphinx-mlseq", "plain": work / "sphinx-plain"}
    srcs = {k: write_sphinx(r, diagrams=k == "mlseq") for k, r in roots.items()}
    times: dict[str, list[float]] = {"mlseq": [], "plain": [], "j2": [], "j2_plain": []}
    draws_fresh = 0
    for _ in range(runs):  # alternate the variants so load drifts hit both alike
        for kind in ("plain", "mlseq"):
            out = roots[kind] / "out"
            shutil.rmtree(out, ignore_errors=True)
            t, n, _ = _counted_run(["sphinx", "-b", "html", "-q", str(srcs[kind]),
                                    str(out / "html"), "-d", str(out / "doctrees")], count)
            times[kind].append(t)
            if kind == "mlseq":
                draws_fresh = n
        for kind, key in (("plain", "j2_plain"), ("mlseq", "j2")):
            out = roots[kind] / "out-j2"
            shutil.rmtree(out, ignore_errors=True)
            t, _, _ = _counted_run(["sphinx", "-j", "2", "-b", "html", "-q", str(srcs[kind]),
                                    str(out / "html"), "-d", str(out / "doctrees")], count)
            times[key].append(t)
    out = roots["mlseq"] / "out"
    args = ["sphinx", "-b", "html", "-q", str(srcs["mlseq"]), str(out / "html"),
            "-d", str(out / "doctrees")]
    t_nochange, draws_nochange, _ = _counted_run(args, count)
    page = srcs["mlseq"] / "page03.rst"
    page.write_text(page.read_text() + "\nOne more paragraph, no diagram changed.\n")
    t_touch, draws_touch, _ = _counted_run(args, count)
    page.write_text(page.read_text().replace(
        "clean raw events for", "clean the raw events for", 1))
    t_edit, draws_edit, _ = _counted_run(args, count)
    med = {k: statistics.median(v) for k, v in times.items()}
    res.update({
        "fresh_s": med["mlseq"], "plain_s": med["plain"],
        "ratio": med["mlseq"] / med["plain"],
        "j2_s": med["j2"], "j2_plain_s": med["j2_plain"], "j2_ratio": med["j2"] / med["j2_plain"],
        "draws_fresh": draws_fresh,
        "nochange_s": t_nochange, "draws_nochange": draws_nochange,
        "touch_page_s": t_touch, "draws_touch_page": draws_touch,
        "edit_one_diagram_s": t_edit, "draws_edit_one_diagram": draws_edit,
        "runs": runs, "all_s": times,
    })
    say(f"  sphinx: 200 diagrams {med['mlseq']:.2f} s vs code blocks {med['plain']:.2f} s "
        f"= x{res['ratio']:.2f}; -j 2 {med['j2']:.2f} s vs {med['j2_plain']:.2f} s; "
        f"no-change rebuild {t_nochange:.2f} s drew {draws_nochange}; prose edit on one page "
        f"drew {draws_touch}; one diagram edited drew {draws_edit}")
    return res


def mkdocs(work: Path, *, runs: int, log: object = print) -> dict[str, object]:
    """Fresh ``mkdocs build`` with the plugin (disk cache emptied first) and with code
    blocks, a new ``mkdocs build`` process with the disk cache warm, and a second build
    in the same process as ``mkdocs serve`` does it (cache kept by the plugin)."""
    say = log if callable(log) else print
    count = work / "draws.txt"
    roots = {"mlseq": work / "mkdocs-mlseq", "plain": work / "mkdocs-plain"}
    for kind, root in roots.items():
        write_mkdocs(root, diagrams=kind == "mlseq")
    times: dict[str, list[float]] = {"mlseq": [], "plain": []}
    draws_fresh = 0
    disk_cache = roots["mlseq"] / ".cache"
    for _ in range(runs):
        for kind in ("plain", "mlseq"):
            shutil.rmtree(disk_cache, ignore_errors=True)  # cold: nothing on disk
            t, n, _ = _counted_run(["mkdocs", str(roots[kind] / "mkdocs.yml")], count)
            times[kind].append(t)
            if kind == "mlseq":
                draws_fresh = n
    warm: list[float] = []
    draws_warm = -1
    for _ in range(runs):  # the disk cache the last cold build left
        t, draws_warm, _ = _counted_run(["mkdocs", str(roots["mlseq"] / "mkdocs.yml")], count)
        warm.append(t)
    shutil.rmtree(disk_cache, ignore_errors=True)  # the first serve build starts cold
    _, _, out = _counted_run(["mkdocs-serve", str(roots["mlseq"] / "mkdocs.yml")], count)
    lines = dict(line.split("=", 1) for line in out.splitlines() if line.startswith("build"))
    med = {k: statistics.median(v) for k, v in times.items()}
    res: dict[str, object] = {
        "diagrams": PAGES * PER_PAGE, "pages": PAGES,
        "fresh_s": med["mlseq"], "plain_s": med["plain"], "ratio": med["mlseq"] / med["plain"],
        "draws_fresh": draws_fresh,
        "warm_disk_s": statistics.median(warm), "draws_warm_disk": draws_warm,
        "warm_ratio": statistics.median(warm) / med["plain"],
        "serve_first_s": float(lines.get("build1_s", "nan")),
        "serve_rebuild_s": float(lines.get("build2_s", "nan")),
        "draws_serve_first": int(lines.get("build1_draws", "-1")),
        "draws_serve_rebuild": int(lines.get("build2_draws", "-1")),
        "runs": runs, "all_s": times,
    }
    say(f"  mkdocs: 200 diagrams {med['mlseq']:.2f} s vs code blocks {med['plain']:.2f} s "
        f"= x{res['ratio']:.2f}; new process, warm disk cache {res['warm_disk_s']:.2f} s "
        f"= x{res['warm_ratio']:.2f} drew {draws_warm}; serve-style rebuild "
        f"{res['serve_rebuild_s']:.2f} s drew {res['draws_serve_rebuild']}")
    return res


def _install_counter() -> None:
    """Count drawings: one byte appended per ``svg.draw`` call, from any process."""
    import mlseq.svg

    path = os.environ[COUNT_ENV]
    original = mlseq.svg.draw

    def counting_draw(*args: object, **kwargs: object) -> str:
        with open(path, "a") as f:
            f.write("x")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    mlseq.svg.draw = counting_draw  # type: ignore[assignment]


def _counted_main(argv: list[str]) -> int:
    _install_counter()
    tool, rest = argv[0], argv[1:]
    if tool == "sphinx":
        from sphinx.cmd.build import main as sphinx_main

        return sphinx_main(rest)
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    if tool == "mkdocs":
        build(load_config(rest[0]))
        return 0
    # "mkdocs-serve": what ``mkdocs serve`` does: on_startup once, then a build per
    # change with the config loaded again (plugins with on_startup are kept).
    site = Path(rest[0]).parent / "site-serve"
    config = load_config(rest[0], site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    path = Path(os.environ[COUNT_ENV])
    for n in (1, 2):
        before = len(path.read_text()) if path.exists() else 0
        t0 = time.perf_counter()
        build(config)
        print(f"build{n}_s={time.perf_counter() - t0:.4f}")
        after = len(path.read_text()) if path.exists() else 0
        print(f"build{n}_draws={after - before}")
        config = load_config(rest[0], site_dir=str(site))
    config.plugins.on_shutdown()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "counted":
        sys.exit(_counted_main(sys.argv[2:]))
    w = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/mlseq-docbench")
    w.mkdir(parents=True, exist_ok=True)
    print(sphinx(w, runs=1))
    print(mkdocs(w, runs=1))
