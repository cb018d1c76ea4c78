"""The TikZ backend (LaTeX output of the Sphinx extension), checked without a TeX install.

TeX may be absent here, so these tests check what would make ``pdflatex`` fail or the
picture wrong: balanced groups, every colour defined before use, every text line of the
geometry present once, coordinates inside the picture, TeX specials escaped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shared_path
from mlseq import RenderOptions, layout, parser, svg, tikz

GOLDEN = Path(__file__).resolve().parent / "golden"
EVERYTHING = """\
title Every construct
actor U as User
participant P
database DB
queue Q
boundary B
control C
entity E
collections Co
pipeline Pi
job J
registry R
model M
monitor Mo
box Aqua Team
participant T1
end
autonumber
U->>P: sync 50% of {x} & $y_1
P-->>U: reply ~ ^ \\ <b> [i]
P-)DB: async
P--)Q: async return
P-xB: lost
P--xC: lost dotted
P<<->>E: both
P-|\\Co: half
P->>+P: self
deactivate P
== Training ==
loop every night
  Pi->>J: run
  alt passes
    J->>R: register
  else fails
    J->>Mo: alert
  end
end
rect rgb(200, 220, 255)
  R->>M: load
end
... later ...
Note over U,P: a note
Note right of M: another
create participant N
M->>N: create
destroy N
M->>N: bye
T1->>U: from box
"""


def drawn(source: str, **overrides: object) -> tuple[str, str, object]:
    options = RenderOptions(css=False, max_width=0).updated(overrides)
    diagram = parser.parse(source)
    geometry = layout.layout(diagram, options)
    return (tikz.draw_tikz(diagram, geometry, options), svg.draw(diagram, geometry, options),
            geometry)


def unescaped_braces(text: str) -> tuple[int, int]:
    stripped = re.sub(r"\\[{}]", "", text)
    return stripped.count("{"), stripped.count("}")


def check_picture(picture: str, geometry: object) -> None:
    assert picture.startswith("\\begin{tikzpicture}[x=0.75pt,y=-0.75pt,")
    assert picture.endswith("\\end{tikzpicture}")
    assert picture.count("\\begin{tikzpicture}") == picture.count("\\end{tikzpicture}") == 1
    # the only other environment: the clipped backings of labels on tinted areas
    assert picture.count("\\begin{") == picture.count("\\end{")
    assert picture.count("\\begin{") - 1 == picture.count("\\begin{scope}")
    opened, closed = unescaped_braces(picture)
    assert opened == closed
    assert picture.count("[") - picture.count("{[}") == picture.count("]") - picture.count("{]}")
    assert "\n\n" not in picture  # no paragraph break inside a picture
    defined = set(re.findall(r"\\definecolor\{(mlseq-[a-z-]+)\}", picture))
    used = set(re.findall(r"mlseq-[a-z-]+", picture)) - {"mlseq-rect-opacity"}
    assert used <= defined
    width, height = geometry.width, geometry.height  # type: ignore[attr-defined]
    for x, y in re.findall(r"\((-?[\d.]+),(-?[\d.]+)\)", picture):
        assert -20 <= float(x) <= width + 20 and -20 <= float(y) <= height + 20, (x, y)


def test_every_construct_draws_a_balanced_picture() -> None:
    picture, drawing, geometry = drawn(EVERYTHING, legend=True)
    check_picture(picture, geometry)
    # every line of text the SVG shows is one node in the picture (not counting the
    # labels in the SVG's mask, nor the TikZ backings clipped to tinted areas)
    shown = re.sub(r"<mask.*?</mask>", "", drawing)
    svg_lines = len(re.findall(r"<text[^>]*>(?!<tspan)", shown)) + shown.count("<tspan")
    own = re.sub(r"\\begin\{scope\}.*?\\end\{scope\}", "", picture, flags=re.S)
    assert own.count("\\node[") == svg_lines
    assert 'mask="url(#' in drawing and "\\clip " in picture
    # TeX specials are quoted; the raw label never reaches TeX
    # (the label wraps, so it is checked line by line)
    assert r"{sync 50\% of \{x\} \& \$y\_1}" in picture
    assert r"{reply \textasciitilde{} \textasciicircum{} \textbackslash{} " \
           r"\textless{}b\textgreater{} {[}i{]}}" in picture
    # the shapes of the kinds: ellipse (database), arcs (queue), circles (actor, badges)
    assert "ellipse[" in picture and "arc[" in picture and "circle[radius=" in picture
    # the user colour of the rect, converted from rgb()
    assert "fill={rgb,255:red,200;green,220;blue,255}" in picture
    assert picture == drawn(EVERYTHING, legend=True)[0]  # deterministic


@pytest.mark.parametrize("theme", ["default", "neutral", "dark", "forest"])
def test_themes_define_their_light_palette(theme: str) -> None:
    from mlseq import theme as themes

    picture, _, geometry = drawn("A->>B: hi", theme=theme)
    check_picture(picture, geometry)
    light = themes.THEMES[theme][0]
    assert f"\\definecolor{{mlseq-bg}}{{HTML}}{{{light['bg'].lstrip('#').upper()}}}" in picture


def test_golden_inputs_and_corpus_draw_balanced_pictures() -> None:
    sources = sorted(GOLDEN.glob("*.mmd")) + sorted(shared_path("corpus", "ml-real").glob("*"))
    assert sources
    for path in sources:
        try:
            picture, _, geometry = drawn(path.read_text(encoding="utf-8"))
        except Exception as exc:  # the parser's verdict is not this backend's business
            if type(exc).__name__ == "MlseqError":
                continue
            raise
        check_picture(picture, geometry)


def test_arrow_heads_point_along_the_line() -> None:
    right, _, _ = drawn("A->>B: x")
    left, _, _ = drawn("A->>B: x\nB->>A: y")
    # a filled head is a closed triangle whose tip is the point farthest along the line
    head = re.compile(r"\\path\[ml-af\] \(([\d.]+),[\d.]+\) -- \(([\d.]+),")
    tips = head.findall(right)
    assert len(tips) == 1 and float(tips[0][1]) > float(tips[0][0])
    tips = head.findall(left)
    assert len(tips) == 2 and float(tips[1][1]) < float(tips[1][0])


def test_central_connections_draw_circles() -> None:
    picture, _, _ = drawn("A->>()B: x\nA()<<->>()B: y\nA->>B: z\n")
    assert len(re.findall(r"\\path\[ml-af\] \([\d.]+,[\d.]+\) circle\[radius=4\];",
                          picture)) == 3


def test_tex_escape_and_colours() -> None:
    assert tikz.tex_escape("a_b & {c}\n[d]") == r"a\_b \& \{c\} {[}d{]}"
    assert tikz.tex_escape("bell\x07") == "bell"
    assert tikz.css_color("#abc") == ("AABBCC", 1.0)
    assert tikz.css_color("#11223380") == ("112233", 128 / 255)
    assert tikz.css_color("rgba(10, 20, 30, 0.5)") == ("0A141E", 0.5)
    assert tikz.css_color("hsl(120, 100%, 25%)") == ("008000", 1.0)
    assert tikz.css_color("Aqua") == ("00FFFF", 1.0)
    assert tikz.css_color("url(#x)") is None
    assert tikz.css_color("DarkOliveGreen") == ("556B2F", 1.0)  # every CSS name, not a few
    assert tikz.css_color("transparent") == ("000000", 0.0)


def test_pdf_draws_white_on_dark_colours_where_the_svg_does() -> None:
    source = (Path(__file__).parent / "golden" / "dark_areas.mmd").read_text(encoding="utf-8")
    d = parser.parse(source)
    opts = RenderOptions()
    g = layout.layout(d, opts)
    picture = tikz.draw_tikz(d, g, opts)

    def nodes(text: str) -> list[str]:
        return re.findall(r"\\node\[([^\]]*)\][^{]*\{" + re.escape(text) + r"\}", picture)

    for white in ("predict(features)", "feature vector", "Serving", "User"):
        assert nodes(white) and all("text=white" in n for n in nodes(white)), white
    for dark in ("log prediction", "Platform", "Serving API", "compact partitions"):
        assert nodes(dark) and not any("text=white" in n for n in nodes(dark)), dark
    # the three messages in the near-black rect and the reply to the User, heads and all
    assert picture.count("draw=white]") == 4
    assert picture.count("ml-af,fill=white]") == 4 and picture.count("ml-af]") == 1
    out = svg.draw(d, g, opts)
    assert out.count('stroke="#fff"') == 4
    light = source.replace("navy", "lightblue").replace("rgb(20, 20, 20)", "#eef")
    assert "=white" not in tikz.render(light)


# -- a real PDF ------------------------------------------------------------------------

PDF_PAGE = """\
PDF
===

.. mlseq::
   :caption: Nightly training

   participant Scheduler
   participant Trainer
   database Store
   Scheduler-)Trainer: start nightly run
   Trainer->>Store: read features_v3 & labels_50%
   alt AUC >= 0.85
     Trainer-->>Scheduler: model v7 passes
   else fails
     Trainer-xScheduler: rejected
   end

.. mlseq::

   participant A
   participant B
   participant C
   participant D
   participant E
   participant F
   participant G
   A->>G: a message wide enough that the diagram is wider than the text column of a page
   G-->>A: reply
"""


def test_latex_build_makes_a_pdf_with_vector_diagrams(tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess
    import sys

    missing = [tool for tool in ("pdflatex", "latexmk", "make") if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (apt-get install latexmk texlive-pictures)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the PDF test must run when CI is set")
        pytest.skip(reason)
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["sphinx_mlseq"]\nproject = "pdf"\n')
    (src / "index.rst").write_text(PDF_PAGE)
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "latex", "-W", "-q", str(src), str(out)],
                   check=True, capture_output=True, text=True, timeout=300)
    tex = (out / "pdf.tex").read_text()
    assert tex.count("\\begin{tikzpicture}") == 2
    result = subprocess.run(["make", "-C", str(out), "all-pdf"], capture_output=True,
                            text=True, timeout=600, check=False)
    log = out / "pdf.log"
    assert result.returncode == 0, log.read_text(errors="replace")[-3000:] if log.exists() \
        else result.stdout[-3000:]
    pdf = out / "pdf.pdf"
    assert pdf.stat().st_size > 20_000
    assert b"%PDF-" in pdf.read_bytes()[:10]
    log_text = log.read_text(errors="replace")
    # the wide diagram is scaled into the column, nothing sticks out of the page
    assert "Overfull \\hbox" not in log_text
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        # the diagram's words are text in the PDF (vector drawing, searchable), escaped right
        for label in ("Scheduler", "start nightly run", "features_v3 & labels_50%",
                      "[AUC >= 0.85]", "model v7 passes", "rejected"):
            assert label in text, label
    if shutil.which("pdfimages"):
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                                text=True, check=True).stdout.splitlines()
        assert len(images) <= 2  # the header lines only: no bitmap anywhere
