"""The SVG backend: output contract, safety, themes and contrast, transcript."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import mlseq
import pytest
from conftest import shared_path
from mlseq import MlseqError, layout, parser, svg, theme, tikz
from mlseq.errors import ErrorCode
from mlseq.options import RenderOptions
from mlseq.transcript import transcript

NS = "{http://www.w3.org/2000/svg}"
ALLOWED = {"svg", "title", "desc", "style", "defs", "marker", "mask", "g", "path", "rect", "circle",
           "text", "tspan", "a"}

ML = """\
sequenceDiagram
participant DE as Data Engineer
participant PP as Preprocessing
participant EV as Evaluation
DE->>PP: upload raw dataset
PP-)EV: score asynchronously
Note right of EV: gate
alt AUC >= 0.85
  EV-->>DE: passed
else
  EV-->>DE: failed
end
"""


def render(text: str, **options: object) -> str:
    opts = RenderOptions.from_mapping(options)
    d = parser.parse(text)
    return svg.draw(d, layout.layout(d, opts), opts)


def tree(out: str) -> ET.Element:
    return ET.fromstring(out)


def test_root_is_accessible_image() -> None:
    root = tree(render(ML))
    assert root.tag == NS + "svg"
    assert root.get("role") == "img"
    title = root.find(NS + "title")
    desc = root.find(NS + "desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Sequence diagram: Data Engineer, Preprocessing, Evaluation"
    assert desc.text is not None
    assert "1. Data Engineer calls Preprocessing: upload raw dataset" in desc.text
    assert "Preprocessing sends Evaluation asynchronously: score asynchronously" in desc.text


def test_title_from_diagram_and_option() -> None:
    text = "title Nightly retraining\nA->>B: go\n"
    assert tree(render(text)).find(NS + "title").text == "Nightly retraining"  # type: ignore[union-attr]
    mine = tree(render(text, title="Mine"))
    assert mine.find(NS + "title").text == "Mine"  # type: ignore[union-attr]
    visible = ["".join(t.itertext()) for t in mine.iter(NS + "text")]
    assert "Nightly retraining" in visible and "Mine" not in visible
    acc = tree(render("title Shown\naccTitle: Spoken\nA->>B: go\n"))
    assert acc.find(NS + "title").text == "Spoken"  # type: ignore[union-attr]


def test_ids_unique_and_prefixed_and_differ_between_diagrams() -> None:
    out = render(ML)
    root = tree(out)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    prefix = root.get("id")
    assert prefix and all(i.startswith(prefix) for i in ids)  # type: ignore[union-attr]
    for ref in re.findall(r"url\(#([^)]+)\)", out):
        assert ref in ids
    other = tree(render(ML.replace("gate", "gate!")))
    assert other.get("id") != prefix
    assert tree(render(ML, theme="forest")).get("id") != prefix


def test_same_bytes_across_runs_and_hash_seeds() -> None:
    code = (
        "import sys; from mlseq import parser, layout, svg; from mlseq.options import "
        "RenderOptions; o = RenderOptions(); d = parser.parse(sys.stdin.read()); "
        "sys.stdout.write(svg.draw(d, layout.layout(d, o), o))"
    )
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], input=ML, capture_output=True,
                              text=True, env=env, check=True)
        outs.add(done.stdout)
    assert outs == {render(ML)}


def test_attributes_sorted_and_numbers_short() -> None:
    out = render(ML)
    for tag in re.findall(r"<[a-z]+((?: [a-z-]+=\"[^\"]*\")+)/?>", out):
        names = re.findall(r" ([a-z-]+)=", tag)
        assert names == sorted(names), tag
    assert not re.search(r"\d\.\d{3}", re.sub(r"<(style|desc)>.*?</\1>", "", out))
    assert not re.search(r"\d\.\d*0[ \"]", out)  # trailing zeros trimmed


def test_only_known_elements_and_no_input_markup() -> None:
    hostile = (
        'participant A as <script>alert(1)</script>\n'
        'participant B as "onload=alert(1) x="\n'
        "A->>B: ]]><foreignObject/><!-- x -->\n"
        "Note over A: </text><image href=x onerror=alert(1)>\n"
        "link A: evil @ javascript:alert(1)\n"
        "link A: evil2 @ JaVaScRiPt:alert(1)\n"
        "link B: ok @ https://example.com/?a=1&b=2\n"
    )
    out = render(hostile)
    root = tree(out)
    for el in root.iter():
        assert el.tag.removeprefix(NS) in ALLOWED
        for name in el.attrib:
            assert not name.lower().startswith("on")
    hrefs = [el.get("href") for el in root.iter(NS + "a")]
    assert hrefs and all(h == "https://example.com/?a=1&b=2" for h in hrefs)
    assert "javascript" not in out.lower()
    assert "<script" not in out and "<foreignObject" not in out
    texts = " ".join("".join(el.itertext()) for el in root.iter(NS + "text"))
    assert "<script>alert(1)</script>" in texts


def test_colour_overrides_validated() -> None:
    out = render(ML, colors={"line": "#ff0000", "bg": "rgb(1, 2, 3)", "text": "navy"})
    assert "--mlseq-line:#ff0000" in out and "--mlseq-bg:rgb(1, 2, 3)" in out
    for bad in ("red;}</style><script>", "url(http://x)", "var(--x)", "#12345", "expression(1)",
                "rgb(1,2,3);x:y"):
        with pytest.raises(MlseqError) as info:
            render(ML, colors={"line": bad})
        assert info.value.code is ErrorCode.VALUE
    with pytest.raises(MlseqError) as info:
        render(ML, colors={"head-fil": "red"})
    assert info.value.hint == "did you mean 'head-fill'?"


@pytest.mark.parametrize("value", ["#abc", "#A1B2C3", "#a1b2c3d4", "rgb(10,20,30)",
                                   "rgba(10, 20, 30, .5)", "hsl(210deg 40% 50%)",
                                   "hsla(210, 40%, 50%, 0.3)", "rebeccapurple", "Aqua"])
def test_valid_colours(value: str) -> None:
    assert theme.valid_color(value)


def test_css_embedded_or_left_to_page() -> None:
    embedded = render(ML)
    assert "<style>" in embedded and "prefers-color-scheme:dark" in embedded
    bare = render(ML, css=False)
    assert "<style>" not in bare
    forest = render(ML, css=False, theme="forest")
    assert "<style>#" in forest and ".mlseq .ms" not in forest
    assert "fill=\"#" not in embedded  # colours only through variables


def test_stylesheet_follows_every_dark_switch() -> None:
    css = svg.stylesheet(RenderOptions())
    for sel in ("@media (prefers-color-scheme:dark)", "[data-md-color-scheme=slate]",
                "body[data-theme=dark]", "html[data-theme=dark]",
                "[data-md-color-scheme=default]", "body[data-theme=light]"):
        assert sel in css
    assert "data-theme=auto" not in css  # Furo's auto is covered by the media query
    assert "var(--mlseq-line)" in css
    # MkDocs' own theme (Bootstrap colour modes)
    assert "html[data-bs-theme=dark] svg.mlseq" in css
    assert "html[data-bs-theme=light] svg.mlseq" in css


def test_system_dark_off_keeps_only_the_site_switches() -> None:
    """For site themes without a dark mode: no prefers-color-scheme rule anywhere, while
    a theme's own switches still work."""
    for css in (svg.stylesheet(RenderOptions(system_dark=False)),
                mlseq.stylesheet(system_dark=False),
                render(ML, system_dark=False),
                render(ML, css=False, theme="forest", system_dark=False)):
        assert "prefers-color-scheme" not in css
        assert "[data-md-color-scheme=slate]" in css
    assert "prefers-color-scheme:dark" in render(ML, css=False, theme="forest")
    assert RenderOptions.from_mapping({"system_dark": "off"}).system_dark is False


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = []
    for i in (0, 2, 4):
        c = int(h[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


TEXT_ON = ("bg", "head-fill", "note-fill", "band-fill", "tab-fill", "box-fill")
LINES = ("line", "life", "frame", "head-line", "act-line", "band-line")


@pytest.mark.parametrize("name", sorted(theme.THEMES))
@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_wcag_aa_contrast(name: str, mode: int) -> None:
    pal = theme.THEMES[name][mode]
    for surface in TEXT_ON:
        assert contrast(pal["text"], pal[surface]) >= 4.5, (surface, pal["text"], pal[surface])
    assert contrast(pal["badge-text"], pal["badge-fill"]) >= 4.5
    assert contrast(pal["link"], pal["bg"]) >= 4.5
    assert contrast(pal["link"], pal["head-fill"]) >= 4.5
    for line in LINES:
        assert contrast(pal[line], pal["bg"]) >= 3.0, (line, pal[line])
    assert contrast(pal["badge-fill"], pal["bg"]) >= 3.0


def test_contrast_helper_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_sync_and_async_heads_differ_and_returns_dashed() -> None:
    out = render("A->>B: sync\nA-)B: async\nB-->>A: reply\nA-xB: lost\n")
    paths = re.findall(r'<path (class="rt" )?d="[^"]*"( marker-end="url\(#\w+-(\w+)\)")?', out)
    markers = [m[2] for m in paths]
    assert markers == ["af", "ao", "af", "ax"]
    assert [bool(m[0]) for m in paths] == [False, False, True, False]


def test_figures_scale_with_the_font() -> None:
    """An actor's head is 5.5 px at 14 px text: twice that at 28 px, as the room the
    layout keeps for the figure is."""
    for size, radius in ((14, "5.5"), (28, "11")):
        out = render("actor U\nU->>U: x\n", font_size=size)
        assert re.findall(r'<circle class="hd" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"/>',
                          out) == [radius, radius]


def test_central_connections_draw_circles() -> None:
    out = render("A->>()B: x\nA()<<->>()B: y\nA->>B: z\n")
    assert len(re.findall(r'<circle class="af" cx="[\d.]+" cy="[\d.]+" r="4"/>', out)) == 3
    ET.fromstring(out)


def test_legend_lists_only_used_kinds() -> None:
    out = render("A->>B: sync\nB-->>A: reply\n", legend=True)
    root = tree(out)
    texts = ["".join(t.itertext()) for t in root.iter(NS + "text")]
    assert "call" in texts and "reply" in texts
    assert "asynchronous" not in texts and "lost / failed" not in texts
    assert "call" not in ["".join(t.itertext()) for t in tree(render("A->>B: x")).iter(NS + "text")]


def test_font_family_names_liberation_first() -> None:
    root = tree(render(ML))
    assert (root.get("font-family") or "").startswith('"Liberation Sans"')


def test_b_ml_is_compact() -> None:
    source = shared_path("peers", "diagrams", "b_ml.mmd").read_text(encoding="utf-8")
    out = render(source)
    assert len(out.encode()) < 15_000
    ET.fromstring(out)


def test_every_corpus_diagram_renders_well_formed() -> None:
    corpus = shared_path("corpus")
    count = 0
    for path in sorted(Path(corpus).rglob("*.mmd")):
        text = path.read_text(encoding="utf-8")
        try:
            d = parser.parse(text)
        except MlseqError:
            continue  # Mermaid rejects these too (the parser's tests check which)
        opts = RenderOptions()
        out = svg.draw(d, layout.layout(d, opts), opts)
        root = ET.fromstring(out)
        assert {el.tag.removeprefix(NS) for el in root.iter()} <= ALLOWED, path
        count += 1
    assert count > 300


# -- transcript ----------------------------------------------------------------------


def test_transcript_reads_like_steps() -> None:
    text = transcript(parser.parse(ML + "== Deploy ==\n... a week ...\nDE-xEV: ping\n"))
    lines = text.splitlines()
    assert lines[0] == "Participants: Data Engineer, Preprocessing, Evaluation."
    assert lines[1] == "1. Data Engineer calls Preprocessing: upload raw dataset"
    assert lines[2] == "2. Preprocessing sends Evaluation asynchronously: score asynchronously"
    assert lines[3] == "3. Note right of Evaluation: gate"
    assert lines[4] == "If AUC >= 0.85:"
    assert lines[5] == "  4. Evaluation replies to Data Engineer: passed"
    assert lines[6] == "Otherwise:"
    assert lines[7] == "  5. Evaluation replies to Data Engineer: failed"
    assert lines[8] == "Stage: Deploy."
    assert lines[9] == "(Time passes: a week.)"
    assert lines[10] == "6. Data Engineer sends Evaluation a message that is lost: ping"


def test_transcript_loops_and_self_messages() -> None:
    text = transcript(parser.parse("loop every hour\nA->>A: check\nend\n"))
    assert text.splitlines()[1:] == ["Repeat every hour:", "  1. A calls itself: check"]


def test_transcript_words_follow_message_kind_and_flatten_every_whitespace() -> None:
    """The transcript reads each arrow through its own table and skips flattening plain
    labels; both must say what ``Message.kind`` and ``" ".join(text.split())`` say."""
    from mlseq.model import Head, LineStyle, Message, MessageKind

    verbs = {MessageKind.SYNC: "calls", MessageKind.ASYNC: "sends",
             MessageKind.RETURN: "replies to", MessageKind.LOST: "sends",
             MessageKind.BIDIRECTIONAL: "and", MessageKind.HALF: "signals",
             MessageKind.LINE: "to"}
    odd = ["a  b", " a", "a ", "a\tb", "a\nb", "a\u00a0b", "a\u2028b", "a\x1fb", "a\u3000b",
           "plain text", ""]
    d = parser.parse("participant A\nparticipant B\n")
    for line in LineStyle:
        for head in Head:
            for tail in Head:
                for text in odd:
                    m = Message("A", "B", text, line, head, tail)
                    out = transcript(type(d)(d.participants, (m,))).splitlines()[-1]
                    flat = " ".join(text.split())
                    assert out.startswith(f"1. A {verbs[m.kind]} B")
                    if flat:
                        assert out.split(": ", 1)[1] == flat
                    else:
                        assert ":" not in out
    loop = transcript(parser.parse("A-)A: tick\nA-xA: gone\nA->>A: x\n")).splitlines()
    assert loop[1:] == ["1. A sends itself asynchronously: tick",
                        "2. A sends itself a message that is lost: gone", "3. A calls itself: x"]


def test_theme_from_init_directive_unless_the_site_sets_one() -> None:
    text = '%%{init: {"theme": "forest"}}%%\nsequenceDiagram\nA->>B: hi\n'
    forest = theme.THEMES["forest"][0]["head-fill"]
    assert f"--mlseq-head-fill:{forest}" in render(text)
    assert f"--mlseq-head-fill:{forest}" not in render(text, theme="neutral")


def test_fragment_tabs_and_guards_drawn_over_activation_bars() -> None:
    """The demo runbook showed 'itical' and 'eak': a bar was painted over the tab."""
    text = ("A->>B: page\nactivate B\ncritical stop the damage\n  B->>C: reroute\n"
            "option the router does not answer\n  B->>C: scale down\nend\n"
            "break data broken\n  B->>C: reject\nend\ndeactivate B\n")
    order = [(el.get("class") or "", el.tag) for el in tree(render(text)).iter()]
    bars = [i for i, (cls, _) in enumerate(order) if cls == "ac"]
    tabs = [i for i, (cls, tag) in enumerate(order) if cls == "tb" and tag == NS + "path"]
    guards = [i for i, (cls, tag) in enumerate(order) if cls == "lb" and tag == NS + "text"]
    assert bars and len(tabs) == 2 and len(guards) == 3
    assert max(bars) < min(tabs) and max(bars) < min(guards)
    g = layout.layout(parser.parse(text), RenderOptions())
    (bar,) = g.activations
    for frag in g.fragments:
        assert frag.tab is not None and frag.tab.x < bar.rect.right and bar.rect.x < frag.tab.right


def test_id_salt_tells_the_same_diagram_apart() -> None:
    plain = tree(render(ML)).get("id")
    first = tree(render(ML, id_salt="1")).get("id")
    second = tree(render(ML, id_salt="2")).get("id")
    assert len({plain, first, second}) == 3
    assert tree(render(ML, id_salt="1")).get("id") == first
    out = render(ML, id_salt="2")
    ids = [el.get("id") for el in tree(out).iter() if el.get("id")]
    assert all(i.startswith(second) for i in ids)  # type: ignore[union-attr]
    assert all(ref in ids for ref in re.findall(r"url\(#([^)]+)\)", out))
    # Without a salt the ids still depend on the drawing only.
    assert render(ML, id_salt="") == render(ML)


TINTED = """\
sequenceDiagram
box rgb(255,214,170) Training
  participant T as Trainer
  participant W as Worker
end
participant E as Evaluator
participant R as Registry
rect rgba(60,110,255,0.3)
  T->>W: shard the data
end
opt after a failure
  E->>R: outside any area
end
"""


def test_labels_on_tinted_areas_mask_the_lines_instead_of_a_halo() -> None:
    """A background-coloured halo glowed round labels on boxes and ``rect``s."""
    out = render(TINTED)
    root = tree(out)
    (mask,) = root.iter(NS + "mask")
    masked = {t.text for t in mask.iter(NS + "text")}
    assert masked == {"shard the data"}
    # drawn without a halo, after the masked group (lifelines, message lines) ends
    (group,) = [el for el in root.iter(NS + "g") if el.get("mask")]
    assert group.get("mask") == f"url(#{mask.get('id')})"
    inside = {el.get("class") for el in group.iter()}
    assert {"lf", "ms"} <= inside
    labels = {t.text: t for t in root.iter(NS + "text") if t not in set(mask.iter())}
    parents = {child: parent for parent in root.iter() for child in parent}
    shard = labels["shard the data"]
    assert shard not in set(group.iter())
    assert "lb" not in (shard.get("class") or "") + (parents[shard].get("class") or "")
    # a label off the areas keeps its halo, and so does its fragment's guard
    assert parents[labels["outside any area"]].get("class") == "lb"
    assert labels["[after a failure]"].get("class") == "lb"
    # and a diagram without tinted areas has no mask at all
    assert "<mask" not in render(ML) and "mask=" not in render(ML)


def test_tikz_backing_takes_the_tint_under_a_label() -> None:
    d = parser.parse(TINTED)
    opts = RenderOptions()
    picture = tikz.draw_tikz(d, layout.layout(d, opts), opts)
    scopes = re.findall(r"\\begin\{scope\}(.*?)\\end\{scope\}", picture, flags=re.S)
    # on the box and on the rect inside it: one clipped backing each, in that order
    assert len(scopes) == 2
    assert all("\\clip" in s and "{shard the data}" in s for s in scopes)
    assert "red,255;green,214;blue,170" in scopes[0]
    assert "red,60;green,110;blue,255},fill opacity=0.3" in scopes[1]
    assert "text opacity=1" in scopes[1]


@pytest.mark.parametrize(("value", "expected"), [
    ("#abc", (0xAA / 255, 0xBB / 255, 0xCC / 255, 1.0)),
    ("#11223380", (0x11 / 255, 0x22 / 255, 0x33 / 255, 0x80 / 255)),
    ("rgb(34, 56, 0)", (34 / 255, 56 / 255, 0.0, 1.0)),
    ("rgba(10, 20, 30, 0.5)", (10 / 255, 20 / 255, 30 / 255, 0.5)),
    ("rgb(50% 0% 100% / 25%)", (0.5, 0.0, 1.0, 0.25)),
    ("hsl(120, 100%, 25%)", (0.0, 0.5, 0.0, 1.0)),
    ("hsla(240deg, 100%, 50%, .9)", (0.0, 0.0, 1.0, 0.9)),
    ("DarkOliveGreen", (0x55 / 255, 0x6B / 255, 0x2F / 255, 1.0)),
    ("transparent", (0.0, 0.0, 0.0, 0.0)),
])
def test_user_colours_are_read_as_css_reads_them(
        value: str, expected: tuple[float, float, float, float]) -> None:
    assert theme.rgba(value) == pytest.approx(expected)


def test_every_named_colour_is_read_and_nothing_else_is() -> None:
    assert len(theme.NAMED_COLORS) == 149  # CSS Color 4's 148 names and transparent
    for name in theme.NAMED_COLORS:
        assert theme.rgba(name) is not None, name
    for bad in ("url(#x)", "var(--x)", "red;x", "notacolour", ""):
        assert theme.rgba(bad) is None
    # CSS has no hue in %: not a colour (a browser would paint the area black), no crash
    assert not theme.valid_color("hsl(50%, 50%, 50%)")
    assert theme.rgba("hsl(50%, 50%, 50%)") is None
    source = "box hsl(10%, 1, 1) T\nparticipant C\nend\nrect hsla(50%, 1, 1, 1)\nC->>C: x\nend\n"
    out = mlseq.render(source)
    assert "<svg" in out and "hsl" not in out.split("</desc>")[1]
    assert "tikzpicture" in tikz.render(source)


def _hex(value: str) -> str:
    found = theme.rgba(value)
    assert found is not None
    return "#" + "".join(f"{round(c * 255):02x}" for c in found[:3])


@pytest.mark.parametrize("colour", ["rgb(34, 56, 0)", "navy", "rgb(20, 20, 20)", "#663399",
                                    "green", "rgb(200,55,22)"])
def test_white_reads_better_than_the_text_colour_on_a_dark_backdrop(colour: str) -> None:
    """The corpus's dark ``box``/``rect`` colours: white text there, and WCAG AA."""
    text = theme.THEMES["default"][0]["text"]
    assert theme.dark_backdrop([colour])
    assert contrast("#ffffff", _hex(colour)) > contrast(text, _hex(colour))
    assert contrast("#ffffff", _hex(colour)) >= 4.5
    for light in ("#fef", "rgb(200, 150, 255)", "lightblue", "rgba(0, 0, 0, 0.1)"):
        assert not theme.dark_backdrop([light])
    # Painted in order: a translucent light tint keeps a dark box dark; an area in the
    # theme's own fill (None) covers it.
    assert theme.dark_backdrop([colour, "rgba(255, 255, 255, 0.1)"])
    assert not theme.dark_backdrop([colour, None])


DARK = """\
box navy Team
actor A as Alice
participant B as Bob
end
participant C
rect rgb(20, 20, 60)
A->>B: in the dark
end
rect rgba(0, 0, 0, 0.05)
B->>C: on a light tint
end
A-)C: outside
"""


def test_labels_lines_and_names_on_a_dark_backdrop_are_white() -> None:
    out = render(DARK)
    root = tree(out)
    parents = {child: parent for parent in root.iter() for child in parent}
    texts = {t.text: t for t in root.iter(NS + "text")
             if t not in {x for m in root.iter(NS + "mask") for x in m.iter()}}
    assert texts["Team"].get("class") == "dk b"
    assert texts["in the dark"].get("class") == "dk"
    # the actor's name sits on the box itself (a plain head has a fill of its own)
    names = [t for t in root.iter(NS + "text") if t.text == "Alice"]
    assert names and all(t.get("class") == "dk" for t in names)
    assert all(t.get("class") is None for t in root.iter(NS + "text") if t.text == "Bob")
    # across the box's edge onto the light tint: the theme's text colour, with its halo
    assert texts["on a light tint"].get("class") is None
    assert parents[texts["on a light tint"]].get("class") == "lb"
    assert texts["outside"].get("class") == "dk"  # within the box, end to end
    assert ".mlseq text.dk{fill:#fff}" in out
    # the arrow in the dark is white, head included; the others are not
    paths = [p for p in root.iter(NS + "path") if p.get("marker-end")]
    white = [p for p in paths if p.get("stroke") == "#fff"]
    assert len(paths) == 3 and len(white) == 1
    head = white[0].get("marker-end")[len("url(#"):-1]
    (marker,) = [m for m in root.iter(NS + "marker") if m.get("id") == head]
    assert head.endswith("-afw") and marker[0].get("fill") == "#fff"
    # and a diagram with only light colours has none of it
    light = render(DARK.replace("navy", "lightblue").replace("rgb(20, 20, 60)", "#eef"))
    assert 'class="dk' not in light and 'stroke="#fff"' not in light and "-afw" not in light
