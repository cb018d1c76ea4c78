"""Layout: where things go, checked as numbers (no drawing involved)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import shared_path
from mlseq import MlseqError, layout, metrics, parser
from mlseq.geometry import Geometry, Rect, TextBlock
from mlseq.options import RenderOptions

GOLDEN = Path(__file__).parent / "golden"


def lay(text: str, **options: object) -> Geometry:
    return layout.layout(parser.parse(text), RenderOptions.from_mapping(options))


def box(t: TextBlock) -> Rect:
    top = t.y - metrics.ascent(t.size)
    bottom = t.y + (len(t.lines) - 1) * t.line_height + metrics.descent(t.size)
    return Rect(t.left, top, t.width, bottom - top)


def texts(g: Geometry) -> list[tuple[str, TextBlock]]:
    found: list[tuple[str, TextBlock]] = []
    found += [("head", h.label) for h in g.heads]
    found += [("message", m.label) for m in g.messages if m.label is not None]
    found += [("note", n.label) for n in g.notes]
    for f in g.fragments:
        found += [("tab", t) for t in (f.tab_label, f.guard) if t is not None]
        found += [("section", s.guard) for s in f.sections if s.guard is not None]
    found += [("divider", d.label) for d in g.dividers]
    found += [("delay", d.label) for d in g.delays if d.label is not None]
    found += [("link", lk.label) for lk in g.links]
    found += [("box", b.label) for b in g.boxes if b.label is not None]
    if g.title is not None:
        found.append(("title", g.title))
    return [(k, t) for k, t in found if any(line.strip() for line in t.lines)]


def overlaps(g: Geometry, slack: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of labels whose boxes intersect (a sweep over y keeps it near linear)."""
    items = sorted(((box(t), k, t) for k, t in texts(g)), key=lambda i: i[0].y)
    bad: list[tuple[str, str]] = []
    active: list[tuple[Rect, str, TextBlock]] = []
    for rect, kind, t in items:
        active = [a for a in active if a[0].bottom > rect.y + slack]
        for other, okind, ot in active:
            if (rect.x < other.right - slack and other.x < rect.right - slack
                    and rect.y < other.bottom - slack):
                bad.append((f"{kind}:{t.lines[0]}", f"{okind}:{ot.lines[0]}"))
        active.append((rect, kind, t))
    return bad


def outside(g: Geometry) -> list[str]:
    return [f"{k}:{t.lines[0]}" for k, t in texts(g)
            if box(t).x < 0 or box(t).right > g.width or box(t).y < 0
            or box(t).bottom > g.height]


def corpus_and_goldens() -> list[Path]:
    corpus = shared_path("corpus")
    paths = sorted(Path(corpus).rglob("*.mmd"))
    paths += sorted(shared_path("peers", "diagrams").glob("*.mmd"))
    return paths + sorted(GOLDEN.glob("*.mmd"))


def test_no_label_overlaps_or_sticks_out_anywhere() -> None:
    problems = {}
    checked = 0
    for path in corpus_and_goldens():
        try:
            d = parser.parse(path.read_text(encoding="utf-8"))
        except MlseqError:
            continue
        g = layout.layout(d, RenderOptions())
        bad = overlaps(g)
        out = outside(g)
        if bad or out:
            problems[path.name] = (bad[:3], out[:3])
        checked += 1
    assert checked > 300
    assert problems == {}


def test_labels_fit_between_the_lifelines_they_span() -> None:
    g = lay("participant A\nparticipant B\nparticipant C\nparticipant D\n"
            "A->>D: a label long enough to need more than the default gap between two\n"
            "A->>B: short\nB->>C: a fairly long label between neighbours only\n")
    xs = [ll.x for ll in g.lifelines]
    for m in g.messages:
        assert m.label is not None
        lo, hi = sorted((m.x1, m.x2))
        assert lo <= box(m.label).x and box(m.label).right <= hi
    # Far messages do not push adjacent gaps beyond what their own labels need.
    assert xs[1] - xs[0] < xs[3] - xs[0]


def test_self_message_label_right_of_loop_and_before_next_lifeline() -> None:
    g = lay("participant A\nparticipant B\nA->>A: validate the schema of every file\nA->>B: x\n")
    m = g.messages[0]
    assert m.loop is not None and m.label is not None
    assert box(m.label).x > m.loop.right
    assert box(m.label).right < g.lifelines[1].x


def test_long_labels_wrap_between_words() -> None:
    sentence = "train the model again with the new hyperparameters found by the search"
    words = sentence.split(" ")
    g = lay("A->>B: " + " ".join(words), wrap_width=120)
    label = g.messages[0].label
    assert label is not None and len(label.lines) > 1
    assert " ".join(label.lines).split() == words
    assert all(metrics.text_width(line) <= 120 for line in label.lines)
    wide = lay("A->>B: " + " ".join(words), wrap_width=1000).messages[0].label
    assert wide is not None and len(wide.lines) == 1


def test_rows_grow_with_wrapped_text() -> None:
    one = lay("A->>B: x\nA->>B: y\n")
    two = lay("A->>B: x<br/>second line\nA->>B: y\n")
    grown = two.messages[0].y - one.messages[0].y
    assert grown == pytest.approx(two.messages[0].label.line_height)  # type: ignore[union-attr]
    assert two.messages[1].y - two.messages[0].y == one.messages[1].y - one.messages[0].y


def test_nested_fragments_are_inset() -> None:
    g = lay("A->>B: x\nloop outer\nalt inner\nA->>B: y\nelse other\nB-->>A: z\nend\nend\n")
    outer, inner = sorted(g.fragments, key=lambda f: f.depth)
    o, i = outer.rect, inner.rect
    assert o.x < i.x and i.right < o.right and o.y < i.y and i.bottom < o.bottom
    assert len(inner.sections) == 1 and inner.sections[0].guard is not None
    assert inner.sections[0].guard.lines == ("[other]",)
    assert inner.guard is not None and inner.tab is not None
    assert inner.guard.x >= inner.tab.right  # guard text beside the tab


def test_activations_nest_with_offsets() -> None:
    g = lay("A->>+B: one\nB->>+B: two\nB-->>-B: three\nB-->>-A: four\n")
    bars = sorted(g.activations, key=lambda a: a.level)
    assert [b.level for b in bars] == [0, 1]
    assert bars[1].rect.x > bars[0].rect.x
    assert bars[0].rect.y <= bars[1].rect.y and bars[1].rect.bottom <= bars[0].rect.bottom
    # Messages attach to the bar's edge, not the lifeline.
    assert g.messages[0].x2 == pytest.approx(bars[0].rect.x, abs=0.11)


def test_create_and_destroy() -> None:
    g = lay("participant A\nA->>A: warm up\ncreate participant W\nA->>W: spawn\n"
            "destroy W\nA-xW: stop\nA->>A: done\n")
    spawn, stop = g.messages[1], g.messages[2]
    w_head = [h for h in g.heads if h.participant == 1]
    assert len(w_head) == 1  # not mirrored at the bottom: it was destroyed
    assert w_head[0].rect.y < spawn.y < w_head[0].rect.bottom
    w_line = g.lifelines[1]
    assert w_line.destroyed and w_line.y2 == stop.y
    assert g.crosses and g.crosses[0].y == stop.y
    assert spawn.x2 <= w_head[0].rect.x + 0.1  # the arrow ends at the new head


@pytest.mark.parametrize(("kind", "reach"), [("actor", 9), ("boundary", 13), ("control", 11),
                                           ("entity", 12)])
def test_a_created_figure_is_met_at_the_figure(kind: str, reach: float) -> None:
    """The creating message runs into the figure's middle and ends at its side, not at
    the edge of the (wider) name under it."""
    for size in (14, 21):
        s = size / 14
        g = lay(f"participant A\nparticipant B\ncreate {kind} New_participant_name\n"
                "A->>New_participant_name: hello there\n", font_size=size)
        head = next(h for h in g.heads if h.participant == 2 and not h.bottom)
        spawn = g.messages[0]
        assert spawn.y == pytest.approx(head.rect.y + 15 * s)  # 30 px figures, at the top
        assert spawn.x2 == pytest.approx(g.lifelines[2].x - (reach + 1) * s)
        assert not overlaps(g)
    g = lay(f"participant A\nparticipant B\ncreate {kind} New_participant_name\n"
            "A->>New_participant_name: hello there\n")
    head = next(h for h in g.heads if h.participant == 2 and not h.bottom)
    spawn = g.messages[0]
    assert spawn.x2 > head.rect.x + 10  # the name is wider than the figure
    assert not overlaps(g)


def test_central_connections_put_a_circle_on_the_lifeline() -> None:
    """``()`` at an end: a circle on that lifeline, the head stopping at its edge."""
    g = lay("A->>+B: open\nA->>()B: to the centre\nB()-->>A: from it\nA()->()B: both\n"
            "B-->>-A: close\n")
    xa, xb = (ll.x for ll in g.lifelines)
    to, back, both = g.messages[1:4]
    ((cx, r),) = to.dots
    assert cx == xb and to.x2 == pytest.approx(xb - r)  # through the bar, to the centre
    assert back.dots == ((xb, r),) and back.x1 == xb
    assert both.dots == ((xa, r), (xb, r)) and (both.x1, both.x2) == (xa, xb)  # no heads
    assert g.messages[0].dots == ()
    numbered = lay("autonumber\nB()->>A: x\n")
    ((cx, r),) = numbered.messages[0].dots
    badge = numbered.messages[0].badge
    assert badge is not None and abs(cx - badge.cx) >= badge.r + r  # beside the badge


@pytest.mark.parametrize("kind", ["participant", "actor", "database"])
def test_a_head_created_in_a_frame_stays_clear(kind: str) -> None:
    """An activation begun by the creating message starts under the new head, not
    through its name; a frame around the creation holds the whole head."""
    g = lay(f"participant A\nalt first\ncreate {kind} Lola\nA->>+Lola: yes\n"
            "Lola-->>-A: ok\nend\nA->>Lola: later\n")
    (head,) = [h for h in g.heads if h.participant == 1 and not h.bottom]
    (bar,) = g.activations
    assert bar.rect.y >= head.rect.bottom
    (frame,) = g.fragments
    assert frame.rect.x <= head.rect.x and head.rect.right <= frame.rect.right
    assert head.label.x + head.label.width / 2 <= frame.rect.right


def test_mirror_actors_option() -> None:
    assert len(lay("A->>B: x").heads) == 4
    assert len(lay("A->>B: x", mirror_actors=False).heads) == 2


def test_autonumber_badges() -> None:
    g = lay("autonumber\nA->>B: x\nB-->>A: y\n")
    assert [m.badge.text for m in g.messages if m.badge] == ["1", "2"]
    forced = lay("A->>B: x\n", autonumber=True)
    assert forced.messages[0].badge is not None
    off = lay("autonumber\nA->>B: x\n", autonumber=False)
    assert off.messages[0].badge is None


def touching_badges(g: Geometry) -> list[tuple[str, str]]:
    """Pairs of autonumber badges whose circles meet."""
    badges = [m.badge for m in g.messages if m.badge is not None]
    return [(a.text, b.text) for i, a in enumerate(badges) for b in badges[i + 1:]
            if math.hypot(a.cx - b.cx, a.cy - b.cy) < a.r + b.r]


def test_a_self_message_badge_clears_the_one_above() -> None:
    """A self-message's badge sits at the top of its loop, one row under the message
    before; from the same lifeline the two circles used to overlap (11 px apart)."""
    for text in ("autonumber\nA->>B: x\nA->>A: self\n",
                 "autonumber\nA->>B: x\nA->>A: two<br/>lines\nA->>A: again\n",
                 "autonumber\nA->>B\nA->>C\n"):
        for font_size in (14, 20):
            g = lay(text, font_size=font_size)
            assert not touching_badges(g), (text, font_size)
    # Badges on different lifelines keep their rows.
    near = lay("autonumber\nA->>B: x\nB->>B: self\n")
    far = lay("A->>B: x\nB->>B: self\n")
    assert near.messages[1].y == far.messages[1].y


def test_no_badges_touch_anywhere() -> None:
    problems = {}
    for path in corpus_and_goldens():
        try:
            d = parser.parse(path.read_text(encoding="utf-8"))
        except MlseqError:
            continue
        for options in (RenderOptions(), RenderOptions(autonumber=True, wrap_width=120)):
            bad = touching_badges(layout.layout(d, options))
            if bad:
                problems[path.name] = bad[:3]
    assert not problems, problems


def test_dividers_span_the_diagram_and_delays_dot_lifelines() -> None:
    g = lay("A->>B: x\n== Training ==\nB->>C: y\n... two hours ...\nC-->>A: z\n")
    (div,) = g.dividers
    assert div.rect.x <= min(h.rect.x for h in g.heads)
    assert div.rect.right >= max(h.rect.right for h in g.heads)
    (delay,) = g.delays
    assert all(ll.gaps == ((delay.y1, delay.y2),) for ll in g.lifelines)
    assert delay.label is not None and delay.label.lines == ("two hours",)


def test_compact_spacing() -> None:
    """Rows of a one-line message stay under 30 px; heads hug their names."""
    g = lay("participant A\nparticipant B\n" + "A->>B: x\n" * 10)
    rows = [b.y - a.y for a, b in zip(g.messages, g.messages[1:], strict=False)]
    assert max(rows) < 30
    head = g.heads[0]
    assert head.rect.w < metrics.text_width("A") + 60


def test_layout_is_deterministic() -> None:
    text = (GOLDEN / "fragments.mmd").read_text(encoding="utf-8")
    assert lay(text) == lay(text)


def test_overlap_check_catches_overlaps() -> None:
    g = lay("A->>B: hello world\nA->>B: again\n")
    first = g.messages[0]
    assert first.label is not None
    moved = first.label.__class__(first.label.x + 5, first.label.y + 4, first.label.lines,
                                  first.label.line_height, first.label.width, first.label.size,
                                  first.label.anchor)
    clash = Geometry(g.width, g.height, g.font_size, g.heads, g.lifelines,
                     (first, first.__class__(first.event, 0, 0, 0, moved)))
    assert overlaps(clash)
    assert not overlaps(g)


def test_init_directive_settings_are_honoured() -> None:
    text = ('%%{init: {"mirrorActors": false, "showSequenceNumbers": true}}%%\n'
            "sequenceDiagram\nA->>B: hi\n")
    g = lay(text)
    assert len(g.heads) == 2
    assert g.messages[0].badge is not None
    assert lay(text, autonumber=False).messages[0].badge is None


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is a dev dependency
    pass
else:
    NAMES = ["A", "B", "C", "D"]
    WORDS = st.lists(st.sampled_from(["train", "x", "evaluate the model", "register",
                                      "a-very-long-single-word-without-spaces", "数据", "ok",
                                      "deploy v7 as 10% canary"]), min_size=0, max_size=6)
    ARROWS = ["->>", "-->>", "-)", "--)", "-x", "--x", "->", "-->", "<<->>"]

    @st.composite
    def diagrams(draw: st.DrawFn) -> str:
        lines: list[str] = []
        depth = 0
        for _ in range(draw(st.integers(1, 25))):
            kind = draw(st.sampled_from(["msg", "msg", "msg", "note", "open", "else", "end",
                                         "div", "delay", "act"]))
            a, b = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
            text = " ".join(draw(WORDS))
            if kind == "msg":
                lines.append(f"{a}{draw(st.sampled_from(ARROWS))}{b}: {text}")
            elif kind == "note":
                where = draw(st.sampled_from(["left of", "right of", "over"]))
                who = f"{a},{b}" if where == "over" and a != b else a
                lines.append(f"Note {where} {who}: {text or 'n'}")
            elif kind == "open":
                lines.append(f"{draw(st.sampled_from(['loop', 'alt', 'opt', 'par']))} {text}")
                depth += 1
            elif kind == "else" and depth:
                lines.append(f"else {text}")
            elif kind == "end" and depth:
                lines.append("end")
                depth -= 1
            elif kind == "div":
                lines.append(f"== {text or 'stage'} ==")
            elif kind == "delay":
                lines.append(f"... {text} ...")
            elif kind == "act":
                lines.append(f"{a}->>+{b}: {text}")
                lines.append(f"{b}-->>-{a}: done")
        lines += ["end"] * depth
        head = ["autonumber"] if draw(st.booleans()) else []
        people = ["participant A", "participant B", "participant C", "participant D"]
        if draw(st.booleans()):
            people = ["box Team", *people[:2], "end", *people[2:]]
        return "\n".join([*head, *people, *lines]) + "\n"

    @given(diagrams())
    @settings(max_examples=60, deadline=None)
    def test_random_diagrams_never_overlap(text: str) -> None:
        try:
            d = parser.parse(text)
        except MlseqError:
            return
        g = layout.layout(d, RenderOptions())
        assert overlaps(g) == []
        assert outside(g) == []


def test_message_labels_sit_between_lifelines_when_they_fit() -> None:
    """Lifelines crossing message labels in the ML diagram: Mermaid 14, PlantUML 4, us 0.

    A label wider than every gap its arrow spans is wrapped into the widest one when that
    takes two lines at most (``reject: retrain with new params`` does).
    """
    source = shared_path("peers", "diagrams", "b_ml.mmd").read_text(encoding="utf-8")
    for options in (RenderOptions(), RenderOptions(max_width=0)):
        assert crossings(layout.layout(parser.parse(source), options)) == []


def crossings(g: Geometry) -> list[str]:
    crossed = []
    for m in g.messages:
        if m.label is None:
            continue
        b = box(m.label)
        for ll in g.lifelines:
            if b.x < ll.x < b.right and ll.y1 < b.y and b.bottom < ll.y2:
                crossed.append(m.label.lines[0])
    return crossed


def test_stage_label_at_the_left_of_its_band() -> None:
    """A reader scrolled to the start of a wide diagram sees every stage's name."""
    names = " ".join(f"participant P{i} as Participant number {i}" for i in range(12))
    g = lay(names.replace(" participant", "\nparticipant") + "\nP0->>P11: go\n"
            "== Training ==\nP11-->>P0: done\n")
    (div,) = g.dividers
    assert g.width > 1000
    assert div.label.anchor == "start"
    assert div.rect.x < div.label.x <= div.rect.x + 12
    assert box(div.label).right < 200
    assert div.rect.right >= max(h.rect.right for h in g.heads)


def test_names_wrap_in_heads_without_breaking_words() -> None:
    g = lay("participant O as Pipeline Orchestrator\nparticipant P as Preprocessing Job Runner\n"
            "participant X as Hyperparameteroptimisation\nO->>P: x\nP->>X: y\n")
    orch, prep, single = (h.label for h in g.heads[:3])
    assert orch.lines == ("Pipeline", "Orchestrator")
    assert prep.lines == ("Preprocessing", "Job Runner")  # balanced, not a word alone
    assert single.lines == ("Hyperparameteroptimisation",)
    assert g.heads[0].rect.w < metrics.text_width("Pipeline Orchestrator")


TEN = "\n".join(f"participant P{i} as Step {i}" for i in range(10)) + "\n" + "\n".join(
    f"P{i}->>P{i + 1}: send the preprocessed feature batch number {i} onwards"
    for i in range(9)) + "\nP9->>P9: validate every output file against the schema\n"


def test_max_width_wraps_narrower_until_the_drawing_fits() -> None:
    free = lay(TEN, max_width=0)
    fitted = lay(TEN, max_width=1800)
    narrowest = lay(TEN, max_width=800)
    assert free.width > 2000
    assert fitted.width <= 1800 < free.width
    assert narrowest.width < fitted.width
    # Nothing overlaps, nothing sticks out, words stay whole, every label is still there.
    for g in (fitted, narrowest):
        assert overlaps(g) == [] and outside(g) == []
        labels = [" ".join(m.label.lines) for m in g.messages if m.label is not None]
        assert labels == [" ".join(m.label.lines) for m in free.messages
                          if m.label is not None]
    assert lay(TEN, max_width=800, wrap_width=1000).width < free.width
    small = "A->>B: a short one\n"
    assert lay(small, max_width=800) == lay(small, max_width=0)


MANY = "\n".join(f"participant P{i} as Step {i}" for i in range(14)) + (
    "\nP0->>P1: one label that wraps when narrower\n") + "".join(
    f"P{i}->>P{i + 1}: go\n" for i in range(1, 13))


def test_max_width_keeps_the_wrap_when_narrower_cannot_fit_and_saves_little() -> None:
    free = lay(MANY, max_width=0)
    narrowest = layout._Layout(parser.parse(MANY), RenderOptions(), wrap_width=130.0).run()
    assert 800 < free.width * (1 - layout.FIT_WORTH) < narrowest.width < free.width
    assert lay(MANY, max_width=800) == free
    # Where it fits, the same narrowing is taken.
    assert lay(MANY, max_width=narrowest.width).width == narrowest.width


def test_max_width_option_is_validated() -> None:
    assert RenderOptions.from_mapping({"max-width": "900"}).max_width == 900.0
    assert RenderOptions.from_mapping({"max_width": 0}).max_width == 0.0
    for bad in ("wide", -5, 50, float("nan")):
        with pytest.raises(MlseqError):
            RenderOptions.from_mapping({"max_width": bad})


def test_builtin_templates_fit_docs_columns_better() -> None:
    """10-13 participants: before this, 1430-2520 px; a docs column is ~760 px."""
    import mlseq
    from mlseq.template import available

    for name in available(()):
        d = parser.parse(mlseq.expand(f"template: {name}"))
        g = layout.layout(d, RenderOptions())
        assert g.width <= 150 * len(d.participants), name
        assert overlaps(g) == [] and outside(g) == [], name


def test_guard_wraps_at_its_frame_not_at_the_wrap_width() -> None:
    heads = "".join(f"participant P{i} as Participant number {i}\n" for i in range(6))
    g = lay(heads + "alt the gate passed because every metric cleared its own threshold\n"
            "P0->>P5: ok\nelse the gate failed on at least one slice of the data set\n"
            "P5-->>P0: no\nend\n")
    (frag,) = g.fragments
    assert frag.guard is not None and frag.sections[0].guard is not None
    assert metrics.text_width(" ".join(frag.guard.lines)) > 240
    assert len(frag.guard.lines) == 1 and len(frag.sections[0].guard.lines) == 1
    assert frag.guard.left + frag.guard.width <= frag.rect.right


def test_title_of_a_drawing_wider_than_max_width_starts_at_the_left() -> None:
    heads = "".join(f"participant P{i} as Participant number {i}\n" for i in range(12))
    wide = lay("title Nightly retraining\n" + heads + "P0->>P11: go\n")
    assert wide.width > 800 and wide.title is not None
    assert wide.title.anchor == "start" and box(wide.title).right < 300
    narrow = lay("title Nightly retraining\nA->>B: go\n")
    assert narrow.title is not None and narrow.title.anchor == "middle"
    assert narrow.title.x == pytest.approx(narrow.width / 2)


def test_areas_under_matches_checking_every_pair() -> None:
    """The sweep that finds which tinted areas each haloed label meets (for the SVG's
    mask and TikZ's backings) gives what comparing every label with every area gives."""
    import random

    from mlseq.geometry import areas_under

    rng = random.Random(7)
    for _ in range(200):
        blocks = [TextBlock(rng.uniform(0, 400), rng.uniform(0, 600),
                            ("x",) * rng.randint(1, 3), 16.1, rng.uniform(5, 150), 14.0,
                            rng.choice(["start", "middle"]))
                  for _ in range(rng.randint(0, 25))]
        areas = [Rect(rng.uniform(0, 400), rng.uniform(0, 600), rng.uniform(1, 300),
                      rng.uniform(1, 300)) for _ in range(rng.randint(0, 8))]
        pad = rng.choice([0.0, 0.8, 2.0])
        expected = {i: [k for k, r in enumerate(areas) if b.overlaps(r, pad)]
                    for i, b in enumerate(blocks)}
        assert areas_under(blocks, areas, pad) == {i: ks for i, ks in expected.items() if ks}


def test_areas_under_looks_only_at_areas_beside_each_label(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A thousand ``rect`` blocks with a message each: a label is compared with the areas
    around its own row, not with every area (that took seconds to draw)."""
    from mlseq.geometry import areas_under

    lines = ["A->>B: first"]
    for i in range(1000):
        lines += ["rect rgb(200,220,255)", f"A->>B: message {i}", "end"]
    g = layout.layout(parser.parse("\n".join(lines)), RenderOptions(max_width=0))
    labels = [mg.label for mg in g.messages if mg.label is not None]
    areas = [fg.rect for fg in g.fragments]
    calls = 0
    overlaps = TextBlock.overlaps

    def counted(self: TextBlock, r: Rect, pad: float = 0.0) -> bool:
        nonlocal calls
        calls += 1
        return overlaps(self, r, pad)

    monkeypatch.setattr(TextBlock, "overlaps", counted)
    found = areas_under(labels, areas, 2.0)
    assert len(found) == 1000  # every label but the first sits on its own rect
    assert calls <= 3 * len(labels)


def test_a_note_over_two_participants_uses_the_room_between_them() -> None:
    text = "the evaluation gate compares AUC and calibration with the last model"
    heads = "participant A as Data\nparticipant B as Training\nparticipant C as Registry\n"
    label = "a label a bit narrower than the wrap"  # one line
    wide = heads + f"A->>B: {label}\nB->>C: {label}\nnote over A,C: {text}\n"
    g = lay(wide, max_width=0)
    (note,) = g.notes
    assert metrics.text_width(text) > 240  # wider than the wrap width...
    assert note.label.lines == (text,)  # ...yet one line: the note spans that much anyway
    assert note.rect.w == g.lifelines[2].x - g.lifelines[0].x + 28
    # Between two close lifelines the note wraps at the wrap width, as before.
    narrow = lay(heads + f"note over A,B: {text}\n", max_width=0)
    assert len(narrow.notes[0].label.lines) == 2
    assert max(metrics.text_width(line) for line in narrow.notes[0].label.lines) <= 240
