"""Parse the mlseq language (a superset of Mermaid's ``sequenceDiagram``) into the model.

The grammar, statement by statement (keywords are case-insensitive, as in Mermaid)::

    sequenceDiagram                          optional header, first statement only
    participant|actor|<kind> ID [as Label]   kind: database queue boundary control entity
    participant ID@{ "type": "...", "alias": "..." } [as Label]   collections pipeline job
    create participant|actor|<kind> ID ...   registry model monitor
    destroy ID
    box [colour] [label] ... end             participant declarations only
    A <arrow> [+|-] B [: [wrap:|nowrap:] text]
    activate ID / deactivate ID
    note left of|right of|over ID[, ID]: text
    loop|opt|alt|par|par_over|critical|break [label] ... end
    else|and|option [label]                  inside alt / par / critical
    rect [colour] ... end
    autonumber [start [step]] | autonumber off
    link ID: label @ url / links ID: {json} / properties|details ID: ... (ignored)
    title text / title: text / accTitle: text / accDescr: text / accDescr { ... }
    == Stage ==                              mlseq: a stage divider
    ... [text ...]                           mlseq: a delay

Comments, ``;`` separators, entity codes, directives and front matter are handled by
:mod:`mlseq.lexer`. Everything runs in time linear in the input: no regular expression
here can backtrack over more than a single token.
"""

from __future__ import annotations

import gc
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ._records import maker
from .errors import ErrorCode, MlseqError, did_you_mean
from .lexer import Statement, decode_entities, split
from .model import (
    Activation,
    Autonumber,
    Box,
    Create,
    Delay,
    Destroy,
    Diagram,
    DiagramConfig,
    Divider,
    Event,
    FragmentEnd,
    FragmentKind,
    FragmentSection,
    FragmentStart,
    Head,
    LineStyle,
    Link,
    Message,
    Note,
    NotePlacement,
    Participant,
    ParticipantKind,
    Span,
)
from .options import THEMES, Limits

# The events built per statement, as plain functions (see mlseq._records.maker).
_make_activation = maker(Activation)
_make_message = maker(Message)
_make_note = maker(Note)

# --- arrows -------------------------------------------------------------------------

_S, _D = LineStyle.SOLID, LineStyle.DOTTED
_N, _F, _O, _X = Head.NONE, Head.FILLED, Head.OPEN, Head.CROSS
_T, _B = Head.HALF_TOP, Head.HALF_BOTTOM

ARROWS: dict[str, tuple[LineStyle, Head, Head]] = {
    # arrow: (line, head at target, head at source)
    "->": (_S, _N, _N),
    "-->": (_D, _N, _N),
    "->>": (_S, _F, _N),
    "-->>": (_D, _F, _N),
    "<<->>": (_S, _F, _F),
    "<<-->>": (_D, _F, _F),
    "-x": (_S, _X, _N),
    "--x": (_D, _X, _N),
    "-)": (_S, _O, _N),
    "--)": (_D, _O, _N),
    "-|\\": (_S, _T, _N),
    "-|/": (_S, _B, _N),
    "-\\\\": (_S, _T, _N),
    "-//": (_S, _B, _N),
    "--|\\": (_D, _T, _N),
    "--|/": (_D, _B, _N),
    "--\\\\": (_D, _T, _N),
    "--//": (_D, _B, _N),
    "/|-": (_S, _N, _T),
    "\\|-": (_S, _N, _B),
    "//-": (_S, _N, _T),
    "\\\\-": (_S, _N, _B),
    "/|--": (_D, _N, _T),
    "\\|--": (_D, _N, _B),
    "//--": (_D, _N, _T),
    "\\\\--": (_D, _N, _B),
}
"""Every arrow of the language with what it draws (Mermaid's full set)."""

_ARROW_ALTERNATIVES = "|".join(re.escape(a) for a in sorted(ARROWS, key=len, reverse=True))
"""Every arrow as alternatives of a regular expression, longest first, so that the longest
arrow at a position wins (``-->>`` over ``-->``)."""
_ARROW_RE = re.compile(r"(\(\))?(" + _ARROW_ALTERNATIVES + r")(\(\))?")
_MESSAGE = re.compile(
    r"([^:]*?)(\(\))?(" + _ARROW_ALTERNATIVES + r")(\(\))?[ \t]*([+-]?)([^:]*)(?::(.*))?",
    re.DOTALL,
)
"""A whole message in one match: sender, ``()``, arrow, ``()``, ``+``/``-``, receiver and
``: text``. The sender is the shortest run without ``:`` that an arrow follows, so the
arrow is the first one before the first colon, as :data:`_ARROW_RE` finds it."""
_WORD = re.compile(r"\w+")
_BAD_IN_NAME = re.compile(r"[>,;:]")
_BAD_IN_MESSAGE = re.compile(r"[>,;:+]")
_WRAP = re.compile(r":?(no)?wrap:", re.IGNORECASE)
_WRAP_FIRST = frozenset(":nNwW")
"""How a ``wrap:``/``nowrap:`` prefix can start: other labels need no look at it."""
_BR = re.compile(r"<br[ \t]*/?>", re.IGNORECASE)
_PLACEMENT = re.compile(r"(left[ \t]+of|right[ \t]+of|over)(?!\w)", re.IGNORECASE)
_NUMBER = re.compile(r"\d{0,12}(?:\.\d{1,12})?")

KIND_KEYWORDS = {k.value: k for k in ParticipantKind}
"""``participant``, ``actor`` and the kind keywords (PlantUML's and mlseq's)."""
_PARTICIPANT = ParticipantKind.PARTICIPANT  # a global: reading it from the class is slow

_FRAGMENTS = {
    "loop": FragmentKind.LOOP,
    "alt": FragmentKind.ALT,
    "opt": FragmentKind.OPT,
    "par": FragmentKind.PAR,
    "par_over": FragmentKind.PAR_OVER,
    "critical": FragmentKind.CRITICAL,
    "break": FragmentKind.BREAK,
    "rect": FragmentKind.RECT,
}
_SECTIONS = {
    "else": (FragmentKind.ALT,),
    "and": (FragmentKind.PAR, FragmentKind.PAR_OVER),
    "option": (FragmentKind.CRITICAL,),
}
_SECTION_OWNER = {"else": "alt", "and": "par", "option": "critical"}
KEYWORDS = frozenset(
    {
        *KIND_KEYWORDS,
        *_FRAGMENTS,
        *_SECTIONS,
        "sequencediagram",
        "create",
        "destroy",
        "box",
        "end",
        "note",
        "activate",
        "deactivate",
        "autonumber",
        "link",
        "links",
        "properties",
        "details",
        "title",
        "acctitle",
        "accdescr",
    }
)
_HINT_WORDS = [
    *sorted(KEYWORDS - {"sequencediagram", "acctitle", "accdescr"}),
    "sequenceDiagram",
    "accTitle",
    "accDescr",
]
# fmt: off
_OTHER_DIAGRAMS = frozenset(
    (
        "graph", "flowchart", "classdiagram", "statediagram", "erdiagram", "gantt", "pie",
        "journey", "gitgraph", "mindmap", "timeline", "quadrantchart", "requirementdiagram",
        "c4context", "kanban",
    )
)
# fmt: on
_ARROW_HINT = "arrows are ->>, -->>, -), --), -x, --x, ->, -->, <<->>, <<-->>"


@dataclass
class _Participant:
    id: str
    label: str
    kind: ParticipantKind
    span: Span
    explicit: bool
    box: int | None = None
    links: list[Link] = field(default_factory=list)
    created: bool = False
    destroyed: bool = False


@dataclass
class _Block:
    kind: FragmentKind
    keyword: str
    span: Span


@dataclass
class _OpenBox:
    label: str
    color: str | None
    span: Span
    members: list[str] = field(default_factory=list)


def _q(text: str, limit: int = 60) -> str:
    """Quote user text for an error message, shortened so messages stay readable."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _too_nested(text: str, limit: int = 50) -> bool:
    """Whether brackets nest deeper than ``limit`` (cheap guard before YAML/JSON)."""
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth = max(0, depth - 1)
    return False


_YAML_MAX_NODES = 10_000
"""How many values front matter or metadata may stand for, counting every use of an
alias: a few lines of ``&a``/``*a`` (a "billion laughs") would otherwise expand into
millions of values the moment a title is turned into text."""


class _YamlTooLarge(Exception):
    pass


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` that refuses alias bombs before anything is built.

    Raises :class:`_YamlTooLarge` when the document stands for more than
    :data:`_YAML_MAX_NODES` values, and what ``safe_load`` raises otherwise.
    """
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        count = 0
        stack: list[yaml.Node] = [root]
        while stack:
            node = stack.pop()
            count += 1
            if count > _YAML_MAX_NODES:
                raise _YamlTooLarge
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    stack.append(key)
                    stack.append(value)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _fmt_number(hundredths: int) -> str:
    whole, frac = divmod(hundredths, 100)
    return str(whole) if not frac else f"{whole}.{frac:02d}".rstrip("0")


class _Parser:
    def __init__(self, limits: Limits, strict: bool) -> None:
        self.limits = limits
        self.strict = strict
        self.participants: dict[str, _Participant] = {}
        self.events: list[Event] = []
        self.boxes: list[Box] = []
        self.blocks: list[_Block] = []
        self.box: _OpenBox | None = None
        self.active: dict[str, int] = {}
        self.numbering = False
        self.counter = 100
        self.step = 100
        self.pending_create: tuple[str, Span] | None = None
        self.pending_destroy: tuple[str, Span] | None = None
        self.gone: dict[str, int] = {}
        self.title: str | None = None
        self.acc_title: str | None = None
        self.acc_descr: str | None = None
        self.config: dict[str, Any] = {}
        self.seen_statement = False

    # --- helpers ------------------------------------------------------------------

    def error(
        self,
        message: str,
        st: Statement,
        *,
        code: ErrorCode = ErrorCode.SYNTAX,
        hint: str | None = None,
        column: int | None = None,
    ) -> MlseqError:
        return MlseqError(
            message,
            line=st.line,
            column=column if column is not None else st.column,
            code=code,
            hint=hint,
        )

    def text(self, raw: str, st: Statement) -> tuple[str, bool]:
        """A label: ``wrap:``/``nowrap:`` prefix, ``<br>`` as a newline, entities."""
        body = raw.strip()
        wrap = False
        m = _WRAP.match(body)
        if m:
            wrap = m.group(1) is None
            body = body[m.end() :].strip()
        if len(body) > self.limits.max_label:
            raise self.error(
                f"label is {len(body)} characters long; the limit is {self.limits.max_label}",
                st,
                code=ErrorCode.LIMIT,
            )
        if "<" in body:
            body = "\n".join(part.strip() for part in _BR.sub("\n", body).split("\n"))
        return decode_entities(body), wrap

    def check_name(self, name: str, st: Statement, column: int, *, message: bool) -> str:
        if not name:
            raise self.error("expected a participant name", st, column=column)
        found = (_BAD_IN_MESSAGE if message else _BAD_IN_NAME).search(name)
        if found is not None:
            ch = found.group(0)
            raise self.error(
                f"invalid participant name {_q(name)}: it may not contain {ch!r}",
                st,
                column=column,
                hint="declare it with 'participant X as Any Label: text' to show "
                "such characters"
                if ch != ":"
                else "put the label after 'as'",
            )
        if len(name) > self.limits.max_label:
            raise self.error(
                f"participant name is {len(name)} characters long; "
                f"the limit is {self.limits.max_label}",
                st,
                code=ErrorCode.LIMIT,
            )
        return decode_entities(name)

    def add(self, pid: str, st: Statement) -> _Participant:
        if len(self.participants) >= self.limits.max_participants:
            raise self.error(
                f"more than {self.limits.max_participants} participants",
                st,
                code=ErrorCode.LIMIT,
            )
        p = _Participant(pid, pid, _PARTICIPANT, st.span, explicit=False)
        self.participants[pid] = p
        return p

    def use(self, pid: str, st: Statement, column: int) -> _Participant:
        """A participant named in a message, note, activation or link."""
        p = self.participants.get(pid)
        if p is not None and (p.explicit or not self.strict):
            return p
        if self.strict:
            declared = [q.id for q in self.participants.values() if q.explicit]
            raise self.error(
                f"unknown participant {pid!r}",
                st,
                code=ErrorCode.UNKNOWN_PARTICIPANT,
                column=column,
                hint=did_you_mean(pid, declared)
                or (f"declare it with 'participant {pid}'" if declared else None),
            )
        return self.add(pid, st)

    # --- statements ---------------------------------------------------------------

    def statement(self, st: Statement) -> None:
        if st.kind != "line":
            if st.kind in ("acc_title", "acc_descr") and len(st.text) > self.limits.max_label:
                what = "accTitle" if st.kind == "acc_title" else "accDescr"
                raise self.error(
                    f"{what} is {len(st.text)} characters long; the limit is "
                    f"{self.limits.max_label}",
                    st,
                    code=ErrorCode.LIMIT,
                )
            if st.kind == "acc_title":
                self.acc_title = decode_entities(st.text)
            elif st.kind == "acc_descr":
                self.acc_descr = decode_entities(st.text)
            elif st.kind == "directive":
                self.directive(st)
            elif st.kind == "frontmatter":
                self.front_matter(st)
            return
        s = st.text
        first = not self.seen_statement
        self.seen_statement = True
        m = _WORD.match(s)
        word = m.group(0).lower() if m else ""
        if word not in KEYWORDS and self.box is None and s[:1] not in "=.":
            # Most statements are messages: skip the keyword chain below.
            if not self.message(st):
                self.unknown(word, first, st)
            return
        rest = s[m.end() :] if m else s
        rest_col = st.column + (m.end() if m else 0)
        if word == "sequencediagram" and not rest.strip():
            if not first:
                raise self.error("'sequenceDiagram' may only be the first line", st)
            return
        declaration = word in ("participant", "actor") or (
            word in KIND_KEYWORDS and not self.is_message(s)
        )
        if self.box is not None and not declaration and word not in ("end", "create"):
            raise self.error(
                "only participant declarations can go inside a box",
                st,
                code=ErrorCode.BLOCK,
                hint=f"close the box opened at line {self.box.span.line} with 'end' first",
            )
        if declaration:
            self.declare(KIND_KEYWORDS[word], rest, rest_col, st, created=False)
        elif word == "create":
            self.create(rest, rest_col, st)
        elif word == "destroy":
            self.destroy(rest, rest_col, st)
        elif word == "box":
            self.open_box(rest, st)
        elif word == "end":
            self.end(rest, rest_col, st)
        elif word in _FRAGMENTS:
            self.fragment(word, rest, st)
        elif word in _SECTIONS:
            self.section(word, rest, st)
        elif word == "note":
            self.note(rest, rest_col, st)
        elif word in ("activate", "deactivate"):
            self.activation(word == "activate", rest, rest_col, st)
        elif word == "autonumber":
            self.autonumber(rest, st)
        elif word in ("link", "links", "properties", "details"):
            self.link(word, rest, rest_col, st)
        elif word == "title" and (rest[:1].isspace() or rest[:1] == ":"):
            title = rest[1:] if rest[:1] == ":" else rest
            self.title = self.text(title, st)[0] or None
        elif s.startswith("==") and s.endswith("==") and len(s) >= 4 and not _has_arrow(s):
            self.events.append(Divider(self.text(s[2:-2], st)[0], st.span))
        elif (
            s.startswith("...")
            and (s == "..." or (s.endswith("...") and len(s) >= 6))
            and not _has_arrow(s)
        ):
            self.events.append(Delay(self.text(s[3:-3] if len(s) >= 6 else "", st)[0], st.span))
        elif not self.message(st):
            self.unknown(word, first, st)

    def unknown(self, word: str, first: bool, st: Statement) -> None:
        m = _WORD.match(st.text)
        written = m.group(0) if m else word
        if first and word in _OTHER_DIAGRAMS:
            raise self.error(
                f"'{written}' starts another kind of Mermaid diagram; "
                "mlseq draws sequence diagrams only",
                st,
            )
        hint = did_you_mean(word, _HINT_WORDS) if word and word not in KEYWORDS else None
        if hint:
            raise self.error(f"unknown statement {written!r}", st, hint=hint)
        if any(c in st.text for c in "-<>="):
            raise self.error(f"no known arrow in {_q(st.text)}", st, hint=_ARROW_HINT)
        raise self.error(
            f"cannot read {_q(st.text)} as a statement",
            st,
            hint="a message reads 'A->>B: text'",
        )

    # --- participants -------------------------------------------------------------

    def declare(
        self, kind: ParticipantKind, rest: str, col: int, st: Statement, *, created: bool
    ) -> _Participant:
        lead = len(rest) - len(rest.lstrip())
        body = rest.strip()
        col += lead
        if not body:
            raise self.error(f"'{kind.value}' needs a name", st, column=col)
        label: str | None = None
        meta_at = body.find("@{")
        if meta_at >= 0:
            raw_id = body[:meta_at].rstrip()
            close = body.find("}", meta_at)
            if close < 0:
                raise self.error(
                    "participant metadata '@{' is never closed",
                    st,
                    column=col + meta_at,
                    hint="end it with '}'",
                )
            meta = self.metadata(body[meta_at + 1 : close + 1], st, col + meta_at)
            after = body[close + 1 :].strip()
            if after:
                parts = after.split(None, 1)
                if parts[0].lower() != "as" or len(parts) < 2:
                    raise self.error(
                        f"unexpected text after participant metadata: {_q(after)}",
                        st,
                        column=col + close + 1,
                        hint="a label goes after 'as'",
                    )
                label = parts[1]
            if "type" in meta:
                kind = self.kind_value(meta["type"], st, col + meta_at)
            if label is None and meta.get("alias") is not None:
                label = str(meta["alias"])
        else:
            raw_id, label = _split_as(body)
        pid = self.check_name(raw_id, st, col, message=False)
        text = self.text(label, st)[0] if label is not None else pid
        p = self.participants.get(pid)
        if p is None:
            p = self.add(pid, st)
            p.span = st.span
        elif created:
            raise self.error(
                f"cannot create {pid!r}: it already exists",
                st,
                code=ErrorCode.LIFECYCLE,
                column=col,
                hint=f"'create' introduces a new participant; {pid!r} first appears "
                f"at line {p.span.line}",
            )
        p.label = text
        p.kind = kind
        p.explicit = True
        if self.box is not None and p.box is None:
            p.box = len(self.boxes)
            self.box.members.append(pid)
        return p

    def metadata(self, raw: str, st: Statement, col: int) -> dict[str, Any]:
        if _too_nested(raw):
            raise self.error(
                "participant metadata is nested too deeply", st, code=ErrorCode.LIMIT, column=col
            )
        try:
            value = _safe_yaml(raw)
        except _YamlTooLarge:
            raise self.error(
                f"participant metadata holds more than {_YAML_MAX_NODES} values "
                "(counting each use of a YAML alias)",
                st,
                code=ErrorCode.LIMIT,
                column=col,
            ) from None
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            problem = getattr(exc, "problem", None) or "not valid YAML/JSON"
            raise self.error(
                f"malformed participant metadata {_q(raw)}: {problem}",
                st,
                code=ErrorCode.VALUE,
                column=col,
                hint='write it like @{ "type": "database", "alias": "Feature store" }',
            ) from None
        if not isinstance(value, dict):
            raise self.error(
                f"participant metadata must be a mapping, got {_q(raw)}",
                st,
                code=ErrorCode.VALUE,
                column=col,
                hint='write it like @{ "type": "database" }',
            )
        return {str(k): v for k, v in value.items()}

    def kind_value(self, value: Any, st: Statement, col: int) -> ParticipantKind:
        name = str(value).strip().lower()
        if name not in KIND_KEYWORDS:
            raise self.error(
                f"unknown participant type {str(value)!r}",
                st,
                code=ErrorCode.VALUE,
                column=col,
                hint=did_you_mean(name, KIND_KEYWORDS) or "types are " + ", ".join(KIND_KEYWORDS),
            )
        return KIND_KEYWORDS[name]

    def create(self, rest: str, col: int, st: Statement) -> None:
        body = rest.lstrip()
        col += len(rest) - len(body)
        m = _WORD.match(body)
        word = m.group(0).lower() if m else ""
        if not m or word not in KIND_KEYWORDS:
            raise self.error(
                "'create' must be followed by 'participant', 'actor' or a kind keyword",
                st,
                column=col,
                hint=did_you_mean(word, KIND_KEYWORDS) if word else None,
            )
        p = self.declare(KIND_KEYWORDS[word], body[m.end() :], col + m.end(), st, created=True)
        p.created = True
        self.pending_create = (p.id, st.span)
        self.events.append(Create(p.id, st.span))

    def destroy(self, rest: str, col: int, st: Statement) -> None:
        col += len(rest) - len(rest.lstrip())
        pid = self.check_name(rest.strip(), st, col, message=False)
        p = self.use(pid, st, col)
        if p.destroyed:
            raise self.error(
                f"{pid!r} is already destroyed", st, code=ErrorCode.LIFECYCLE, column=col
            )
        p.destroyed = True
        self.pending_destroy = (pid, st.span)
        self.events.append(Destroy(pid, st.span))

    def open_box(self, rest: str, st: Statement) -> None:
        if self.box is not None:
            raise self.error(
                "boxes cannot be nested",
                st,
                code=ErrorCode.BLOCK,
                hint=f"close the box opened at line {self.box.span.line} with 'end' first",
            )
        if self.blocks:
            raise self.error(
                f"'box' cannot be inside '{self.blocks[-1].keyword}'",
                st,
                code=ErrorCode.BLOCK,
                hint="group participants at the top of the diagram",
            )
        color, label, looked = _split_color(rest)
        if looked and color is None:
            raise self.error(
                f"invalid colour in {_q(rest.strip())}",
                st,
                code=ErrorCode.VALUE,
                hint="use a CSS colour name, #hex, or rgb()/rgba()/hsl()/hsla() with numbers",
            )
        self.box = _OpenBox(self.text(label, st)[0], color, st.span)

    # --- blocks -------------------------------------------------------------------

    def fragment(self, word: str, rest: str, st: Statement) -> None:
        kind = _FRAGMENTS[word]
        if len(self.blocks) >= self.limits.max_depth:
            raise self.error(
                f"blocks nested more than {self.limits.max_depth} deep",
                st,
                code=ErrorCode.LIMIT,
            )
        color: str | None = None
        label = rest
        if kind is FragmentKind.RECT:
            color, label, _ = _split_color(rest)
            if rest.strip() and color is None:
                word0 = rest.split()[0]
                raise self.error(
                    f"invalid colour {_q(rest.strip())}",
                    st,
                    code=ErrorCode.VALUE,
                    hint=did_you_mean(word0.lower(), _NAMED_COLORS)
                    or "use a CSS colour name, #hex, or rgb()/rgba()/hsl()/hsla() with numbers",
                )
        depth = len(self.blocks)
        self.events.append(FragmentStart(kind, self.text(label, st)[0], color, depth, st.span))
        self.blocks.append(_Block(kind, word, st.span))

    def section(self, word: str, rest: str, st: Statement) -> None:
        owners = _SECTIONS[word]
        if not self.blocks or self.blocks[-1].kind not in owners:
            inside = f", not directly inside '{self.blocks[-1].keyword}'" if self.blocks else ""
            raise self.error(
                f"'{word}' outside '{_SECTION_OWNER[word]}'{inside}",
                st,
                code=ErrorCode.BLOCK,
                hint=f"'{word}' starts a new section of '{_SECTION_OWNER[word]}' ... 'end'",
            )
        self.events.append(
            FragmentSection(word, self.text(rest, st)[0], len(self.blocks) - 1, st.span)
        )

    def end(self, rest: str, col: int, st: Statement) -> None:
        if rest.strip():
            raise self.error(
                f"unexpected text after 'end': {_q(rest.strip())}",
                st,
                column=col + len(rest) - len(rest.lstrip()),
                hint="'end' closes a block and stands alone; a participant cannot be called 'end'",
            )
        if self.box is not None:
            box = self.box
            self.boxes.append(Box(box.label, box.color, tuple(box.members), box.span))
            self.box = None
            return
        if not self.blocks:
            raise self.error(
                "'end' without an open block",
                st,
                code=ErrorCode.BLOCK,
                hint="remove it, or open a block with loop/alt/opt/par/critical/break/rect",
            )
        block = self.blocks.pop()
        self.events.append(FragmentEnd(block.kind, len(self.blocks), st.span))

    # --- messages -----------------------------------------------------------------

    @staticmethod
    def is_message(s: str) -> bool:
        """Whether ``s`` reads as a Mermaid message (an arrow and then ``:``)."""
        colon = s.find(":")
        return colon >= 0 and _ARROW_RE.search(s, 0, colon) is not None

    @staticmethod
    def _col(st: Statement, start: int, raw: str) -> int:
        """The column of the name written as ``raw`` from offset ``start`` of ``st``."""
        return st.column + start + len(raw) - len(raw.lstrip())

    def message(self, st: Statement) -> bool:
        s = st.text
        m = _MESSAGE.match(s)
        if m is None:
            return False
        source_raw, central_source, arrow, central_target, marker, target_raw, text = \
            m.groups()
        line, head, tail = ARROWS[arrow]
        source = source_raw.strip()
        if not source:
            raise self.error(
                f"message has no sender before {arrow!r}", st, hint="write 'A->>B: text'"
            )
        target = target_raw.strip()
        pos = m.start(6)
        if not target:
            raise self.error(
                f"message has no receiver after {arrow!r}",
                st,
                column=self._col(st, pos, target_raw),
                hint="write 'A->>B: text'",
            )
        # Known, well-formed names (nearly every message) skip the checks' calls, and
        # the names' columns (only errors and '-' use them) are worked out when needed.
        participants = self.participants
        src = participants.get(source)
        if (src is None or not (src.explicit or not self.strict) or "#" in source
                or "+" in source):
            source_col = self._col(st, 0, source_raw)
            src = self.use(self.check_name(source, st, source_col, message=True), st,
                           source_col)
        tgt = participants.get(target)
        if (tgt is None or not (tgt.explicit or not self.strict) or "#" in target
                or "+" in target):
            target_col = self._col(st, pos, target_raw)
            tgt = self.use(self.check_name(target, st, target_col, message=True), st,
                           target_col)
        for p, col in ((src, self._col(st, 0, source_raw)),
                       (tgt, self._col(st, pos, target_raw))) if self.gone else ():
            gone = self.gone.get(p.id)
            if gone is not None:
                raise self.error(
                    f"{p.id!r} was destroyed at line {gone}",
                    st,
                    code=ErrorCode.LIFECYCLE,
                    column=col,
                    hint="a destroyed participant cannot send or receive messages",
                )
        if text is None:
            text, wrap = "", False
        else:
            text = text.strip()
            if (not text or text[0] in _WRAP_FIRST or "<" in text or "#" in text
                    or len(text) > self.limits.max_label):
                text, wrap = self.text(text, st)
            else:
                wrap = False
        if self.pending_create is not None or self.pending_destroy is not None:
            self.lifecycle(src.id, tgt.id, st)
        span = st.span
        number: str | None = None
        if self.numbering:
            number = _fmt_number(self.counter)
            self.counter += self.step
        self.events.append(
            _make_message(  # positional: the fields in order (keywords cost more)
                src.id,
                tgt.id,
                text,
                line,
                head,
                tail,
                arrow,
                number,
                wrap,
                central_source is not None,
                central_target is not None,
                span,
            )
        )
        if marker == "+":
            self.active[tgt.id] = self.active.get(tgt.id, 0) + 1
            self.events.append(_make_activation(tgt.id, True, True, span))
        elif marker == "-":
            self.deactivate(src.id, st, self._col(st, 0, source_raw))
            self.events.append(_make_activation(src.id, False, True, span))
        return True

    def lifecycle(self, src: str, tgt: str, st: Statement) -> None:
        if self.pending_create is not None:
            pid, where = self.pending_create
            if tgt != pid:
                raise self.error(
                    f"the message after 'create' at line {where.line} must be sent to {pid!r}",
                    st,
                    code=ErrorCode.LIFECYCLE,
                    hint="a created participant appears with the message that creates it",
                )
            self.pending_create = None
        elif self.pending_destroy is not None:
            pid, where = self.pending_destroy
            if pid not in (src, tgt):
                raise self.error(
                    f"the message after 'destroy {pid}' at line {where.line} must come "
                    f"from or go to {pid!r}",
                    st,
                    code=ErrorCode.LIFECYCLE,
                    hint=did_you_mean(pid, (src, tgt)),
                )
            self.pending_destroy = None
            self.gone[pid] = st.line

    def deactivate(self, pid: str, st: Statement, col: int) -> None:
        if not self.active.get(pid):
            raise self.error(
                f"cannot deactivate {pid!r}: it is not active",
                st,
                code=ErrorCode.ACTIVATION,
                column=col,
                hint=f"activate it first ('activate {pid}' or '->>+{pid}')",
            )
        self.active[pid] -= 1

    def activation(self, on: bool, rest: str, col: int, st: Statement) -> None:
        col += len(rest) - len(rest.lstrip())
        p = self.use(self.check_name(rest.strip(), st, col, message=False), st, col)
        if on:
            self.active[p.id] = self.active.get(p.id, 0) + 1
        else:
            self.deactivate(p.id, st, col)
        self.events.append(_make_activation(p.id, on, False, st.span))

    def note(self, rest: str, col: int, st: Statement) -> None:
        body = rest.lstrip()
        col += len(rest) - len(body)
        m = _PLACEMENT.match(body)
        if not m:
            word = body.split(None, 1)[0] if body.split() else ""
            raise self.error(
                "a note needs 'left of', 'right of' or 'over'",
                st,
                code=ErrorCode.NOTE,
                column=col,
                hint=did_you_mean(word, ("over", "left", "right")) if word else None,
            )
        placement = NotePlacement(" ".join(m.group(1).lower().split()))
        colon = body.find(":", m.end())
        if colon < 0:
            raise self.error(
                "a note needs ': text' after its participants",
                st,
                code=ErrorCode.NOTE,
                column=col + len(body),
            )
        names = body[m.end() : colon].split(",")
        ids: list[str] = []
        offset = col + m.end()
        for raw in names:
            name_col = offset + len(raw) - len(raw.lstrip())
            pid = self.use(
                self.check_name(raw.strip(), st, name_col, message=False), st, name_col
            ).id
            if pid not in ids:
                ids.append(pid)
            offset += len(raw) + 1
        if len(names) > 2:
            raise self.error(
                f"a note can span at most two participants, not {len(names)}",
                st,
                code=ErrorCode.NOTE,
                column=col,
                hint=f"write 'note over {names[0].strip()},{names[-1].strip()}: ...'",
            )
        if len(names) == 2 and placement is not NotePlacement.OVER:
            raise self.error(
                f"'note {placement.value}' takes one participant",
                st,
                code=ErrorCode.NOTE,
                column=col,
                hint="use 'note over A,B' to span two",
            )
        text, wrap = self.text(body[colon + 1 :], st)
        self.events.append(_make_note(tuple(ids), placement, text, wrap, st.span))

    def autonumber(self, rest: str, st: Statement) -> None:
        args = rest.split()
        if args and args[0].lower() == "off" and len(args) == 1:
            self.numbering = False
            self.events.append(Autonumber(False, span=st.span))
            return
        if len(args) > 2:
            raise self.error(
                f"'autonumber' takes at most a start and a step, got {_q(rest.strip())}",
                st,
                code=ErrorCode.VALUE,
            )
        values: list[int] = []
        for arg in args:
            if not arg or not _NUMBER.fullmatch(arg):
                raise self.error(
                    f"autonumber expects numbers or 'off', got {arg!r}",
                    st,
                    code=ErrorCode.VALUE,
                    hint="write 'autonumber', 'autonumber 10 5' or 'autonumber off'",
                )
            whole, _, frac = arg.partition(".")
            if len(frac) > 2:
                raise self.error(
                    f"autonumber value {arg!r} has more than two decimals",
                    st,
                    code=ErrorCode.VALUE,
                    hint="Mermaid allows at most hundredths, e.g. 1.25",
                )
            values.append(int(whole or "0") * 100 + int((frac + "00")[:2]))
        if len(values) == 2 and values[1] == 0:
            raise self.error("autonumber step must not be 0", st, code=ErrorCode.VALUE)
        self.numbering = True
        if values:
            self.counter = values[0]
            self.step = values[1] if len(values) > 1 else 100
        self.events.append(
            Autonumber(
                True,
                args[0] if args else None,
                args[1] if len(args) > 1 else None,
                st.span,
            )
        )

    def link(self, word: str, rest: str, col: int, st: Statement) -> None:
        colon = rest.find(":")
        if colon < 0:
            raise self.error(
                f"'{word}' needs a participant and ': ...'",
                st,
                column=col,
                hint="write 'link A: Dashboard @ https://...'"
                if word == "link"
                else f'write \'{word} A: {{"Dashboard": "https://..."}}\'',
            )
        raw = rest[:colon]
        name_col = col + len(raw) - len(raw.lstrip())
        p = self.use(self.check_name(raw.strip(), st, name_col, message=False), st, name_col)
        value = rest[colon + 1 :].strip()
        if word == "link":
            at = value.find("@")
            if at < 0:
                raise self.error(
                    f"link {_q(value)} has no '@ url'",
                    st,
                    code=ErrorCode.VALUE,
                    hint="write 'link A: Dashboard @ https://...'",
                )
            label = decode_entities(value[:at].strip())
            url = decode_entities(value[at + 1 :].strip())
            self.check_link(Link(label, url), st)
            p.links.append(Link(label, url))
        elif word == "links":
            try:
                data = None if _too_nested(value) else json.loads(decode_entities(value))
            except (ValueError, RecursionError):
                data = None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise self.error(
                    f"links must be a JSON object of label to URL, got {_q(value)}",
                    st,
                    code=ErrorCode.VALUE,
                    hint='write \'links A: {"Dashboard": "https://..."}\'',
                )
            for k, v in data.items():
                self.check_link(Link(str(k), v), st)
                p.links.append(Link(str(k), v))
        # properties/details: accepted for Mermaid compatibility, not drawn.

    def check_link(self, link: Link, st: Statement) -> None:
        longest = max(len(link.label), len(link.url))
        if longest > self.limits.max_label:
            raise self.error(
                f"link is {longest} characters long; the limit is {self.limits.max_label}",
                st,
                code=ErrorCode.LIMIT,
            )

    # --- configuration ------------------------------------------------------------

    def directive(self, st: Statement) -> None:
        body = st.text.strip()
        m = _WORD.match(body)
        kind = m.group(0).lower() if m else ""
        if kind == "wrap":
            self.config["wrap"] = True
            return
        if kind not in ("init", "initialize"):
            return  # other Mermaid directives change nothing mlseq draws
        assert m is not None
        args = body[m.end() :].lstrip()
        if args.startswith(":"):
            args = args[1:]
        if len(args) > 65_536 or _too_nested(args):
            raise self.error(
                "directive is too large or nested too deeply", st, code=ErrorCode.LIMIT
            )
        data = _relaxed_json(args)
        if not isinstance(data, dict):
            raise self.error(
                "cannot read the %%{init: ...}%% directive",
                st,
                code=ErrorCode.DIRECTIVE,
                hint='write %%{init: {"theme": "dark"}}%%',
            )
        self.apply_config(data)

    def front_matter(self, st: Statement) -> None:
        if len(st.text) > 65_536 or _too_nested(st.text):
            raise self.error(
                "front matter is too large or nested too deeply", st, code=ErrorCode.LIMIT
            )
        try:
            data = _safe_yaml(st.text)
        except _YamlTooLarge:
            raise self.error(
                f"front matter holds more than {_YAML_MAX_NODES} values "
                "(counting each use of a YAML alias)",
                st,
                code=ErrorCode.LIMIT,
            ) from None
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or "invalid YAML"
            raise MlseqError(
                f"front matter is not valid YAML: {problem}",
                line=st.line + 1 + (mark.line if mark is not None else 0),
                column=(mark.column + 1) if mark is not None else 1,
                code=ErrorCode.DIRECTIVE,
            ) from None
        if data is None:
            return
        if not isinstance(data, dict):
            raise self.error(
                "front matter must be a YAML mapping",
                st,
                code=ErrorCode.DIRECTIVE,
                hint="e.g. 'title: Training' and 'config: {theme: dark}'",
            )
        title = data.get("title")
        if title is not None:
            self.config["title"] = str(title)
        config = data.get("config")
        if isinstance(config, dict):
            self.apply_config(config)

    def apply_config(self, data: dict[Any, Any]) -> None:
        scopes: list[dict[Any, Any]] = [data]
        for key in ("config", "sequence"):
            inner = data.get(key)
            if isinstance(inner, dict):
                scopes.append(inner)
                seq = inner.get("sequence")
                if isinstance(seq, dict):
                    scopes.append(seq)
        for scope in scopes:
            theme = scope.get("theme")
            if isinstance(theme, str) and theme in THEMES:
                self.config["theme"] = theme
            for src, dst in (
                ("mirrorActors", "mirror_actors"),
                ("wrap", "wrap"),
                ("showSequenceNumbers", "show_numbers"),
            ):
                value = scope.get(src)
                if isinstance(value, bool):
                    self.config[dst] = value
            align = scope.get("messageAlign")
            if isinstance(align, str) and align in ("left", "center", "right"):
                self.config["message_align"] = align

    # --- the whole block ----------------------------------------------------------

    def run(self, text: str) -> Diagram:
        statements = split(text)
        if ";" in text:  # only a ';' puts two statements on one line
            statements = _rejoin(statements, text.split("\n"))
        if len(statements) > self.limits.max_statements:
            extra = statements[self.limits.max_statements]
            raise MlseqError(
                f"more than {self.limits.max_statements} statements",
                line=extra.line,
                column=extra.column,
                code=ErrorCode.LIMIT,
            )
        # Configuration first: numbering may be switched on by it.
        for st in statements:
            if st.kind in ("directive", "frontmatter"):
                self.statement(st)
        if self.config.get("show_numbers"):
            self.numbering = True
        for st in statements:
            if st.kind not in ("directive", "frontmatter"):
                self.statement(st)
        if self.box is not None:
            raise MlseqError(
                "'box' is never closed",
                line=self.box.span.line,
                column=self.box.span.column,
                code=ErrorCode.BLOCK,
                hint="close it with 'end'",
            )
        if self.blocks:
            block = self.blocks[-1]
            raise MlseqError(
                f"'{block.keyword}' block is never closed",
                line=block.span.line,
                column=block.span.column,
                code=ErrorCode.BLOCK,
                hint="close it with 'end'",
            )
        participants = tuple(
            Participant(
                p.id,
                p.label,
                p.kind,
                p.span,
                p.box,
                tuple(p.links),
                p.explicit,
                p.created,
                p.destroyed,
            )
            for p in self.participants.values()
        )
        cfg = DiagramConfig(
            theme=self.config.get("theme"),
            mirror_actors=self.config.get("mirror_actors"),
            wrap=self.config.get("wrap"),
            show_numbers=self.config.get("show_numbers"),
            message_align=self.config.get("message_align"),
            title=self.config.get("title"),
        )
        return Diagram(
            participants=participants,
            events=tuple(self.events),
            boxes=tuple(self.boxes),
            title=self.title if self.title is not None else cfg.title,
            acc_title=self.acc_title,
            acc_descr=self.acc_descr,
            config=cfg,
            source_lines=text.count("\n") + 1,
        )


# fmt: off
_NAMED_COLORS = frozenset(
    """
    aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
    blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk
    crimson cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki
    darkmagenta darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen
    darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
    dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro
    ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo
    ivory khaki lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral
    lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon
    lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow
    lime limegreen linen magenta maroon mediumaquamarine mediumblue mediumorchid
    mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise
    mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace
    olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise
    palevioletred papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red
    rosybrown royalblue saddlebrown salmon sandybrown seagreen seashell sienna silver
    skyblue slateblue slategray slategrey snow springgreen steelblue tan teal thistle
    tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent
    """.split()  # noqa: SIM905
)
# fmt: on

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNCTION = re.compile(r"(?:rgba?|hsla?)[ \t]*\((?:[0-9.,% \t/+-]|deg|turn|rad)*\)", re.IGNORECASE)
_FUNCTION_START = re.compile(r"(?:rgba?|hsla?)[ \t]*\(", re.IGNORECASE)


def _is_color(value: str) -> bool:
    """Whether ``value`` is a colour mlseq may put into a stylesheet."""
    if len(value) > 80:
        return False
    if value.lower() in _NAMED_COLORS:
        return True
    if _HEX.fullmatch(value):
        return True
    if _FUNCTION.fullmatch(value):
        return any(ch.isdigit() for ch in value)
    return False


def _split_color(text: str) -> tuple[str | None, str, bool]:
    """Split ``box``/``rect`` text into (colour, rest, looked_like_a_colour_function).

    A leading ``rgb(...)``-style function or a word that is a colour becomes the colour;
    otherwise the whole text is the label (Mermaid does the same for ``box``). The
    third value says the text started with a colour function, so a caller can report a
    malformed one instead of silently using it as a label.
    """
    text = text.strip()
    if _FUNCTION_START.match(text):
        close = text.find(")")
        if close < 0:
            return None, text, True
        candidate = text[: close + 1]
        if _is_color(candidate):
            return candidate, text[close + 1 :].strip(), True
        return None, text, True
    word, _, rest = text.partition(" ")
    if word and _is_color(word):
        return word, rest.strip(), False
    return None, text, False


def _could_start_statement(s: str) -> bool:
    """Whether a ``;``-separated piece could be a statement on its own."""
    m = _WORD.match(s)
    if m and m.group(0).lower() in KEYWORDS:
        return True
    if s.startswith(("==", "...")):
        return True
    return _Parser.is_message(s)


def _rejoin(statements: list[Statement], lines: list[str]) -> list[Statement]:
    """Put back a ``;`` that Mermaid would choke on inside message or note text.

    ``Q->>T: done (replay; no double-post)`` is a Mermaid syntax error, because ``;``
    ends a statement and ``no double-post)`` is none. Real diagrams contain such lines,
    so when the piece after a ``;`` cannot be a statement and the piece before it has
    ``: text``, the two are read as one. Valid Mermaid diagrams are never affected.
    """
    out: list[Statement] = []
    # A run of pieces being joined: its first statement and the last end column.
    # Slicing once per run keeps this linear on lines with thousands of ';'.
    joined_end: int | None = None

    def flush() -> None:
        if joined_end is not None:
            first = out[-1]
            text = lines[first.line - 1][first.column - 1 : joined_end]
            out[-1] = Statement(text, first.line, first.column, "line", first.line, joined_end)

    for st in statements:
        prev = out[-1] if out else None
        if (
            prev is not None
            and st.kind == "line"
            and prev.kind == "line"
            and prev.line == st.line
            and ":" in prev.text
            and not _could_start_statement(st.text)
        ):
            joined_end = st.span.end_column
            continue
        flush()
        joined_end = None
        out.append(st)
    flush()
    return out


_AS = re.compile(r"(?<=\S)\s+(?:as|AS|As|aS)\s+(?=\S)")
"""``as`` as a whole word with a word before and after it (spelt out, not ``re.I``:
that would also take the long s, ``ſ``, which ``str.lower`` leaves alone)."""


def _split_as(body: str) -> tuple[str, str | None]:
    """``Id as Label`` -> (``Id``, ``Label``); the first whitespace-delimited ``as``
    that has a word on both sides. ``body`` is stripped; the label keeps its spacing."""
    m = _AS.search(body)
    if m is None:
        return " ".join(body.split()), None
    return " ".join(body[: m.start()].split()), body[m.end() :].strip()


def _relaxed_json(text: str) -> Any:
    """Mermaid's directive arguments: JSON, or JSON written with single quotes."""
    for candidate in (text, text.replace("'", '"')):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            pass
    try:
        return _safe_yaml(text.replace("'", '"').replace(":", ": "))
    except (yaml.YAMLError, RecursionError, ValueError, _YamlTooLarge):
        return None


def parse(text: str, *, limits: Limits | None = None, strict_participants: bool = False) -> Diagram:
    """Parse diagram text into a :class:`~mlseq.model.Diagram`.

    Raises :class:`~mlseq.errors.MlseqError` (and nothing else) for any problem. With
    ``strict_participants``, every participant must be declared with a keyword before
    it is used (templates rely on this to catch misspelt names).
    """
    limits = limits if limits is not None else Limits()
    if not isinstance(text, str):
        raise MlseqError("diagram text must be a string", code=ErrorCode.SYNTAX)
    if len(text) > limits.max_bytes or (
        len(text) * 4 > limits.max_bytes
        and len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes
    ):
        raise MlseqError(f"diagram is larger than {limits.max_bytes} bytes", code=ErrorCode.LIMIT)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    # The parser allocates many small objects and no cycles; CPython's cyclic GC would
    # rescan the growing heap again and again, making big diagrams superlinear.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Parser(limits, strict_participants).run(text)
    finally:
        if was_enabled:
            gc.enable()


def _has_arrow(s: str) -> bool:
    """Whether a line has a message arrow before its first colon (so a divider- or
    delay-shaped line that is really a Mermaid message keeps its Mermaid meaning)."""
    colon = s.find(":")
    return _ARROW_RE.search(s, 0, colon if colon >= 0 else len(s)) is not None
