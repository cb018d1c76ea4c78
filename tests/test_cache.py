"""Caches never serve a wrong diagram and survive damaged cache files (issue #10).

MkDocs: the renderer's keys, the disk cache (``cache_dir``) under damaged, foreign,
unwritable and concurrently written entries, pruning. Sphinx: keys, and a damaged
``environment.pickle`` or domain data. Builds are real sites in temporary folders.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlseq
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mlseq import RenderOptions
from mlseq.options import Limits
from test_mkdocs import (
    HELLO_TEMPLATE,
    LOGGER,
    build_site,
    make_site,
    page,
    plugin_site,
    warnings,
)
from test_sphinx import count_renders, write_project

from mkdocs_mlseq import diskcache
from mkdocs_mlseq.diskcache import DiskCache, drawing_key, parse_entry
from mkdocs_mlseq.plugin import MlseqPlugin
from mkdocs_mlseq.renderer import DiagramRenderer

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

pytest_plugins = ["sphinx.testing.fixtures"]

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# A diagram every render option changes: a long label (wrap_width), wide enough to be
# narrowed (max_width), messages to number, a title to override.
WIDE = "\n".join(
    ["title Nightly training"]
    + [f"participant P{i} as Participant number {i}" for i in range(9)]
    + [f"P{i}->>P{i + 1}: a long message label that wraps when the wrap width is narrow"
       for i in range(8)]
)
OPTION_CHANGES: dict[str, Any] = {
    "theme": "dark",
    "mirror_actors": False,
    "wrap_width": 80.0,
    "max_width": 0.0,
    "autonumber": True,
    "legend": True,
    "font_size": 18.0,
    "css": True,
    "colors": {"text": "#123456"},
    "title": "Another title",
    "alt": "Another description",
    "template_dirs": ("elsewhere",),
    "id_salt": "1",
    "limits": Limits(max_label=3_999),
    "system_dark": False,
}
# Options that change the key but, by nature, not the bytes of this drawing (a default-
# theme drawing without embedded CSS has no dark rules to leave out).
SAME_BYTES = {"template_dirs", "limits", "system_dark"}


def fresh_build(root: Path, *, strict: bool = True) -> MlseqPlugin:
    """Build as a new ``mkdocs build`` process would: MkDocs keeps plugin instances
    within a process (for ``serve``), so drop the renderer and its memory cache first."""
    config = load_config(str(root / "mkdocs.yml"), strict=strict)
    plugin = config.plugins.get("mlseq")
    assert isinstance(plugin, MlseqPlugin)
    plugin.renderer = None
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return plugin


def counts(plugin: MlseqPlugin | None) -> tuple[int, int]:
    """(drawn, read from the disk cache) by the plugin's renderer."""
    assert plugin is not None and plugin.renderer is not None
    return plugin.renderer.renders, plugin.renderer.disk_hits


def svgs(html: str) -> list[str]:
    return SVG.findall(html)


def site_svgs(site: Path) -> dict[str, list[str]]:
    """Every page's diagrams, by page (what a reader of the site would see drawn)."""
    return {str(p.relative_to(site)): svgs(p.read_text(encoding="utf-8"))
            for p in sorted(site.rglob("*.html"))}


def infos(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == LOGGER and r.levelno == logging.INFO]


# -- keys -----------------------------------------------------------------------------------


def test_every_render_option_is_in_repr_and_in_the_key() -> None:
    """A new RenderOptions field left out of ``repr`` would let two option sets share
    a key: each field must show in ``repr`` and change both integrations' keys."""
    from sphinx_mlseq import cache

    assert {f.name for f in dataclasses.fields(RenderOptions)} == set(OPTION_CHANGES)
    base = RenderOptions(css=False)
    inputs = cache.BuildInputs(code="c", template_files=(), templates="t")
    for field in dataclasses.fields(RenderOptions):
        assert field.repr, field.name
        changed = base.updated({field.name: OPTION_CHANGES[field.name]})
        assert repr(changed) != repr(base), field.name
        assert drawing_key(WIDE, changed, "") != drawing_key(WIDE, base, ""), field.name
        assert (cache.digest(WIDE, changed, inputs, templates=False)
                != cache.digest(WIDE, base, inputs, templates=False)), field.name


def test_key_parts_cannot_run_into_each_other() -> None:
    options = RenderOptions()
    assert drawing_key("b", options, "a") != drawing_key("", options, "a\0b")
    assert drawing_key("a\0b", options, "") != drawing_key("b", options, "a")


@pytest.mark.parametrize("name", sorted(OPTION_CHANGES))
def test_each_option_change_redraws(tmp_path: Path, name: str) -> None:
    """Through the MkDocs renderer with its disk cache: a changed option is a miss (and
    different bytes, where the option changes this drawing), the same one a hit."""
    base = RenderOptions(css=False)
    renderer = DiagramRenderer(base, page_stylesheet=False, disk=DiskCache(tmp_path))
    renderer.begin_build()
    first = renderer.render_block(WIDE, {}, line=1)
    renderer.begin_document()
    assert renderer.render_block(WIDE, {}, line=1) == first
    assert (renderer.renders, renderer.cache_hits) == (1, 1)

    renderer.options = base.updated({name: OPTION_CHANGES[name]})
    renderer.begin_build()
    renderer.begin_document()
    changed = renderer.render_block(WIDE, {}, line=1)
    assert renderer.renders == 2, name
    if name not in SAME_BYTES:
        assert changed != first, name
    assert renderer.problems == 0


def test_same_input_hits_and_gives_the_same_bytes(tmp_path: Path) -> None:
    pages = {"index.md": f"# A\n\n```mlseq\n{WIDE}\n```\n\n```mlseq\nA->>B: two\n```\n",
             "other.md": f"# B\n\n```mlseq\n{WIDE}\n```\n"}
    root = make_site(tmp_path, plugin_site(), pages)
    plugin = fresh_build(root)
    assert counts(plugin) == (2, 0)
    assert plugin.renderer is not None and plugin.renderer.cache_hits == 1  # WIDE again
    before = site_svgs(root / "site")
    assert len(before["index.html"]) == 2

    plugin = fresh_build(root)  # a new process: only the disk cache is left
    assert counts(plugin) == (0, 2)
    assert site_svgs(root / "site") == before

    plugin = build_site(root, strict=True)  # `mkdocs serve` rebuild: memory hits
    assert counts(plugin) == (0, 2)
    assert plugin is not None and plugin.renderer is not None
    assert plugin.renderer.cache_hits == 6
    assert site_svgs(root / "site") == before


def test_version_change_redraws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(tmp_path, plugin_site(), {"index.md": "# A\n\n```mlseq\nA->>B: x\n```\n"})
    plugin = fresh_build(root)
    assert counts(plugin) == (1, 0)
    monkeypatch.setattr(mlseq, "__version__", "99.0")
    assert counts(build_site(root, strict=True)) == (2, 0)  # memory and disk both miss
    assert counts(fresh_build(root)) == (0, 1)  # what 99.0 drew was stored


def test_code_fingerprint_is_a_hash_of_the_package() -> None:
    root = Path(mlseq.__file__).resolve().parent
    assert (root / "svg.py").is_file() and (root / "templates" / "tfx.yaml").is_file()
    assert re.fullmatch(r"[0-9a-f]{64}", diskcache.code_fingerprint())


def edit_keeping_size_and_time(path: Path, old: str, new: str) -> None:
    """Change the file's text without changing its size or its modification time."""
    assert len(old.encode()) == len(new.encode())
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)


def test_template_edit_with_same_size_and_time_redraws(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    template = tmp_path / "team" / "hello.yaml"
    template.write_text(HELLO_TEMPLATE, encoding="utf-8")
    pages = {"index.md": "# A\n\n```mlseq\nA->>B: plain\n```\n",
             "team.md": "# T\n\n```mlseq\ntemplate: hello\n```\n"}
    root = make_site(tmp_path, plugin_site(template_dirs="[team]"), pages)
    plugin = fresh_build(root)
    assert counts(plugin) == (2, 0)
    assert "greeting version one" in page(root, "team/index.html")

    edit_keeping_size_and_time(template, "version one", "version 1.0")
    assert counts(build_site(root, strict=True)) == (3, 0)  # kept plugin: only the call
    assert "greeting version 1.0" in page(root, "team/index.html")

    edit_keeping_size_and_time(template, "version 1.0", "version 1.1")
    assert counts(fresh_build(root)) == (1, 1)  # a new process, the disk cache
    assert "greeting version 1.1" in page(root, "team/index.html")

    # a new file in the folder (which a template may `extends`) changes the key too
    (tmp_path / "team" / "extra.yaml").write_text(HELLO_TEMPLATE.replace("hello", "extra"))
    assert counts(fresh_build(root)) == (1, 1)


def test_lint_config_change_is_not_served_from_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "# A\n\n```mlseq\nparticipant Orphan\nA->>B: x\n```\n"
    root = make_site(tmp_path, plugin_site(lint="true"), {"index.md": text})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        fresh_build(root, strict=False)
    rules = {m[1] for m in re.finditer(r"mlseq: (ML\d{3})", "\n".join(warnings(caplog)))}
    assert rules, "expected a lint finding"
    caplog.clear()
    (root / "mkdocs.yml").write_text(
        plugin_site(lint="{ignore: [" + ", ".join(sorted(rules)) + "]}"))
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root, strict=True)  # the same plugin and its lint cache
    assert warnings(caplog) == []


# -- the disk cache: damaged, foreign, unwritable ----------------------------------------------

PAGES = {
    "index.md": "# A\n\n```mlseq\nA->>B: one\n```\n\n```mlseq\nA->>C: two\n```\n",
    "more.md": "# B\n\n```mlseq\nB->>C: three\n```\n",
}


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.mlseq"))


def entry_is_valid(path: Path) -> bool:
    return parse_entry(path.read_bytes(), path.name.removesuffix(".mlseq")) is not None


@pytest.fixture
def warm_site(tmp_path: Path) -> tuple[Path, dict[str, list[str]]]:
    """A site built once (three diagrams on disk) and its diagrams."""
    root = make_site(tmp_path, plugin_site(), PAGES)
    assert counts(fresh_build(root)) == (3, 0)
    assert len(entries(root / ".cache" / "mlseq")) == 3
    return root, site_svgs(root / "site")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _random_bytes(path: Path) -> None:
    path.write_bytes(hashlib.sha256(path.name.encode()).digest() * 40)


def _old_header(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"mlseq-drawing-cache 1", b"mlseq-drawing-cache 0"))


def _flipped_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01  # inside the SVG, a valid header: only the checksum can tell
    path.write_bytes(bytes(data))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "random bytes": _random_bytes,
    "old format header": _old_header,
    "one flipped byte": _flipped_byte,
    "empty": _empty,
    "a folder in its place": _directory,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_entries_are_drawn_again(
    warm_site: tuple[Path, dict[str, list[str]]], damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root, expected = warm_site
    folder = root / ".cache" / "mlseq"
    bad = entries(folder)[:2]
    for path in bad:
        DAMAGE[damage](path)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        plugin = fresh_build(root)  # strict: never a warning, never a failure
    assert counts(plugin) == (2, 1)
    assert site_svgs(root / "site") == expected
    assert warnings(caplog) == []
    messages = [m for m in infos(caplog) if "cache folder" in m]
    assert len(messages) == 1, messages
    if damage == "a folder in its place":
        assert "2 entries could not be read" in messages[0]
    else:
        assert "2 damaged or outdated entries were drawn again" in messages[0]
        assert all(entry_is_valid(path) for path in bad)  # rewritten
        assert counts(fresh_build(root)) == (0, 3)


def test_entry_of_another_key_is_refused(
    warm_site: tuple[Path, dict[str, list[str]]]
) -> None:
    root, expected = warm_site
    paths = entries(root / ".cache" / "mlseq")
    data = [p.read_bytes() for p in paths]
    for path, other in zip(paths, data[1:] + data[:1], strict=True):
        path.write_bytes(other)  # each holds another diagram's valid entry
    assert counts(fresh_build(root)) == (3, 0)
    assert site_svgs(root / "site") == expected


def test_entry_with_another_body_is_refused(
    warm_site: tuple[Path, dict[str, list[str]]]
) -> None:
    """Its own header (key and checksum) over another diagram's SVG."""
    root, expected = warm_site
    one, two, _ = entries(root / ".cache" / "mlseq")
    body = two.read_bytes().partition(b"\n\n")[2]
    head = one.read_bytes().partition(b"\n\n")[0]
    one.write_bytes(head + b"\n\n" + body)
    assert counts(fresh_build(root)) == (1, 2)
    assert site_svgs(root / "site") == expected


def test_cache_folder_that_cannot_be_made(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    root = make_site(tmp_path, plugin_site(), PAGES)
    (root / ".cache").mkdir()
    (root / ".cache" / "mlseq").write_text("a file where the folder should be")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        plugin = fresh_build(root)
    assert counts(plugin) == (3, 0)
    assert len(site_svgs(root / "site")["index.html"]) == 2
    messages = [m for m in infos(caplog) if "cache folder" in m]
    assert len(messages) == 1 and "drawings could not be saved" in messages[0], messages
    assert warnings(caplog) == []


def test_cache_writes_that_fail_midway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """os.replace failing (a full disk, a permission) leaves no file behind."""
    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(diskcache.os, "replace", refuse)
    root = make_site(tmp_path, plugin_site(), PAGES)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        assert counts(fresh_build(root)) == (3, 0)
    folder = root / ".cache" / "mlseq"
    assert [p.name for p in folder.iterdir() if p.suffix == ".mlseq"] == []
    messages = [m for m in infos(caplog) if "cache folder" in m]
    assert messages == [f"mlseq: cache folder {folder}: drawings could not be saved "
                        f"(Permission denied)"]


@pytest.mark.skipif(AS_ROOT or sys.platform == "win32",
                    reason="permissions do not bind root; POSIX modes")
def test_read_only_cache_folder_and_unreadable_entry(
    warm_site: tuple[Path, dict[str, list[str]]], caplog: pytest.LogCaptureFixture
) -> None:
    root, expected = warm_site
    folder = root / ".cache" / "mlseq"
    first = entries(folder)[0]
    first.chmod(0)
    folder.chmod(0o500)
    try:
        with caplog.at_level(logging.INFO, logger=LOGGER):
            plugin = fresh_build(root)
    finally:
        folder.chmod(0o700)
        first.chmod(0o600)
    assert counts(plugin) == (1, 2)
    assert site_svgs(root / "site") == expected
    assert len([m for m in infos(caplog) if "cache folder" in m]) == 1


def test_broken_diagrams_are_not_stored_and_warn_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "# A\n\n```mlseq\nA->>B: fine\n```\n\n```mlseq\nA->>B: ok\nno statement here\n```\n"
    root = make_site(tmp_path, plugin_site(), {"index.md": text})
    for drawn in ((2, 0), (1, 1)):  # the second build: a new process, a warm disk cache
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            assert counts(fresh_build(root, strict=False)) == drawn
        assert [m.split(": mlseq:")[0] for m in warnings(caplog)] == ["docs/index.md:9"]
        assert len(entries(root / ".cache" / "mlseq")) == 1
        assert "mlseq-error" in page(root)


# -- options of the disk cache -------------------------------------------------------------------


def test_cache_dir_relative_to_mkdocs_yml_with_markers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site(tmp_path, plugin_site(cache_dir="build-cache/diagrams"), PAGES)
    monkeypatch.chdir(tmp_path.parent)  # relative to the config file, not the cwd
    fresh_build(root)
    folder = root / "build-cache" / "diagrams"
    assert len(entries(folder)) == 3 and all(entry_is_valid(p) for p in entries(folder))
    assert (folder / ".gitignore").read_text().endswith("*\n")
    assert (folder / "CACHEDIR.TAG").read_text().startswith(
        "Signature: 8a477f597d28d172789f06886806bc55")
    assert not (root / ".cache").exists()


@pytest.mark.parametrize("options", [{"cache_dir": '""'}, {"cache": "false"}])
def test_disk_cache_can_be_turned_off(tmp_path: Path, options: dict[str, str]) -> None:
    root = make_site(tmp_path, plugin_site(**options), PAGES)
    assert counts(fresh_build(root)) == (3, 0)
    assert not (root / ".cache").exists()
    assert len(site_svgs(root / "site")["index.html"]) == 2


def test_cache_dir_inside_docs_dir_is_refused(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    root = make_site(tmp_path, plugin_site(cache_dir="docs/.cache"), PAGES)
    with pytest.raises(Abort):
        fresh_build(root)
    assert ("mlseq plugin option cache_dir: 'docs/.cache' is inside docs_dir; choose a "
            "folder outside it (default .cache/mlseq)") in caplog.text


def test_full_build_prunes_what_it_did_not_use(tmp_path: Path) -> None:
    root = make_site(tmp_path, plugin_site(), PAGES)
    fresh_build(root)
    folder = root / ".cache" / "mlseq"
    for path in entries(folder):  # an hour old: written by an earlier build
        os.utime(path, (path.stat().st_atime - 3600, path.stat().st_mtime - 3600))
    stale_temp = folder / ".tmp-dead.mlseq"
    stale_temp.write_bytes(b"half")
    os.utime(stale_temp, (1, 1))
    (root / "docs" / "more.md").write_text("# B\n\n```mlseq\nB->>C: changed\n```\n")
    before = {p.name for p in entries(folder)}

    # A dirty build draws only changed pages: it must not prune.
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=True)
    build(config, dirty=True)
    config.plugins.on_shutdown()
    assert before < {p.name for p in entries(folder)}

    assert counts(fresh_build(root)) == (0, 3)  # full: "three" goes, "changed" stays
    after = {p.name for p in entries(folder)}
    assert len(after) == 3 and len(after & before) == 2
    assert not stale_temp.exists()
    assert (folder / ".gitignore").exists()


# -- concurrency ---------------------------------------------------------------------------------

WRITER = """\
import sys
from mkdocs_mlseq.diskcache import DiskCache
cache = DiskCache(sys.argv[1])
drawing = sys.argv[3] * 200_000
for _ in range(int(sys.argv[4])):
    cache.put(sys.argv[2], drawing)
assert cache.write_error is None, cache.write_error
"""


def test_concurrent_writers_never_show_a_torn_entry(tmp_path: Path) -> None:
    """Two processes rewrite one entry (200 kB) while this one reads it: every read is
    one writer's whole entry, never a mix, a truncation or a miss once it exists."""
    key = "ab" * 32
    drawings = {letter * 200_000 for letter in "xy"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), key, letter,
                                 "150"]) for letter in "xy"]
    cache = DiskCache(tmp_path)
    seen: set[str] = set()
    reads = 0
    while any(w.poll() is None for w in writers) or not seen:
        got = cache.get(key)
        if got is None and not seen and cache.damaged == cache.unreadable == 0:
            if all(w.poll() is not None for w in writers):
                break  # both gone without writing: the asserts below say why
            continue  # not written yet
        reads += 1
        assert got in drawings
        seen.add(got)
    assert [w.wait() for w in writers] == [0, 0]
    assert reads > 0 and cache.damaged == cache.unreadable == 0
    assert cache.get(key) in drawings
    assert not list(tmp_path.glob(".tmp-*"))


def test_two_builds_into_one_cache_folder(tmp_path: Path) -> None:
    pages = {f"p{n}.md": "".join(f"# P{n}\n\n```mlseq\nA{n}->>B{k}: step {n}.{k}\n```\n\n"
                                 for k in range(8)) for n in range(6)}
    root = make_site(tmp_path, plugin_site(), pages)
    runs = [subprocess.Popen([sys.executable, "-m", "mkdocs", "build", "-q", "-s",
                              "-d", str(tmp_path / f"site{n}")], cwd=root,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for n in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    folder = root / ".cache" / "mlseq"
    assert len(entries(folder)) == 48
    assert all(entry_is_valid(path) for path in entries(folder))
    assert not list(folder.glob(".tmp-*"))
    assert site_svgs(tmp_path / "site0") == site_svgs(tmp_path / "site1")
    # and a third build is served entirely from what they wrote
    assert counts(fresh_build(root)) == (0, 48)
    assert site_svgs(root / "site") == site_svgs(tmp_path / "site0")


# -- Sphinx: the environment pickle is its cache file ------------------------------------------

TEAM_CONF = 'extensions = ["sphinx_mlseq"]\nmlseq_template_dirs = ["team"]\n'
SPHINX_FILES = {
    "conf.py": TEAM_CONF,
    "index.rst": "Index\n=====\n\n.. toctree::\n\n   plain\n\n.. mlseq::\n\n"
                 "   template: hello\n\n.. mlseq::\n\n   A->>B: on the index\n",
    "plain.rst": "Plain\n=====\n\n.. mlseq::\n\n   A->>B: one\n\n.. mlseq::\n\n"
                 "   B->>C: two\n\n.. mlseq::\n   :theme: dark\n\n   B->>C: two\n",
    "team/hello.yaml": HELLO_TEMPLATE,
}
SPHINX_DIAGRAMS = 5


def sphinx_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "src", SPHINX_FILES)


def sphinx_svgs(outdir: Path) -> dict[str, list[str]]:
    return {name: svgs((outdir / name).read_text(encoding="utf-8"))
            for name in ("index.html", "plain.html")}


def build_sphinx(make_app: Callable[..., SphinxTestApp], src: Path, build_dir: Path
                 ) -> SphinxTestApp:
    app = make_app("html", srcdir=src, builddir=build_dir)
    app.build()
    return app


@pytest.fixture
def sphinx_built(make_app: Callable[..., SphinxTestApp], tmp_path: Path
                 ) -> tuple[Path, Path, dict[str, list[str]]]:
    src = sphinx_project(tmp_path)
    app = build_sphinx(make_app, src, tmp_path / "build")
    expected = sphinx_svgs(app.outdir)
    assert sum(len(v) for v in expected.values()) == SPHINX_DIAGRAMS
    assert "greeting version one" in expected["index.html"][0]
    return src, tmp_path / "build", expected


def env_pickle(build_dir: Path) -> Path:
    path = build_dir / "doctrees" / "environment.pickle"
    assert path.is_file()
    return path


def edit_env(build_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = env_pickle(build_dir)
    with path.open("rb") as handle:
        env = pickle.load(handle)
    change(env.domaindata["mlseq"])
    with path.open("wb") as handle:
        pickle.dump(env, handle, pickle.HIGHEST_PROTOCOL)


def _unpicklable(path: Path) -> None:
    path.write_bytes(b"\x80\x05not a pickle at all" * 10)


PICKLE_DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "random bytes": _unpicklable,
    "empty": _empty,
}


@pytest.mark.parametrize("damage", sorted(PICKLE_DAMAGE))
def test_sphinx_damaged_pickle_rebuilds_everything(
    make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch,
    sphinx_built: tuple[Path, Path, dict[str, list[str]]], damage: str,
) -> None:
    src, build_dir, expected = sphinx_built
    PICKLE_DAMAGE[damage](env_pickle(build_dir))
    calls = count_renders(monkeypatch)
    app = build_sphinx(make_app, src, build_dir)
    assert len(calls) == SPHINX_DIAGRAMS  # a fresh environment: every diagram drawn
    assert sphinx_svgs(app.outdir) == expected


def test_sphinx_old_data_version_rebuilds_everything(
    make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch,
    sphinx_built: tuple[Path, Path, dict[str, list[str]]],
) -> None:
    src, build_dir, expected = sphinx_built
    edit_env(build_dir, lambda data: data.update(version=1))
    calls = count_renders(monkeypatch)
    app = build_sphinx(make_app, src, build_dir)
    assert len(calls) == SPHINX_DIAGRAMS
    assert sphinx_svgs(app.outdir) == expected


def _wrong_drawings(data: dict[str, Any]) -> None:
    for key in data["drawings"]:
        data["drawings"][key] = '<svg class="mlseq">WRONG</svg>'


def _swapped_drawings(data: dict[str, Any]) -> None:
    keys = sorted(data["drawings"])
    values = [data["drawings"][k] for k in keys]
    checks = [data["checks"][k] for k in keys]
    for key, value, check in zip(keys, values[1:] + values[:1], checks[1:] + checks[:1],
                                 strict=True):
        data["drawings"][key] = value
        data["checks"][key] = check


def _wrong_types(data: dict[str, Any]) -> None:
    for key in data["drawings"]:
        data["drawings"][key] = 42
    data["checks"] = None
    data["used"] = {"index": "not a list", 3: ["x"]}
    data["docs"] = ["index"]
    data["code"] = b"bytes"


def _missing_tables(data: dict[str, Any]) -> None:
    for name in ("drawings", "checks", "used", "docs", "code", "templates"):
        del data[name]


DATA_DAMAGE: dict[str, Callable[[dict[str, Any]], None]] = {
    "wrong drawings": _wrong_drawings,
    "drawings swapped with their checks": _swapped_drawings,
    "wrong types": _wrong_types,
    "missing tables": _missing_tables,
}


@pytest.mark.parametrize("path", ["write only", "read again"])
@pytest.mark.parametrize("damage", sorted(DATA_DAMAGE))
def test_sphinx_damaged_domain_data_never_serves_a_wrong_drawing(
    make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch,
    sphinx_built: tuple[Path, Path, dict[str, list[str]]], damage: str, path: str,
) -> None:
    """The pickle loads, but this domain's data is wrong. Whether the pages are only
    written again (their doctrees hold the keys) or read again (the directive looks the
    drawings up), each diagram is drawn anew and correctly."""
    src, build_dir, expected = sphinx_built
    edit_env(build_dir, DATA_DAMAGE[damage])
    if path == "write only":
        for name in expected:
            (build_dir / "html" / name).unlink()
    else:
        for name in ("index.rst", "plain.rst"):
            (src / name).write_text((src / name).read_text() + "\n")
    calls = count_renders(monkeypatch)
    app = build_sphinx(make_app, src, build_dir)
    assert sphinx_svgs(app.outdir) == expected
    assert "WRONG" not in (app.outdir / "index.html").read_text()
    assert len(calls) == SPHINX_DIAGRAMS
    # The environment heals where it can: documents whose recorded drawings fail their
    # check are read again (and their drawings stored); records lost with the damage
    # leave only the page writer, which still draws every diagram correctly.
    healed = path == "read again" or damage in ("wrong drawings",
                                                "drawings swapped with their checks")
    calls.clear()
    for name in expected:
        (build_dir / "html" / name).unlink()
    app = build_sphinx(make_app, src, build_dir)
    assert sphinx_svgs(app.outdir) == expected
    assert len(calls) == (0 if healed else SPHINX_DIAGRAMS)


def test_sphinx_version_change_rereads_and_redraws(
    make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch,
    sphinx_built: tuple[Path, Path, dict[str, list[str]]],
) -> None:
    src, build_dir, expected = sphinx_built
    calls = count_renders(monkeypatch)
    build_sphinx(make_app, src, build_dir)
    assert calls == []  # nothing changed, nothing drawn
    monkeypatch.setattr(mlseq, "__version__", "99.0")
    app = build_sphinx(make_app, src, build_dir)
    # Sphinx saw no file change; the domain sent every page with diagrams back
    assert len(calls) == SPHINX_DIAGRAMS
    assert sphinx_svgs(app.outdir) == expected


def test_sphinx_template_edit_with_same_size_and_time_redraws(
    make_app: Callable[..., SphinxTestApp], monkeypatch: pytest.MonkeyPatch,
    sphinx_built: tuple[Path, Path, dict[str, list[str]]],
) -> None:
    src, build_dir, _ = sphinx_built
    edit_keeping_size_and_time(src / "team" / "hello.yaml", "version one", "version 1.0")
    calls = count_renders(monkeypatch)
    app = build_sphinx(make_app, src, build_dir)
    # only the page calling a template is read again, and only its call drawn
    assert len(calls) == 1 and calls[0].startswith("template: hello")
    assert "greeting version 1.0" in (app.outdir / "index.html").read_text()


@pytest.mark.parametrize("name", sorted(set(OPTION_CHANGES) - {"css", "template_dirs"}))
def test_sphinx_key_follows_each_option(name: str) -> None:
    from sphinx_mlseq import cache

    inputs = cache.BuildInputs(code="c", template_files=(), templates="")
    base = RenderOptions(css=False)
    keys = {cache.digest(WIDE, base.updated({name: value}), inputs, templates=False)
            for value in (getattr(base, name), OPTION_CHANGES[name])}
    assert len(keys) == 2


def test_sphinx_code_fingerprint_covers_engine_and_versions(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from sphinx_mlseq import cache

    fingerprints = {cache.code_fingerprint("pdflatex"), cache.code_fingerprint("xelatex")}
    monkeypatch.setattr(mlseq, "__version__", "99.0")
    fingerprints.add(cache.code_fingerprint("pdflatex"))
    assert len(fingerprints) == 3


def test_sphinx_one_application_building_twice_sees_a_template_edit(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build inputs are hashed per build, not once per application."""
    src = sphinx_project(tmp_path)
    app = build_sphinx(make_app, src, tmp_path / "build")
    edit_keeping_size_and_time(src / "team" / "hello.yaml", "version one", "version 1.0")
    calls = count_renders(monkeypatch)
    app.build()
    assert len(calls) == 1
    assert "greeting version 1.0" in (app.outdir / "index.html").read_text()
