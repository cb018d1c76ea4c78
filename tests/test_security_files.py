"""Files, YAML and the network: a block can only reach the template folders it was
given, YAML is data (safe loaders, bounded aliases), and nothing ever opens a socket.

Hostile inputs that could hang or exhaust memory run in a subprocess with a timeout and
an address-space limit, so a regression fails this test instead of the test run.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import resource
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import mlseq
import pytest
from conftest import ROOT, SHARED
from mlseq.errors import ErrorCode, MlseqError
from mlseq.template import list_templates

PYTHON = sys.executable
SECRET = "TOP-SECRET-4711"
TEMPLATE = textwrap.dedent(f"""\
    name: secret
    participants:
      a: {{id: A, label: {SECRET}}}
    stages:
      - name: s
        title: S
        steps: ["{{a}}->>{{a}}: {SECRET}"]
""")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A configured template folder and, next to it, a folder it must not reach."""
    inside = tmp_path / "templates"
    outside = tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    (outside / "secret.yaml").write_text(TEMPLATE, encoding="utf-8")
    (inside / "good.yaml").write_text(TEMPLATE.replace("name: secret", "name: good"))
    return inside, outside


def _refused(source: str, code: ErrorCode, **options: object) -> MlseqError:
    with pytest.raises(MlseqError) as info:
        mlseq.render(source, **options)
    assert info.value.code is code, info.value
    return info.value


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every file the core opens through pathlib or open() during the test."""
    seen: list[Path] = []
    real_open = Path.open
    real_builtin = open

    def path_open(self: Path, *args: object, **kwargs: object) -> object:
        seen.append(Path(self).resolve())
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    def builtin_open(file: object, *args: object, **kwargs: object) -> object:
        if isinstance(file, (str, os.PathLike)):
            seen.append(Path(file).resolve())
        return real_builtin(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", path_open)
    monkeypatch.setattr("builtins.open", builtin_open)
    monkeypatch.setattr(io, "open", builtin_open)
    return seen


# --- template names and folders --------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../outside/secret", "..", "../secret", "sub/secret", "./secret", "/etc/passwd",
     "{outside}/secret", "SECRET", "secret.yaml", "secret\x00", "sécret", "~/secret",
     "secret\\..\\x", "..%2fsecret", "-rf"],
)
def test_template_names_are_names_not_paths(name: str, folders: tuple[Path, Path],
                                            opened: list[Path]) -> None:
    inside, outside = folders
    call = f"template: {json.dumps(name.replace('{outside}', str(outside)))}\n"
    err = _refused(call, ErrorCode.TEMPLATE, template_dirs=(str(inside),))
    assert SECRET not in str(err)
    assert not [p for p in opened if p.is_relative_to(outside)]


def test_symlink_out_of_the_folder_is_refused(folders: tuple[Path, Path],
                                              opened: list[Path]) -> None:
    inside, outside = folders
    (inside / "evil.yaml").symlink_to(outside / "secret.yaml")
    err = _refused("template: evil\n", ErrorCode.TEMPLATE, template_dirs=(str(inside),))
    assert "outside its folder" in str(err)
    assert not [p for p in opened if p.is_relative_to(outside)]


def test_extends_cannot_name_a_path(folders: tuple[Path, Path], opened: list[Path]) -> None:
    inside, outside = folders
    (inside / "child.yaml").write_text("name: child\nextends: ../outside/secret\n")
    _refused("template: child\n", ErrorCode.TEMPLATE, template_dirs=(str(inside),))
    assert not [p for p in opened if p.is_relative_to(outside)]


def test_extends_through_a_symlink_is_refused(folders: tuple[Path, Path],
                                              opened: list[Path]) -> None:
    inside, outside = folders
    (inside / "parent.yaml").symlink_to(outside / "secret.yaml")
    (inside / "child.yaml").write_text("name: child\nextends: parent\n")
    _refused("template: child\n", ErrorCode.TEMPLATE, template_dirs=(str(inside),))
    assert not [p for p in opened if p.is_relative_to(outside)]


def test_a_configured_folder_works(folders: tuple[Path, Path]) -> None:
    """The refusals above are not the folder failing altogether."""
    inside, _ = folders
    assert SECRET in mlseq.render("template: good\n", template_dirs=(str(inside),))


def test_a_symlink_inside_the_folder_is_fine(folders: tuple[Path, Path]) -> None:
    inside, _ = folders
    (inside / "alias.yaml").symlink_to(inside / "good.yaml")
    assert SECRET in mlseq.render("template: alias\n", template_dirs=(str(inside),))


# --- YAML is data --------------------------------------------------------------------

_TAGS = (
    '!!python/object/apply:os.system ["touch {marker}"]',
    "!!python/object/new:os.system [\"touch {marker}\"]",
    "!!python/name:os.system",
    "!!python/object:os.system [1]",
    "!!python/module:os",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [\"touch {marker}\"]",
)


def _tagged_blocks(tag: str) -> Iterator[tuple[str, str]]:
    yield "call-title", f"template: ml-workflow\ntitle: {tag}\n"
    yield "call-params", f"template: ml-workflow\nparams: {tag}\n"
    yield "call-label", f"template: ml-workflow\nparticipants:\n  scientist:\n    label: {tag}\n"
    yield "front-matter", f"---\ntitle: {tag}\n---\nA->>B: x"
    yield "front-matter-config", f"---\nconfig: {tag}\n---\nA->>B: x"
    yield "metadata", f'participant A@{{ "type": {tag} }}\nA->>B: x'


@pytest.mark.parametrize("tag", _TAGS)
def test_python_yaml_tags_are_refused(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    for where, block in _tagged_blocks(tag.format(marker=marker)):
        with pytest.raises(MlseqError) as info:
            mlseq.render(block)
        assert info.value.code in (ErrorCode.YAML, ErrorCode.DIRECTIVE, ErrorCode.VALUE), where
        assert "tag" in str(info.value), (where, str(info.value))
    assert not marker.exists()


@pytest.mark.parametrize("tag", _TAGS)
def test_python_yaml_tags_in_a_team_template_are_refused(tag: str, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "team.yaml").write_text(
        f"name: team\nparticipants: {tag.format(marker=marker)}\nstages: []\n"
    )
    with pytest.raises(MlseqError) as info:
        mlseq.render("template: team\n", template_dirs=(str(tmp_path),))
    assert info.value.code is ErrorCode.YAML
    assert not marker.exists()


# --- alias ("billion laughs") bombs, bounded in a subprocess ---------------------------

_LEVELS = "abcdefghi"


def _laughs(flow: bool) -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) values when expanded."""
    first = '["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'
    parts = [f"{_LEVELS[0]}: &{_LEVELS[0]} {first}"]
    for prev, cur in itertools.pairwise(_LEVELS):
        parts.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    if flow:
        return ", ".join(f'"{p.split(":", 1)[0]}":{p.split(":", 1)[1]}' for p in parts)
    return "\n".join(parts)


BOMBS = {
    "call-title": f"template: ml-workflow\n{_laughs(False).replace('a: &a', 'xa: &a')}"
    "\ntitle: *i\n",
    "call-params": f"template: ml-workflow\n{_laughs(False).replace('a: &a', 'xa: &a')}"
    "\nparams: {model: *i}\n",
    "front-matter-title": f"---\n{_laughs(False)}\ntitle: *i\n---\nA->>B: x",
    "front-matter-config": f"---\n{_laughs(False)}\nconfig: {{theme: *i, themeVariables: *i}}"
    "\n---\nA->>B: x",
    "metadata-alias": f'participant A@{{ {_laughs(True)}, "alias": *i }}\nA->>B: x',
    "metadata-type": f'participant A@{{ {_laughs(True)}, "type": *i }}\nA->>B: x',
    "init": f'%%{{init: {{{_laughs(True)}, "theme": *i}}}}%%\nA->>B: x',
    "links": f"participant A\nlinks A: {{{_laughs(True)}, \"x\": *i}}\nA->>B: x",
}

_BOUNDED = """
import json, sys
import mlseq
from mlseq.errors import MlseqError
source = sys.stdin.read()
dirs = tuple(sys.argv[1:])
try:
    svg = mlseq.render(source, template_dirs=dirs)
except MlseqError as err:
    print(json.dumps({"error": err.code.value, "message": str(err)}))
else:
    print(json.dumps({"svg": len(svg)}))
"""


def _limit_memory() -> None:
    limit = 1_500_000_000
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def render_bounded(source: str, *dirs: str, timeout: float = 60) -> dict[str, object]:
    """Render in a fresh interpreter with at most ``timeout`` s and 1.5 GB of memory."""
    proc = subprocess.run(
        [PYTHON, "-c", _BOUNDED, *dirs], input=source, capture_output=True, text=True,
        timeout=timeout, preexec_fn=_limit_memory, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout)
    return result


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_alias_bombs_are_bounded(name: str) -> None:
    result = render_bounded(BOMBS[name])
    # Refused as too large, or the aliases were never expanded into the drawing.
    assert result.get("error") in ("limit", "directive", "value", None), result
    if "svg" in result:
        assert isinstance(result["svg"], int) and result["svg"] < 100_000
    if name.startswith(("front-matter", "metadata", "call")):
        # These once hung in str() of the expanded value: now a located limit error.
        assert result.get("error") == "limit", result


def test_alias_bomb_in_a_team_template_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(
        f"name: bomb\n{_laughs(False).replace('a: &a', 'xa: &a')}\n"
        "participants: {p: {id: P, label: *i}}\nstages: []\n"
    )
    result = render_bounded("template: bomb\n", str(tmp_path))
    assert result.get("error") == "limit", result


def test_small_aliases_still_work() -> None:
    """The bound is on expansion, not on anchors: a small alias is fine."""
    svg = mlseq.render("---\nname: &n Churn model\ntitle: *n\n---\nA->>B: x")
    assert "Churn model" in svg


# --- no network, ever ------------------------------------------------------------------


def _corpus_blocks() -> Iterator[tuple[str, str]]:
    for folder in ("corpus/mermaid-real", "corpus/ml-real", "corpus/mermaid-spec",
                   "peers/diagrams"):
        base = SHARED / folder
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and path.suffix in (".mmd", ".txt", ".md", ".mlseq"):
                    yield str(path), path.read_text(encoding="utf-8", errors="replace")
    for name, _ in list_templates():
        yield f"template {name}", f"template: {name}\n"
    payloads = json.loads((ROOT / "tests/fixtures/payloads/text.json").read_text())
    for payload in payloads:
        yield payload, f"participant A as {payload}\nA->>B: {payload}\nNote over A: {payload}"


def test_nothing_opens_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket.socket, "sendto", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    rendered = 0
    for where, block in _corpus_blocks():
        try:
            mlseq.render(block)
            mlseq.transcript(block)
            rendered += 1
        except MlseqError:
            pass
        assert not calls, where
    assert rendered > 10


_AUDIT = """
import json, sys
events = []
def hook(event, args):
    if event == "open":
        path = args[0]
        if isinstance(path, (str, bytes)):
            events.append(["open", path if isinstance(path, str) else path.decode()])
    elif event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.spawn",
                           "os.posix_spawn", "urllib.", "http.", "ctypes.")):
        events.append([event, repr(args)[:200]])
import mlseq
from mlseq.errors import MlseqError
blocks = json.loads(sys.stdin.read())
dirs = tuple(sys.argv[1:])
sys.addaudithook(hook)
for block in blocks:
    try:
        mlseq.render(block, template_dirs=dirs)
    except MlseqError:
        pass
sys.stdout.write(json.dumps(events))
"""


def test_audit_only_reads_allowed_files(folders: tuple[Path, Path]) -> None:
    """In a fresh interpreter with an audit hook: every file opened while rendering is
    Python's own, mlseq's own or inside the template folder; no socket, no process."""
    inside, outside = folders
    (inside / "evil.yaml").symlink_to(outside / "secret.yaml")
    corpus = [block for _, block in _corpus_blocks()][:200]
    blocks = [
        *corpus, "template: evil\n", "template: good\n", "template: ../outside/secret\n",
        "template: ml-workflow\n", *BOMBS.values(),
    ]
    proc = subprocess.run(
        [PYTHON, "-c", _AUDIT, str(inside)], input=json.dumps(blocks), capture_output=True,
        text=True, timeout=300, preexec_fn=_limit_memory, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = json.loads(proc.stdout)
    allowed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, ROOT / "core")]
    allowed.append(inside.resolve())
    for event, detail in events:
        assert event == "open", (event, detail)
        path = Path(detail).resolve()
        assert any(path.is_relative_to(a) for a in allowed), path
        assert not path.is_relative_to(outside.resolve()), path


# --- Sphinx: a diagram file argument stays inside the source directory -----------------


def test_sphinx_file_argument_cannot_leave_srcdir(tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (tmp_path / "secret.mmd").write_text(f"A->>B: {SECRET}\n")
    (src / "link.mmd").symlink_to(tmp_path / "secret.mmd")
    (src / "ok.mmd").write_text("A->>B: visible-ok\n")
    (src / "conf.py").write_text("extensions = ['sphinx_mlseq']\n")
    (src / "index.rst").write_text(textwrap.dedent(f"""\
        Test
        ====

        .. mlseq:: ../secret.mmd

        .. mlseq:: {tmp_path / "secret.mmd"}

        .. mlseq:: link.mmd

        .. mlseq:: /../secret.mmd

        .. mlseq:: ok.mmd
    """))
    warnings = io.StringIO()
    # docutils_namespace: Sphinx registers nodes and directives in docutils' global
    # tables; without it they leak into the Sphinx tests that run after this one.
    from sphinx.util.docutils import docutils_namespace

    with docutils_namespace():
        app = Sphinx(str(src), str(src), str(tmp_path / "out"), str(tmp_path / "doctrees"),
                     "html", status=io.StringIO(), warning=warnings, freshenv=True)
        app.build()
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "visible-ok" in html
    assert SECRET not in html
    log = warnings.getvalue()
    assert SECRET not in log
    assert log.count("mlseq") >= 4, log
