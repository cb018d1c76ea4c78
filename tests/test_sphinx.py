"""The Sphinx extension, built for real with ``sphinx.testing`` test roots (tests/roots)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import mlseq
import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from sphinx.testing.util import SphinxTestApp

pytest_plugins = ["sphinx.testing.fixtures"]

ROOTS = Path(__file__).resolve().parent / "roots"
SVG_ID = re.compile(r'<svg [^>]*\bid="([^"]+)"')


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


def warnings_of(app: SphinxTestApp) -> str:
    from sphinx.util.console import strip_escape_sequences

    return strip_escape_sequences(app.warning.getvalue())


def page(app: SphinxTestApp, name: str = "index.html") -> str:
    return (app.outdir / name).read_text(encoding="utf-8")


def block_error(source: str) -> mlseq.MlseqError:
    """The error the core reports for a block (its wording belongs to the parser)."""
    with pytest.raises(mlseq.MlseqError) as info:
        mlseq.parse(source)
    return info.value


def expected_warning(path: Path, line: int, error: mlseq.MlseqError) -> str:
    hint = f" ({error.hint})" if error.hint else ""
    return (
        f"{path}:{line}: WARNING: mlseq: {error.message}{hint} [mlseq.{error.code.value}]"
    )


DEACTIVATE_BLOCK = (
    "participant Training\nparticipant Registry\nTraining->>Registry: register\n"
    "Registry-->>Training: ok\ndeactivate Training"
)
BROKEN_FILE = (ROOTS / "test-mlseq-errors" / "diagrams" / "broken.mmd").read_text()


# -- HTML ------------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_html_inline_svg_in_figures(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app) == ""
    html = page(app)
    # five diagrams: inline, captioned, all options, file (relative), file (absolute)
    assert html.count("<svg ") == 5
    assert html.count('<figure class="mlseq') == 5
    assert "register model v7" in html
    assert "<img" not in html.split('<div class="body"', 1)[-1].split("</main>")[0]


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_caption_numfig_and_references(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    figure = re.search(r'<figure class="mlseq align-center" id="fig-training">(.*?)</figure>',
                       html, re.S)
    assert figure is not None, html
    body = figure.group(1)
    assert "<svg " in body and "start nightly run" in body
    assert re.search(r"<figcaption>\s*<p><span class=\"caption-number\">Fig\. 1 </span>"
                     r"<span class=\"caption-text\">The <em>training</em> loop</span>", body)
    # :numref: and :ref: both resolve to the figure
    assert '<a class="reference internal" href="#fig-training"><span class="std std-numref">'\
           "Fig. 1</span></a>" in html
    assert '<a class="reference internal" href="#fig-training"><span class="std std-ref">'\
           "the loop</span></a>" in html
    # the second captioned diagram is Fig. 2; uncaptioned ones are not numbered
    assert html.count('class="caption-number"') == 2
    assert "Fig. 2 </span><span class=\"caption-text\">From the source root" in html


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_every_directive_option(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    match = re.search(r'(<figure class="mlseq wide special align-right"[^>]*>)(.*?)</figure>',
                      html, re.S)
    assert match is not None, html
    start, svg = match.groups()
    assert 'id="plain-target"' in start  # :name:
    assert 'style="width: 50%"' in start  # :width:
    assert "<title id=" in svg and ">Online serving</title>" in svg  # :title:
    assert ">A request from the client to the model server, and its reply.</desc>" in svg  # :alt:
    assert "#3f6e35" in svg  # :theme: forest (scoped to this diagram)
    assert 'class="bc"' in svg  # :autonumber: badges
    assert ">call</text>" in svg and ">reply</text>" in svg  # :legend:
    assert svg.count(">Client</text>") == 1  # :mirror-actors: false: no heads at the bottom
    # :wrap-width: 120 wraps the long label onto several lines
    assert "<tspan" in svg
    assert 'font-size="16"' in svg.split(">", 1)[0]  # :font-size:
    # the same diagram without options: default theme, mirrored heads, no badges
    plain = mlseq.render("actor Client\nparticipant Server\n"
                         "Client->>Server: predict(features) for a rather long request label\n"
                         "Server-->>Client: scores", css=False)
    assert plain.count(">Client</text>") == 2 and 'class="bc"' not in plain
    # the other pages: :align: left
    assert '<figure class="mlseq align-left">' in page(app, "other.html")


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_file_argument_relative_and_absolute(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    assert html.count(">compute features</text>") == 2
    expected = mlseq.render((ROOTS / "test-mlseq-basic/diagrams/flow.mmd").read_text(),
                            css=False)
    assert expected in html
    # the page depends on the file: editing it rebuilds the page
    assert app.srcdir / "diagrams" / "flow.mmd" in {
        Path(p) for p in app.env.dependencies["index"]}


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_stylesheet_once_per_page_that_needs_it(app: SphinxTestApp) -> None:
    app.build()
    link = '<link rel="stylesheet" type="text/css" href="_static/mlseq.css'
    assert page(app).count(link) == 1
    assert page(app, "other.html").count(link) == 1
    assert link not in page(app, "nodiagram.html")
    css = (app.outdir / "_static" / "mlseq.css").read_text()
    assert css.startswith("svg.mlseq,")  # the core's stylesheet for mlseq_theme
    assert ".mlseq-error" in css
    # the structural rules live in the stylesheet, not in every SVG
    assert ".mlseq .lf{" in css and ".mlseq .lf{" not in page(app)


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True)
def test_diagrams_on_one_page_have_distinct_ids(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    ids = SVG_ID.findall(html)
    # the same file is shown twice: the second copy has its own ids (id_salt)
    assert len(ids) == 5 and len(set(ids)) == 5
    all_ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(all_ids) == len(set(all_ids))
    # and every reference inside an SVG points at an id of that same SVG
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        own = SVG_ID.search(svg)
        assert own is not None
        for ref in re.findall(r'url\(#([^)]+)\)|aria-labelledby="([^"]+)"', svg):
            for name in " ".join(ref).split():
                assert name.startswith(own.group(1))


@pytest.mark.parametrize("builder", ["dirhtml", "singlehtml", "epub"])
def test_other_html_builders(make_app: Callable[..., SphinxTestApp], builder: str,
                             tmp_path: Path) -> None:
    app = make_app(builder, srcdir=ROOTS / "test-mlseq-basic", builddir=tmp_path,
                   freshenv=True, confoverrides={"version": "1", "copyright": "mlseq"})
    app.build()
    assert warnings_of(app) == ""
    index = "index.xhtml" if builder == "epub" else "index.html"
    html = page(app, index)
    # singlehtml: other.rst is inlined into the one page too
    assert html.count("<svg ") == (6 if builder == "singlehtml" else 5)
    assert "_static/mlseq.css" in html
    assert (app.outdir / "_static" / "mlseq.css").is_file()
    if builder == "epub":
        assert "_static/mlseq.css" in (app.outdir / "content.opf").read_text()


# -- errors ----------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="mlseq-errors", freshenv=True)
def test_broken_diagrams_warn_at_their_line(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app).splitlines()
    inline = expected_warning(app.srcdir / "index.rst", 16, block_error(DEACTIVATE_BLOCK))
    in_file = expected_warning(app.srcdir / "diagrams" / "broken.mmd", 4,
                               block_error(BROKEN_FILE))
    assert warnings == [inline, in_file]
    assert "cannot deactivate 'Training'" in inline
    assert "broken.mmd:4: WARNING: mlseq: 'end' without an open block" in in_file


@pytest.mark.sphinx("html", testroot="mlseq-errors", freshenv=True)
def test_error_box_in_place_and_other_diagrams_drawn(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    assert html.count('<div class="mlseq-error" role="alert">') == 2
    assert html.count("<svg ") == 2
    assert ">still drawn</text>" in html and ">fine</text>" in html
    # the box says where, with the line of the page, and shows the offending line
    assert "mlseq: index.rst: 16:12: cannot deactivate" in html
    assert '<pre class="mlseq-error-source">deactivate Training</pre>' in html
    assert "mlseq: diagrams/broken.mmd: 4:5: &#39;end&#39; without an open block" in html
    # the captioned broken diagram keeps its caption
    assert re.search(r'<figure class="mlseq[^"]*" id="id1">\s*<div class="mlseq-diagram">\s*'
                     r'<div class="mlseq-error"', html)
    # order on the page: fine, broken, broken file, still drawn
    positions = [html.index(s) for s in (">fine</text>", "cannot deactivate",
                                         "without an open block", ">still drawn</text>")]
    assert positions == sorted(positions)


@pytest.mark.sphinx("html", testroot="mlseq-errors", freshenv=True,
                    confoverrides={"suppress_warnings": ["mlseq.activation"]})
def test_suppress_warnings_by_subtype(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    assert "cannot deactivate" not in warnings
    assert "without an open block" in warnings  # other subtypes still reported
    assert page(app).count('class="mlseq-error"') == 2  # the box is still shown


@pytest.mark.sphinx("html", testroot="mlseq-errors", freshenv=True,
                    confoverrides={"suppress_warnings": ["mlseq"]})
def test_suppress_all_mlseq_warnings(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app) == ""


@pytest.mark.sphinx("html", testroot="mlseq-errors", freshenv=True, warningiserror=True)
def test_warnings_as_errors_fail_the_build(app: SphinxTestApp) -> None:
    app.build()
    assert app.statuscode == 1
    assert "cannot deactivate" in warnings_of(app)


@pytest.mark.sphinx("html", testroot="mlseq-basic", freshenv=True, warningiserror=True)
def test_warnings_as_errors_pass_a_clean_build(app: SphinxTestApp) -> None:
    app.build()
    assert app.statuscode == 0


def test_dash_w_fails_sphinx_build(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
         str(ROOTS / "test-mlseq-errors"), str(tmp_path / "out"),
         "-d", str(tmp_path / "doctrees")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "index.rst:16: WARNING: mlseq: cannot deactivate 'Training'" in result.stderr


def write_project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    files = {"conf.py": 'extensions = ["sphinx_mlseq"]\n', **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_directive_mistakes(make_app: Callable[..., SphinxTestApp], tmp_path: Path) -> None:
    outside = tmp_path / "secret.mmd"
    outside.write_text("A->>B: secret\n")
    src = write_project(tmp_path / "src", {"index.rst": (
        "Mistakes\n========\n\n"
        ".. mlseq:: ../secret.mmd\n\n"                     # line 4: outside srcdir
        ".. mlseq:: missing.mmd\n\n"                       # line 6: no such file
        ".. mlseq::\n   :theme: midnight\n\n   A->>B: x\n\n"  # line 8: bad theme
        ".. mlseq::\n\n"                                   # line 13: empty
        ".. mlseq:: flow.mmd\n\n   A->>B: both\n\n"        # line 15: content and file
    ), "flow.mmd": "A->>B: hi\n"})
    app = make_app("html", srcdir=src, builddir=tmp_path / "build", freshenv=True)
    app.build()
    warnings = warnings_of(app)
    index = src / "index.rst"
    assert f"{index}:4: WARNING: mlseq: diagram file '../secret.mmd' is outside the source " \
           "directory [mlseq.io]" in warnings
    assert f"{index}:6: WARNING: mlseq: cannot read diagram file 'missing.mmd'" in warnings
    assert re.search(rf"{re.escape(str(index))}:8: WARNING: mlseq: unknown theme 'midnight'.*"
                     r"\[mlseq.option\]", warnings)
    assert f"{index}:13: WARNING: mlseq: empty diagram" in warnings
    assert f"{index}:15: WARNING: mlseq: give the diagram as content or as a file argument" \
        in warnings
    html = page(app)
    assert "secret" not in html.replace("../secret.mmd", "")
    assert html.count('class="mlseq-error"') == 5


def test_bad_conf_value_fails_once(make_app: Callable[..., SphinxTestApp],
                                   tmp_path: Path) -> None:
    from sphinx.errors import ConfigError

    src = write_project(tmp_path / "src", {"index.rst": "Hi\n==\n"})
    with pytest.raises(ConfigError, match=r"mlseq: conf\.py: unknown theme 'drak'"):
        make_app("html", srcdir=src, builddir=tmp_path / "build",
                 confoverrides={"mlseq_theme": "drak"})


# -- MyST ------------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="mlseq-myst", freshenv=True)
def test_myst_directive_and_fence(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    assert html.count("<svg ") == 2
    assert ">predict</text>" in html and ">write scores</text>" in html
    assert re.search(r'<figure class="mlseq align-default" id="myst-fig">', html)
    assert "Drawn from MyST" in html
    assert '<span class="std std-numref">Fig. 1</span>' in html
    assert '<figure class="mlseq align-left mlseq-failed">' in html
    warnings = warnings_of(app).splitlines()
    index = app.srcdir / "index.md"
    assert warnings == [
        expected_warning(index, 25, block_error(
            "participant Worker\nWorker->>Worker: ok\ndeactivate Worker")),
        expected_warning(index, 31, block_error(
            "participant Late\nLate->>Late: fine\nthis is not a statement")),
    ]


# -- other builders ----------------------------------------------------------------------


@pytest.mark.sphinx("latex", testroot="mlseq-basic", freshenv=True)
def test_latex_tikz_pictures(app: SphinxTestApp) -> None:
    app.build()
    assert warnings_of(app) == ""
    tex = next(app.outdir.glob("*.tex")).read_text()
    assert tex.count("\\begin{tikzpicture}") == 6  # five on index, one on other
    assert tex.count("\\usepackage{sphinxmlseq}") == 1
    assert (app.outdir / "sphinxmlseq.sty").read_text().count("\\RequirePackage{tikz}") == 1
    assert "\\caption{The \\sphinxstyleemphasis{training} loop}" in tex
    assert "register model v7" in tex
    assert "\\begin{mlseqdiagram}" in tex
    assert "\\resizebox{0.500\\linewidth}{!}" in tex  # :width: 50%
    # every picture is closed and balanced
    assert tex.count("\\begin{tikzpicture}") == tex.count("\\end{tikzpicture}")


@pytest.mark.sphinx("latex", testroot="mlseq-errors", freshenv=True)
def test_latex_error_box(app: SphinxTestApp) -> None:
    app.build()
    tex = next(app.outdir.glob("*.tex")).read_text()
    assert tex.count("\\textbf{mlseq error:}") == 2
    assert tex.count("\\begin{tikzpicture}") == 2


@pytest.mark.sphinx("text", testroot="mlseq-basic", freshenv=True)
def test_text_builder_shows_transcript(app: SphinxTestApp) -> None:
    app.build()
    text = page(app, "index.txt")
    assert "1. Trainer calls Registry: register model v7" in text
    assert "2. Registry replies to Trainer: version 7" in text
    assert "The *training* loop" in text  # the caption stays under its transcript


@pytest.mark.sphinx("text", testroot="mlseq-errors", freshenv=True)
def test_text_builder_shows_errors(app: SphinxTestApp) -> None:
    app.build()
    text = page(app, "index.txt")
    assert "[index.rst:16: mlseq: cannot deactivate 'Training'" in text
    assert "still drawn" in text


@pytest.mark.parametrize(("builder", "glob"), [("man", "*.1"), ("texinfo", "*.texi")])
def test_man_and_texinfo_show_transcript(make_app: Callable[..., SphinxTestApp],
                                         tmp_path: Path, builder: str, glob: str) -> None:
    app = make_app(builder, srcdir=ROOTS / "test-mlseq-basic", builddir=tmp_path,
                   freshenv=True)
    app.build()
    assert warnings_of(app) == ""
    out = next(app.outdir.glob(glob)).read_text()
    assert "register model v7" in out
    assert "Registry replies to Trainer" in out


# -- caching and parallel builds -----------------------------------------------------------


def count_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = mlseq.render

    def counting(source: str, **kwargs: object) -> str:
        calls.append(source)
        return real(source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(mlseq, "render", counting)
    return calls


def test_incremental_build_reuses_unchanged_diagrams(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-mlseq-basic", src)
    calls = count_renders(monkeypatch)
    make_app("html", srcdir=src, builddir=tmp_path / "build").build()
    # six diagrams, six drawings: the file shown twice on a page is drawn again with
    # salted ids (RenderOptions.id_salt), so its ids stay unique
    assert len(calls) == 6

    # No change: nothing is read, nothing is drawn.
    calls.clear()
    make_app("html", srcdir=src, builddir=tmp_path / "build").build()
    assert calls == []

    # One page edited: it is read again, but only its new diagram is drawn.
    calls.clear()
    other = src / "other.rst"
    other.write_text(other.read_text() + "\n.. mlseq::\n\n   Carol->>Dave: new\n")
    app = make_app("html", srcdir=src, builddir=tmp_path / "build")
    app.build()
    assert calls == ["Carol->>Dave: new"]
    assert page(app, "other.html").count("<svg ") == 2

    # Editing an included file redraws the pages that include it, and only that diagram.
    calls.clear()
    flow = src / "diagrams" / "flow.mmd"
    flow.write_text(flow.read_text() + "    Features->>Data: again\n")
    app = make_app("html", srcdir=src, builddir=tmp_path / "build")
    app.build()
    assert len(calls) == 2 and all("again" in call for call in calls)
    assert page(app).count(">again</text>") == 2
    # the drawing of the old file content is dropped from the cache
    from sphinx_mlseq import cache

    drawings = cache.domain_of(app.env).drawings
    assert len(drawings) == 7  # index: 5 (the file twice), other: 2
    flows = [d for d in drawings.values() if "feature table" in d]
    assert len(flows) == 2 and all("again" in flow for flow in flows)


def test_theme_change_in_conf_redraws(make_app: Callable[..., SphinxTestApp],
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-mlseq-basic", src)
    make_app("html", srcdir=src, builddir=tmp_path / "build").build()
    calls = count_renders(monkeypatch)
    app = make_app("html", srcdir=src, builddir=tmp_path / "build",
                   confoverrides={"mlseq_theme": "neutral"})
    app.build()
    # everything but the diagram that sets its own :theme: is drawn again
    assert len(calls) == 5
    assert not any("Client" in c for c in calls)
    css = (app.outdir / "_static" / "mlseq.css").read_text()
    # (the test project uses alabaster, which has no dark mode: no system dark either)
    assert css == mlseq.stylesheet(theme="neutral", system_dark=False) + "\n" + \
        (Path(__file__).resolve().parent.parent / "sphinx_mlseq" / "mlseq.css").read_text()


def many_diagrams_project(root: Path, pages: int = 12, per_page: int = 3) -> Path:
    files: dict[str, str] = {}
    names = []
    for p in range(pages):
        name = f"page{p:02d}"
        names.append(name)
        body = [f"Page {p}", "=" * 10, ""]
        for d in range(per_page):
            body += [".. mlseq::", f"   :caption: Diagram {p}.{d}", "",
                     f"   participant Data{p}", f"   participant Model{d}",
                     f"   Data{p}->>Model{d}: train step {p}.{d}",
                     f"   Model{d}-->>Data{p}: metrics {d}", ""]
        files[f"{name}.rst"] = "\n".join(body)
    files["index.rst"] = "Index\n=====\n\n.. toctree::\n\n" + "".join(
        f"   {n}\n" for n in names)
    files["conf.py"] = 'extensions = ["sphinx_mlseq"]\nnumfig = True\n'
    return write_project(root, files)


def sphinx_build(src: Path, out: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", *args, str(src), str(out),
         "-d", str(out / ".doctrees")],
        check=True, capture_output=True, text=True,
    )


def test_parallel_build_is_byte_identical(tmp_path: Path) -> None:
    src = many_diagrams_project(tmp_path / "src")
    sphinx_build(src, tmp_path / "j1", "-j", "1")
    sphinx_build(src, tmp_path / "j2", "-j", "2")
    pages = sorted(p.relative_to(tmp_path / "j1") for p in (tmp_path / "j1").glob("*.html"))
    assert len(pages) == 15  # 12 pages, index, genindex, search
    for rel in [*pages, Path("_static/mlseq.css")]:
        one = (tmp_path / "j1" / rel).read_bytes()
        two = (tmp_path / "j2" / rel).read_bytes()
        assert one == two, rel
    assert (tmp_path / "j2" / "page05.html").read_text().count("<svg ") == 3


def test_parallel_read_merges_the_drawing_cache(make_app: Callable[..., SphinxTestApp],
                                                tmp_path: Path) -> None:
    from sphinx_mlseq import cache

    src = many_diagrams_project(tmp_path / "src")
    app = make_app("html", srcdir=src, builddir=tmp_path / "build", parallel=2)
    app.build()
    assert warnings_of(app) == ""
    domain = cache.domain_of(app.env)
    # every page was read in a worker process; their drawings came home with the env
    assert len(domain.drawings) == 36
    assert sorted(domain.used) == [f"page{p:02d}" for p in range(12)]
    assert page(app, "page07.html").count("<svg ") == 3


# -- templates and conf.py values ---------------------------------------------------------


@pytest.mark.sphinx("html", testroot="mlseq-templates", freshenv=True)
def test_template_calls_and_team_templates(app: SphinxTestApp) -> None:
    app.build()
    html = page(app)
    assert html.count("<svg ") == 2
    assert ">ML model lifecycle</title>" in html  # built-in template, default title
    assert ">Ranking model training</title>" in html  # team template extending a built-in
    assert warnings_of(app).splitlines() == [
        f"{app.srcdir / 'index.rst'}:14: WARNING: mlseq: unknown template 'our-trainign' "
        "(did you mean 'our-training'?) [mlseq.template]"
    ]
    # editing a team template rebuilds the pages with template calls
    team = app.srcdir / "team" / "our-training.yaml"
    assert team in {Path(p) for p in app.env.dependencies["index"]}
    # mlseq_theme = "neutral" is the page stylesheet's theme (alabaster: no system dark)
    assert (app.outdir / "_static" / "mlseq.css").read_text().startswith(
        mlseq.stylesheet(theme="neutral", system_dark=False))


def test_conf_values_apply_to_every_diagram(make_app: Callable[..., SphinxTestApp],
                                            tmp_path: Path) -> None:
    src = write_project(tmp_path / "src", {"index.rst": (
        "Conf\n====\n\n"
        ".. mlseq::\n\n   A->>B: one\n   B-->>A: two\n\n"
        ".. mlseq::\n\n   A->>B: one\n   B-->>A: two\n   A->>B: three\n"
    )})
    app = make_app("html", srcdir=src, builddir=tmp_path / "build", freshenv=True,
                   confoverrides={"mlseq_mirror_actors": False, "mlseq_font_size": 18,
                                  "mlseq_legend": True,
                                  "mlseq_limits": {"max_statements": 2}})
    app.build()
    html = page(app)
    first = mlseq.render("A->>B: one\nB-->>A: two", css=False, mirror_actors=False,
                         font_size=18, legend=True)
    assert first in html
    assert re.search(
        rf"{re.escape(str(src / 'index.rst'))}:\d+: WARNING: mlseq: .*\[mlseq\.limit\]",
        warnings_of(app))


# -- lint (opt-in) -----------------------------------------------------------------------

LINT_ROOT = ROOTS / "test-mlseq-lint"


def lint_warnings(path: Path, line: int, source: str, block_line: int) -> list[str]:
    """The warnings Sphinx prints for the findings of ``source`` on ``block_line``."""
    from mlseq.lint import lint_source

    return [
        f"{path}:{line}: WARNING: mlseq: {f.rule} {f.message} [mlseq.lint.{f.rule}]"
        for f in lint_source(source) if f.line == block_line
    ]


def expected_lint(srcdir: Path) -> dict[str, list[str]]:
    """Per block of the lint root: the warnings it gives when lint is on."""
    index = (srcdir / "index.rst").read_text()
    first = index.split(".. mlseq::\n\n", 1)[1].split("\n\n", 1)[0]
    last = index.rsplit(":lint:\n\n", 1)[1]
    unused = (srcdir / "diagrams" / "unused.mmd").read_text()
    return {
        "first": lint_warnings(srcdir / "index.rst", 8, dedent(first), 3),
        "file": lint_warnings(srcdir / "diagrams" / "unused.mmd", 2, unused, 2),
        "flagged": lint_warnings(srcdir / "index.rst", 27, dedent(last), 4),
    }


def dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text).strip("\n")


@pytest.mark.sphinx("html", testroot="mlseq-lint", freshenv=True)
def test_lint_is_off_by_default_except_where_a_block_asks(app: SphinxTestApp) -> None:
    app.build()
    expected = expected_lint(app.srcdir)
    assert warnings_of(app).splitlines() == expected["flagged"]
    html = page(app)
    assert html.count("<svg ") == 4 and "mlseq-error" not in html  # findings draw nothing


@pytest.mark.sphinx("html", testroot="mlseq-lint", freshenv=True,
                    confoverrides={"mlseq_lint": True})
def test_lint_findings_warn_at_their_document_line(app: SphinxTestApp) -> None:
    app.build()
    expected = expected_lint(app.srcdir)
    warnings = warnings_of(app).splitlines()
    assert warnings == expected["first"] + expected["file"] + expected["flagged"]
    assert any("index.rst:8: WARNING: mlseq: ML005 'clean, train and deploy'" in w
               for w in warnings)
    assert any("unused.mmd:2: WARNING: mlseq: ML008 participant 'Orphan'" in w
               for w in warnings)
    assert any("index.rst:27: WARNING: mlseq: ML001 gate 'AUC >= 0.85'" in w for w in warnings)
    # the :no-lint: block (same text as the first one, lines 14-17) says nothing
    assert not any("index.rst:16:" in w for w in warnings)
    assert page(app).count("<svg ") == 4  # findings never replace the drawing


@pytest.mark.sphinx("html", testroot="mlseq-lint", freshenv=True,
                    confoverrides={"mlseq_lint": True,
                                   "suppress_warnings": ["mlseq.lint.ML005"]})
def test_suppress_one_lint_rule(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    assert " ML005 " not in warnings
    assert " ML002 " in warnings and " ML008 " in warnings and " ML001 " in warnings


@pytest.mark.sphinx("html", testroot="mlseq-lint", freshenv=True,
                    confoverrides={"mlseq_lint": {"ignore": ["ML002", "ML008"]}})
def test_lint_config_mapping_selects_rules(app: SphinxTestApp) -> None:
    app.build()
    warnings = warnings_of(app)
    assert " ML002 " not in warnings and " ML008 " not in warnings
    assert "index.rst:8: WARNING: mlseq: ML005 " in warnings
    assert "index.rst:27: WARNING: mlseq: ML001 " in warnings


@pytest.mark.sphinx("html", testroot="mlseq-lint", freshenv=True, warningiserror=True,
                    confoverrides={"mlseq_lint": True})
def test_lint_findings_fail_a_dash_w_build(app: SphinxTestApp) -> None:
    app.build()
    assert app.statuscode == 1


def test_bad_lint_config_fails_once(make_app: Callable[..., SphinxTestApp],
                                    tmp_path: Path) -> None:
    from sphinx.errors import ConfigError

    src = write_project(tmp_path / "src", {"index.rst": "Hi\n==\n"})
    with pytest.raises(ConfigError, match=r"mlseq: conf\.py: unknown lint option 'ignor'"):
        make_app("html", srcdir=src, builddir=tmp_path / "build",
                 confoverrides={"mlseq_lint": {"ignor": ["ML005"]}})


WIDE = "".join(f"participant P{i} as Service number {i}\n" for i in range(8)) + "".join(
    f"P{i}->>P{i + 1}: a long label that the default wrap width keeps on one line {i}\n"
    for i in range(7))


def _svg_widths(html: str) -> list[float]:
    return [float(w) for w in re.findall(r'<svg\b[^>]*?\bwidth="([0-9.]+)"', html)]


def test_max_width_in_conf_and_per_diagram(make_app: Callable[..., SphinxTestApp],
                                           tmp_path: Path) -> None:
    body = textwrap.indent(WIDE, "   ")
    src = write_project(tmp_path / "src", {
        "conf.py": 'extensions = ["sphinx_mlseq"]\nmlseq_max_width = 1200\n',
        "index.rst": ("Widths\n======\n\n.. mlseq::\n\n" + body + "\n"
                      ".. mlseq::\n   :max-width: 0\n\n" + body + "\n"
                      ".. mlseq::\n   :max-width: -5\n\n" + body + "\n"),
    })
    app = make_app("html", srcdir=src, builddir=tmp_path / "build", freshenv=True)
    app.build()
    fitted, free = _svg_widths(page(app))
    unlimited = mlseq.layout.layout(mlseq.parse(WIDE), mlseq.RenderOptions(max_width=0)).width
    assert free == pytest.approx(unlimited, abs=0.1) and free > 1200  # :max-width: 0
    assert fitted < free  # conf.py's 1200 made it wrap more
    assert "expected 0 (no limit) or a width" in warnings_of(app)


def test_singlehtml_ids_unique_across_documents(make_app: Callable[..., SphinxTestApp],
                                                 tmp_path: Path) -> None:
    """singlehtml puts every document in one page: the same diagram in two documents (and
    twice in one) must still get distinct ids, also when the environment was read for
    the html builder first."""
    diagram = ".. mlseq::\n\n   Trainer->>Registry: register v7\n\n"
    src = write_project(tmp_path / "src", {
        "index.rst": "Index\n=====\n\n.. toctree::\n\n   other\n\n" + diagram + diagram,
        "other.rst": "Other\n=====\n\n" + diagram,
    })
    for builder in ("html", "singlehtml"):
        app = make_app(builder, srcdir=src, builddir=tmp_path / "build")
        app.build()
        assert "WARNING: mlseq:" not in warnings_of(app)
    html = page(app)
    ids = re.findall(r'<svg\b[^>]*\sid="([^"]+)"', html)
    assert len(ids) == 3 and len(set(ids)) == 3, ids
    every_id = re.findall(r'\sid="([^"]+)"', html)
    assert len(every_id) == len(set(every_id))
    # the plain html pages keep the unsalted ids of a lone diagram
    app = make_app("html", srcdir=src, builddir=tmp_path / "build")
    app.build()
    other = page(app, "other.html")
    lone = mlseq.render("Trainer->>Registry: register v7", css=False)
    assert re.search(r'<svg\b[^>]*\sid="([^"]+)"', other).group(1) == re.search(  # type: ignore[union-attr]
        r'\sid="([^"]+)"', lone).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize(("theme", "setting", "follows_system"), [
    ("alabaster", None, False),          # no dark mode: the page stays light, so do diagrams
    ("sphinx_rtd_theme", None, False),
    ("furo", None, True),                # dark with the system (and its own toggle)
    ("alabaster", True, True),           # conf.py decides when set
    ("furo", False, False),
])
def test_system_dark_follows_the_html_theme(
    make_app: Callable[..., SphinxTestApp], tmp_path: Path, theme: str,
    setting: bool | None, follows_system: bool,
) -> None:
    conf = f'extensions = ["sphinx_mlseq"]\nhtml_theme = "{theme}"\n'
    if setting is not None:
        conf += f"mlseq_system_dark = {setting}\n"
    src = write_project(tmp_path / "src", {
        "conf.py": conf,
        "index.rst": "T\n=\n\n.. mlseq::\n   :theme: forest\n\n   A->>B: x\n",
    })
    app = make_app("html", srcdir=src, builddir=tmp_path / "build", freshenv=True)
    app.build()
    css = (app.outdir / "_static" / "mlseq.css").read_text(encoding="utf-8")
    scoped = page(app)  # the forest diagram carries its own scoped variables
    for text in (css, scoped):
        assert ("prefers-color-scheme:dark" in text) is follows_system
    assert "body[data-theme=dark] svg.mlseq" in css  # a theme's own switch always works
