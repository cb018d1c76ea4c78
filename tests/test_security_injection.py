"""Injection: hostile text in any slot of a block never becomes markup, a script or an
active URL in the SVG that lands inline in a docs page.

Every payload of ``fixtures/payloads/`` is placed in every place a block (or a template
call, or a render option) carries text, a URL or a colour. Each SVG that comes out is
parsed twice, as XML (it must be well-formed) and as HTML5 the way a browser reads an
inline ``<svg>`` (html5lib), and checked against an allow-list: only the SVG elements
and attributes mlseq emits, no ``on*`` attribute, no ``href`` other than http(s), mailto
or relative, no ``<script>``/``<foreignObject>``/``<iframe>``, and CSS that holds
nothing from the input but validated colours. An input that is refused must be refused
with :class:`mlseq.MlseqError`; each slot must also render for some payloads, so the
checks cannot pass by everything being refused.
"""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import html5lib
import mlseq
import pytest
from mlseq.errors import MlseqError
from mlseq.markup import error_box, escape

PAYLOADS = Path(__file__).parent / "fixtures" / "payloads"
SVG_NS = "http://www.w3.org/2000/svg"


def _load(name: str) -> list[str]:
    values: list[str] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return values


TEXT = _load("text.json")
URLS = _load("urls.json")
COLOURS = _load("colors.json")

# What mlseq emits, and nothing else: an element or attribute from the input would
# have to be one of these by name *and* pass the value checks below.
ELEMENTS = frozenset({
    "svg", "title", "desc", "style", "defs", "marker", "path", "rect", "circle", "text",
    "tspan", "g", "a", "mask",
})
ATTRIBUTES = frozenset({
    "xmlns", "class", "id", "role", "aria-labelledby", "viewbox", "width", "height",
    "font-family", "font-size", "x", "y", "d", "cx", "cy", "r", "rx", "fill", "text-anchor",
    "href", "marker-end", "marker-start", "markerheight", "markerunits", "markerwidth",
    "orient", "overflow", "refx", "refy", "mask", "maskunits", "stroke", "stroke-width",
    "stroke-linejoin",
})
_SAFE_SCHEMES = ("http", "https", "mailto")
_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}|[a-zA-Z]+|(?:rgb|hsl)a?\([0-9.,%/ +deg-]*\)|\.?[0-9.]+"
)
_REF = re.compile(r"url\(#m[0-9a-f]{6}-[a-z]+[0-9]*\)")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _url_is_safe(value: str) -> bool:
    """Judged the way a browser reads it: whitespace and controls vanish from a scheme."""
    squashed = re.sub(r"[\x00-\x20\x7f]", "", value)
    if squashed.startswith(("\\", "/\\")):
        return False
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", squashed)
    return scheme is None or scheme.group(1).lower() in _SAFE_SCHEMES


def _check_css(css: str) -> None:
    lowered = css.lower()
    for bad in ("<", "\\", "url(", "@import", "expression", "javascript", '"', "'", "/*"):
        assert bad not in lowered, f"{bad!r} in CSS: {css[:200]}"
    depth = 0
    for ch in css:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, f"CSS closes a rule it never opened: {css[:200]}"
    assert depth == 0
    for name, value in re.findall(r"(--[a-zA-Z-]+):([^;}]*)", css):
        assert name.startswith("--mlseq-"), name
        assert _COLOUR.fullmatch(value.strip()), f"{name}: {value!r} is no colour"


def _check_element(el: ET.Element) -> None:
    tag = _local(el.tag)
    assert tag in ELEMENTS, f"unexpected element <{tag}>"
    for raw, value in el.attrib.items():
        name = _local(raw)
        assert not name.startswith("on"), f"event handler {name}={value!r}"
        assert name in ATTRIBUTES, f"unexpected attribute {name}={value!r} on <{tag}>"
        if name == "href":
            assert _url_is_safe(value), f"active URL {value!r}"
        if name in ("fill", "stroke"):
            assert _COLOUR.fullmatch(value), f"{name} {value!r}"
        if name in ("marker-end", "marker-start", "mask"):
            assert _REF.fullmatch(value), f"{name} {value!r}"
    if tag == "style":
        _check_css("".join(el.itertext()))


def assert_safe_svg(svg: str) -> ET.Element:
    """Fail unless ``svg`` is one well-formed, inert ``<svg>`` as XML and as HTML."""
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    for el in root.iter():
        _check_element(el)

    page = (
        '<!DOCTYPE html><html><head></head><body><div id="before">'
        + svg
        + '</div><p id="after">after</p></body></html>'
    )
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    body = doc.find("body")
    assert body is not None
    assert [(c.tag, c.get("id")) for c in body] == [("div", "before"), ("p", "after")], (
        "the SVG broke out of its container"
    )
    holder = body[0]
    assert len(holder) == 1 and holder[0].tag == f"{{{SVG_NS}}}svg"
    assert not (holder.text or "").strip() and not (holder[0].tail or "").strip()
    for el in holder[0].iter():
        assert isinstance(el.tag, str) and el.tag.startswith(f"{{{SVG_NS}}}"), el.tag
        _check_element(el)
    for el in doc.iter():
        if isinstance(el.tag, str):
            assert _local(el.tag) not in ("script", "iframe", "foreignobject", "object",
                                          "embed", "img", "use", "animate", "set")
    return root


def visible_text(root: ET.Element) -> str:
    return "".join(root.itertext())


# --- where text, URLs and colours go -------------------------------------------------

TEXT_SLOTS: dict[str, str] = {
    "title": "title {p}\nA->>B: x",
    "title-colon": "title: {p}\nA->>B: x",
    "participant-label": "participant A as {p}\nA->>B: x",
    "actor-label": "actor A as {p}\nA->>B: x",
    "kind-label": "database A as {p}\nA->>B: x",
    "participant-id": "participant {p}\n",
    "message": "A->>B: {p}",
    "message-wrap": "A->>B: wrap:{p}",
    "self-message": "A->>A: {p}",
    "return": "A-->>B: {p}",
    "note-over": "A->>B: x\nNote over A,B: {p}",
    "note-right": "A->>B: x\nNote right of B: {p}",
    "loop": "loop {p}\nA->>B: x\nend",
    "alt-else": "alt {p}\nA->>B: x\nelse {p}\nA->>B: y\nend",
    "opt": "opt {p}\nA->>B: x\nend",
    "par-and": "par {p}\nA->>B: x\nand {p}\nA->>B: y\nend",
    "critical-option": "critical {p}\nA->>B: x\noption {p}\nA->>B: y\nend",
    "break": "break {p}\nA->>B: x\nend",
    "box-label": "box {p}\nparticipant A\nend\nA->>B: x",
    "box-colour-label": "box Aqua {p}\nparticipant A\nend\nA->>B: x",
    "divider": "A->>B: x\n== {p} ==\nB->>A: y",
    "delay": "A->>B: x\n... {p} ...\nB->>A: y",
    "acc-title": "accTitle: {p}\nA->>B: x",
    "acc-descr": "accDescr: {p}\nA->>B: x",
    "acc-descr-block": "accDescr {\n{p}\n}\nA->>B: x",
    "link-label": "participant A\nlink A: {p} @ https://example.org/\nA->>B: x",
    "links-label": 'participant A\nlinks A: {"{pjs}": "https://example.org/"}\nA->>B: x',
    "create": "A->>B: x\ncreate participant C as {p}\nA->>C: y",
    "metadata-alias": 'participant A@{ "type": "database", "alias": {pj} }\nA->>B: x',
    "front-matter-title": "---\ntitle: {pj}\n---\nA->>B: x",
    "template-title": "template: ml-workflow\ntitle: {pj}\n",
    "template-params": "template: ml-workflow\nparams:\n  model: {pj}\n  dataset: {pj}\n",
    "template-label": "template: ml-workflow\nparticipants:\n  scientist: {label: {pj}}\n",
    "template-gate": "template: ml-workflow\ngate: {metric: {pj}, threshold: {pj}}\n",
    "template-monitoring": "template: ml-workflow\nmonitoring: {trigger: {pj}}\n",
    "template-step": "template: ml-workflow\nsteps:\n  - after: data\n    do: {pdo}\n",
}

URL_SLOTS: dict[str, str] = {
    "link": "participant A\nlink A: Docs @ {p}\nA->>B: x",
    "links": 'participant A\nlinks A: {"Docs": {pj}}\nA->>B: x',
    "links-many": 'participant A\nlinks A: {"Ok": "https://example.org/", "Bad": {pj}}\n'
    "A->>B: x",
}

COLOUR_SLOTS: dict[str, str] = {
    "rect": "rect {p}\nA->>B: x\nend",
    "box": "box {p} Team\nparticipant A\nend\nA->>B: x",
    "init-theme-variables": (
        '%%{init: {"themeVariables": {"primaryColor": {pj}, "noteBkgColor": {pj}}}}%%\n'
        "A->>B: x"
    ),
    "init-theme": '%%{init: {"theme": {pj}}}%%\nA->>B: x',
    "front-matter-config": (
        "---\nconfig:\n  theme: {pj}\n  themeVariables:\n    primaryColor: {pj}\n---\n"
        "A->>B: x"
    ),
}


def fill(slot: str, payload: str) -> str:
    one_line = payload.replace("\n", " ")
    return (
        slot.replace("{pjs}", json.dumps(payload)[1:-1])
        .replace("{pj}", json.dumps(payload))
        .replace("{pdo}", json.dumps("DS->>Orch: " + payload))
        .replace("{p}", one_line)
    )


def outcome(source: str, **options: object) -> str | None:
    """The SVG, or ``None`` when the block is refused (with MlseqError only)."""
    try:
        return mlseq.render(source, **options)
    except MlseqError as err:
        # Located errors read "line:col: message"; block-wide ones (a bad option) have
        # no position and read as the message alone.
        expected = f"{err.line}:{err.column}: {err.message}" if err.line else err.message
        assert str(err).startswith(expected)
        return None


def _run(slots: dict[str, str], payloads: list[str]) -> Iterator[tuple[str, str, str | None]]:
    for slot_name, slot in slots.items():
        for payload in payloads:
            yield slot_name, payload, outcome(fill(slot, payload))


def _every_slot_renders(results: list[tuple[str, str, str | None]],
                        check: Callable[[str, str, ET.Element], bool]) -> None:
    """Each slot must render (and pass ``check``) for at least one payload."""
    shown: dict[str, int] = {}
    for slot_name, payload, svg in results:
        shown.setdefault(slot_name, 0)
        if svg is not None and check(slot_name, payload, ET.fromstring(svg)):
            shown[slot_name] += 1
    dead = sorted(name for name, count in shown.items() if count == 0)
    assert not dead, f"slots where no payload rendered: {dead}"


@pytest.mark.parametrize("slot_name", sorted(TEXT_SLOTS))
def test_text_payloads_stay_text(slot_name: str) -> None:
    results = list(_run({slot_name: TEXT_SLOTS[slot_name]}, TEXT))
    for _, _payload, svg in results:
        if svg is not None:
            assert_safe_svg(svg)
    # The payload is shown to the reader as text (in a label, <title> or <desc>).
    _every_slot_renders(results, lambda _s, _p, root: "XSS" in visible_text(root))


@pytest.mark.parametrize("slot_name", sorted(URL_SLOTS))
def test_url_payloads_never_become_links(slot_name: str) -> None:
    results = list(_run({slot_name: URL_SLOTS[slot_name]}, URLS))
    for _, payload, svg in results:
        if svg is not None:
            root = assert_safe_svg(svg)
            for el in root.iter(f"{{{SVG_NS}}}a"):
                # A link survives only as https or as a harmless relative URL
                # (``javascript&colon;x`` is a page name once '&' is escaped).
                href = el.get("href", "")
                scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", href)
                assert scheme is None or scheme.group(1) == "https", (payload, href)
    _every_slot_renders(results, lambda _s, _p, _r: True)


@pytest.mark.parametrize("slot_name", sorted(COLOUR_SLOTS))
def test_colour_payloads_cannot_break_out(slot_name: str) -> None:
    results = list(_run({slot_name: COLOUR_SLOTS[slot_name]}, COLOURS))
    for _, _payload, svg in results:
        if svg is not None:
            assert_safe_svg(svg)
    _every_slot_renders(results, lambda _s, _p, _r: True)


@pytest.mark.parametrize("colour", COLOURS)
def test_colors_option_is_validated(colour: str) -> None:
    svg = outcome("A->>B: x", colors={"note-fill": colour, "bg": colour})
    if svg is None:
        return
    root = assert_safe_svg(svg)
    css = "".join(next(root.iter(f"{{{SVG_NS}}}style")).itertext())
    assert f"--mlseq-bg:{colour.strip()}" in css


@pytest.mark.parametrize("payload", TEXT)
def test_title_and_alt_options_stay_text(payload: str) -> None:
    svg = outcome("A->>B: x", title=payload, alt=payload)
    assert svg is not None
    root = assert_safe_svg(svg)
    assert "XSS" in root.findtext(f"{{{SVG_NS}}}title", "")
    assert "XSS" in root.findtext(f"{{{SVG_NS}}}desc", "")


# --- what a reader sees ----------------------------------------------------------------


def test_script_tag_in_a_label_is_shown_literally() -> None:
    root = assert_safe_svg(mlseq.render("A->>B: <script>alert('XSS')</script>"))
    labels = [t.text for t in root.iter(f"{{{SVG_NS}}}text")]
    assert "<script>alert('XSS')</script>" in labels


def test_entity_codes_decode_to_text_not_markup() -> None:
    root = assert_safe_svg(mlseq.render("A->>B: #60;b#62;bold#60;/b#62;"))
    assert "<b>bold</b>" in [t.text for t in root.iter(f"{{{SVG_NS}}}text")]


def test_safe_links_still_work() -> None:
    """The link checks above can fail: a good URL does become a link."""
    for url in ("https://example.org/", "mailto:ml@example.org", "runbooks/train.html"):
        root = assert_safe_svg(mlseq.render(f"participant A\nlink A: Docs @ {url}\nA->>B: x"))
        assert [a.get("href") for a in root.iter(f"{{{SVG_NS}}}a")][:1] == [url]


def test_valid_colours_still_apply() -> None:
    root = assert_safe_svg(mlseq.render("rect rgb(10, 20, 30)\nA->>B: x\nend"))
    assert "rgb(10, 20, 30)" in [r.get("fill") for r in root.iter(f"{{{SVG_NS}}}rect")]


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><g onload="x"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><a href=" JavaScript:x"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>a{b:url(x)}</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="red;x:y"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><text>a</text></svg><img src=x>',
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;/svg&gt;</text><p>x</p></svg>',
    ],
)
def test_the_checker_rejects_unsafe_svg(svg: str) -> None:
    with pytest.raises(AssertionError):
        assert_safe_svg(svg)


# --- escaping ------------------------------------------------------------------------

def _xml_forbids(ch: str) -> bool:
    """XML 1.0's Char production, negated: C0 controls but tab, newline and return;
    surrogates; U+FFFE and U+FFFF."""
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\t\n\r") or 0xD800 <= cp <= 0xDFFF or cp in (0xFFFE, 0xFFFF)


def _escape_model(text: str) -> str:
    """What :func:`escape` must do, written the slow, obvious way."""
    kept = "".join(ch for ch in text if not _xml_forbids(ch))
    table = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
    return "".join(table.get(ch, ch) for ch in kept)


def test_escape_agrees_with_its_model_on_every_kind_of_text() -> None:
    """ASCII with and without newlines (a transcript takes its own path), controls XML
    forbids, DEL, markup characters, non-ASCII and lone surrogates, in many mixes."""
    alphabet = ("ab \t\n\r\x00\x01\x08\x0b\x0c\x1f\x7f&<>\"'"
                "\u00e9\u4e2d\ud800\udfff\ufffe\U0001f600")
    rnd = random.Random(7)
    texts = ["", "plain", "line one\nline two", "a\x00b\nc", "AUC >= 0.85\n'x'",
             "tab\there\r\n", "del\x7f\n"]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randrange(1, 40)))
              for _ in range(3000)]
    for text in texts:
        assert escape(text) == _escape_model(text), repr(text)


# --- the error box ---------------------------------------------------------------------


def _error_box_is_inert(html: str) -> None:
    page = f"<!DOCTYPE html><html><body>{html}<p id=\"after\">after</p></body></html>"
    doc = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    body = doc.find("body")
    assert body is not None
    assert [c.tag for c in body] == ["div", "p"] and body[1].get("id") == "after"
    for el in body[0].iter():
        assert el.tag in ("div", "p", "pre"), el.tag
        assert set(el.attrib) <= {"class", "role"}, el.attrib
    ET.fromstring(html)


@pytest.mark.parametrize("payload", TEXT)
def test_error_box_with_hostile_message_and_source(payload: str) -> None:
    err = MlseqError(payload, line=2, column=1, hint=payload)
    html = error_box(err, where=f"docs/{payload}.md:3", source=f"A->>B: x\n{payload}\n")
    _error_box_is_inert(html)
    assert "XSS" in html


@pytest.mark.parametrize("payload", TEXT)
def test_error_box_for_real_errors_from_hostile_blocks(payload: str) -> None:
    # An unclosed block is reported at the line that opened it: the payload's line.
    source = f"A->>B: x\nloop {payload}\nA->>B: y\n"
    with pytest.raises(MlseqError) as info:
        mlseq.render(source)
    _error_box_is_inert(error_box(info.value, where="page.md:10", source=source))
