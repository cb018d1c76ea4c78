"""The other renderers: installing them under bench/.peers/ and timing them.

- seqdiag 3.0.0 needs Pillow < 10 (``ImageDraw.textsize`` went in 10), so it gets its own
  venv, made on demand with pip (as ../shared/peers/README.md does) from the interpreter
  that runs the bench, so that both are timed on the same Python: one venv per
  interpreter, bench/.peers/venv-<version>-<hash of the interpreter's path>.
- PlantUML: the system's ``plantuml`` command (Debian's package), one JVM per diagram and
  one JVM for a batch of 20 files.
- Mermaid CLI (full mode only): ``npm install @mermaid-js/mermaid-cli`` into
  bench/.peers/node with PUPPETEER_SKIP_DOWNLOAD=1, driving the system's Chromium.

Nothing here is imported by the package or the tests; a peer that is missing or fails to
install is reported as such and its rows are left out.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"


def base_interpreter() -> str:
    """The interpreter running the bench: a venv's base one, symlinks resolved."""
    return os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)


def _venv_dir() -> Path:
    """seqdiag's venv for the interpreter running the bench.

    Interpreters differ more than one would think: on the bench machine, Debian's own
    python3.11 renders the ML diagram about a fifth faster than pyenv's 3.11.7 (built
    without profile-guided optimisation). A peer timed on another interpreter than
    mlseq's would skew every ratio.
    """
    tag = hashlib.sha256(base_interpreter().encode()).hexdigest()[:8]
    return PEERS / f"venv-{platform.python_version()}-{tag}"


VENV = _venv_dir()
VENV_PY = VENV / "bin" / "python"
NODE = PEERS / "node"
MMDC = NODE / "node_modules" / ".bin" / "mmdc"
MERMAID_JS = NODE / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM = "/usr/bin/chromium"
BATCH = 20
_PROBE = "import seqdiag, PIL; print(seqdiag.__version__, PIL.__version__)"


def log(msg: str) -> None:
    print(msg, flush=True)


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
         timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)


def ensure_seqdiag() -> str | None:
    """The peers' interpreter with seqdiag importable, or None (with a note printed)."""
    probe = [str(VENV_PY), "-c", _PROBE]
    if VENV_PY.exists() and _run(probe).returncode == 0:
        return str(VENV_PY)
    log(f"  installing seqdiag 3.0.0 + Pillow<10 into {VENV.relative_to(HERE.parent)} ...")
    PEERS.mkdir(exist_ok=True)
    made = _run([sys.executable, "-m", "venv", str(VENV)])
    if made.returncode == 0:
        made = _run([str(VENV_PY), "-m", "pip", "install", "-q", "seqdiag==3.0.0", "Pillow<10"])
    if made.returncode != 0 or _run(probe).returncode != 0:
        log("  NOTE: seqdiag did not install; its rows are skipped:\n" + made.stdout[-800:])
        return None
    return str(VENV_PY)


def ensure_mermaid() -> bool:
    """Install the Mermaid CLI under bench/.peers/node if needed; False (noted) if it fails."""
    if not (shutil.which("npm") and Path(CHROMIUM).exists()):
        log("  NOTE: npm or /usr/bin/chromium missing; Mermaid CLI skipped")
        return False
    if not MMDC.exists():
        log("  installing @mermaid-js/mermaid-cli into bench/.peers/node (a minute) ...")
        NODE.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
        if not (NODE / "package.json").exists():
            _run(["npm", "init", "-y"], cwd=NODE, env=env)
        done = _run(["npm", "install", "--no-audit", "--no-fund", "@mermaid-js/mermaid-cli"],
                    cwd=NODE, env=env, timeout=900)
        if done.returncode != 0 or not MMDC.exists():
            log("  NOTE: Mermaid CLI did not install; skipped:\n" + done.stdout[-800:])
            return False
    return True


def puppeteer_config(folder: Path) -> Path:
    path = folder / "puppeteer.json"
    path.write_text(json.dumps({
        "executablePath": CHROMIUM,
        "args": ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }))
    return path


def versions() -> dict[str, str]:
    out: dict[str, str] = {}
    if VENV_PY.exists():
        r = _run([str(VENV_PY), "-c", _PROBE])
        if r.returncode == 0:
            sq, pil = r.stdout.split()
            out["seqdiag"] = f"{sq} (Pillow {pil})"
    if shutil.which("plantuml"):
        r = _run(["plantuml", "-version"])
        out["plantuml"] = r.stdout.splitlines()[0] if r.stdout else "?"
    if shutil.which("java"):
        out["java"] = _run(["java", "-version"]).stdout.splitlines()[0]
    if MMDC.exists():
        pkg = NODE / "node_modules" / "@mermaid-js" / "mermaid-cli" / "package.json"
        mer = NODE / "node_modules" / "mermaid" / "package.json"
        out["mermaid-cli"] = json.loads(pkg.read_text())["version"]
        out["mermaid"] = json.loads(mer.read_text())["version"]
    if Path(CHROMIUM).exists():
        out["chromium"] = _run([CHROMIUM, "--version"]).stdout.strip().splitlines()[-1]
    return out


def seqdiag_inprocess(py: str, files: list[Path], out: Path, *, min_iters: int,
                      min_seconds: float, max_seconds: float, timeout: float
                      ) -> dict[str, dict[str, float]]:
    """Warm in-process seqdiag timings per file (name -> record), SVGs written to ``out``.
    A file whose timing process outlives ``timeout`` is recorded as ``timed_out_s``."""
    results: dict[str, dict[str, float]] = {}
    for path in files:  # one process per file: a slow big file cannot starve the others
        cmd = [py, str(HERE / "seqdiag_timer.py"), "--out", str(out),
               "--min-iters", str(min_iters), "--min-seconds", str(min_seconds),
               "--max-seconds", str(max_seconds), str(path)]
        try:
            done = _run(cmd, timeout=timeout)
        except subprocess.TimeoutExpired:
            log(f"  NOTE: seqdiag on {path.name}: not one render finished in {timeout:.0f} s")
            results[path.stem] = {"timed_out_s": timeout}
            continue
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                rec = json.loads(line)
                results[rec.pop("name")] = rec
        if done.returncode != 0:
            log(f"  NOTE: seqdiag failed on {path.name}: {done.stdout[-400:]}")
    return results


@dataclass
class Wall:
    median_s: float
    min_s: float
    runs: int
    ok: bool


def wall(cmd: list[str], runs: int, *, cwd: Path | None = None, warmup: int = 1,
         timeout: float = 600) -> Wall:
    """Median wall time of a whole process (start-up included), after ``warmup`` runs."""
    times: list[float] = []
    ok = True
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        done = _run(cmd, cwd=cwd, timeout=timeout)
        spent = time.perf_counter() - t0
        if done.returncode != 0:
            ok = False
            log(f"  NOTE: {' '.join(cmd[:3])} ... exited {done.returncode}: {done.stdout[-300:]}")
            break
        if i >= warmup:
            times.append(spent)
    if not times:
        return Wall(float("nan"), float("nan"), 0, False)
    return Wall(statistics.median(times), min(times), len(times), ok)


def plantuml(sources: dict[str, Path], work: Path, *, runs: int, batch_runs: int
             ) -> dict[str, dict[str, float]]:
    """PlantUML per diagram (one JVM each) and per batch of 20 copies (one JVM)."""
    results: dict[str, dict[str, float]] = {}
    out = work / "plantuml"
    out.mkdir(parents=True, exist_ok=True)
    for name, src in sources.items():
        single = wall(["plantuml", "-tsvg", "-o", str(out), str(src)], runs)
        bdir = work / "plantuml-batch" / name
        bdir.mkdir(parents=True, exist_ok=True)
        copies = []
        for i in range(BATCH):
            copy = bdir / f"{name}-{i:02d}.puml"
            copy.write_text(src.read_text())
            copies.append(str(copy))
        batch = wall(["plantuml", "-tsvg", "-o", str(bdir / "svg"), *copies], batch_runs)
        svg = out / f"{src.stem}.svg"
        results[name] = _cli_and_batch(single, batch, svg)
        log(f"  plantuml {name}: CLI {single.median_s:.3f} s, batch of {BATCH} "
            f"{batch.median_s:.2f} s = {1000 * batch.median_s / BATCH:.0f} ms/diagram")
    return results


def _cli_and_batch(single: Wall, batch: Wall, svg: Path) -> dict[str, float]:
    """One peer's row: a CLI call per diagram, and a batch of BATCH in one process."""
    return {
        "cli_s": single.median_s,
        "batch_s": batch.median_s,
        "per_diagram_ms": 1000 * batch.median_s / BATCH,
        "marginal_ms": 1000 * (batch.median_s - single.median_s) / (BATCH - 1),
        "svg_bytes": svg.stat().st_size if svg.exists() else 0,
        "runs": single.runs,
        "batch_runs": batch.runs,
    }


def mermaid(sources: dict[str, Path], work: Path, *, runs: int, batch_runs: int
            ) -> dict[str, dict[str, float]]:
    """Mermaid CLI per diagram (one browser each) and a batch of 20 in one Markdown file."""
    results: dict[str, dict[str, float]] = {}
    out = work / "mermaid"
    out.mkdir(parents=True, exist_ok=True)
    cfg = puppeteer_config(work)
    for name, src in sources.items():
        svg = out / f"{name}.svg"
        single = wall([str(MMDC), "-q", "-p", str(cfg), "-i", str(src), "-o", str(svg)], runs,
                      timeout=300)
        bdir = work / "mermaid-batch" / name
        bdir.mkdir(parents=True, exist_ok=True)
        md = bdir / f"{name}.md"
        body = src.read_text()
        md.write_text("".join(f"## {name} {i}\n\n```mermaid\n{body}```\n\n" for i in range(BATCH)))
        batch = wall([str(MMDC), "-q", "-p", str(cfg), "-i", str(md), "-o",
                      str(bdir / "out.md"), "-e", "svg"], batch_runs, warmup=0, timeout=600)
        results[name] = _cli_and_batch(single, batch, svg)
        log(f"  mermaid {name}: CLI {single.median_s:.2f} s, batch of {BATCH} "
            f"{batch.median_s:.1f} s = {1000 * batch.median_s / BATCH:.0f} ms/diagram")
    return results
