"""Import PlantUML sequence diagrams: the subset people write, as mlseq text.

Handled (one statement per line; ``'`` comments and ``/' ... '/`` blocks are dropped)::

    @startuml / @enduml                      title text
    participant|actor|boundary|control|entity|database|collections|queue
        NAME | "Label" as NAME | NAME as "Label"   [<<stereotype>>] [#colour] [order N]
    A -> B : text        ->  ->>  -->  -->>  ->x  -->x  <->  <-  <--  -\\  -/  ->o
    A -[#red]> B         (colours inside arrows are ignored)
    A -> B ++ / -- / ** / !! : text     activate target / deactivate source /
                                         create target / destroy target
    activate X / deactivate X / create [kind] X / destroy X
    note left of|right of|over X[, Y] : text   (also rnote/hnote, note left/right/across)
    note ... <lines> ... end note
    alt|opt|loop|par|critical|break|group [label] ... else [label] ... end
    == Stage ==       ... / ... text ...       ||| / ||45||  (spacing, dropped)
    autonumber [start [step]] / autonumber stop
    box "Label" [#colour] ... end box          hide footbox
    skinparam ... / !theme / scale / hide / show   (look only, dropped)

Anything else (``return``, ``ref over``, incoming ``[->``, ``newpage``, preprocessor
lines ...) is an :class:`MlseqError` at its line. PlantUML's arrows map by meaning:
``->`` (filled head) is a sync ``->>``, ``->>`` (thin head) is async ``-)``, dotted
ones are returns. ``group`` has no Mermaid equivalent and becomes a ``rect`` with the
label in a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import ErrorCode, MlseqError

_KINDS = ("participant", "actor", "boundary", "control", "entity", "database", "collections",
          "queue")  # fmt: skip
_NAME = r'(?:"[^"]*"|[\w.@$]+)'
_DECL = re.compile(
    rf"(?P<create>create\s+)?(?P<kind>{'|'.join(_KINDS)})\s+(?P<first>{_NAME})"
    rf"(?:\s+as\s+(?P<second>{_NAME}))?(?P<rest>.*)$",
    re.I,
)
_ARROW = re.compile(
    r"(?P<left>[<xo/\\]*)(?P<shaft>-+(?:\[[^\]]*\])?-*)(?P<right>[>xo/\\]*)"
)
_MESSAGE = re.compile(
    rf"(?P<a>{_NAME})\s*(?P<arrow>[<xo/\\]*-+(?:\[[^\]]*\])?-*[>xo/\\]*)\s*(?P<b>{_NAME})"
    r"\s*(?P<act>\+\+|--|\*\*|!!)?\s*(?:#\w+\s*)?(?::(?P<text>.*))?$"
)
_NOTE = re.compile(
    r"(?:[rh]?note)\s+(?P<where>left\s+of|right\s+of|over|left|right|across)"
    r"(?:\s+(?P<who>[^:#]*?))?\s*(?:#\w+\s*)?(?::(?P<text>.*))?$",
    re.I,
)
_FRAGMENT = re.compile(r"(alt|opt|loop|par|critical|break|group)(?:\s+(.*))?$", re.I)
_ELSE = re.compile(r"else(?:\s+(.*))?$", re.I)
_BOX = re.compile(r'box(?:\s+(?P<label>"[^"]*"|[^#\s]+))?(?:\s+(?P<color>#\w+))?\s*$', re.I)
_AUTONUMBER = re.compile(r"autonumber(?:\s+(\d+))?(?:\s+(\d+))?(?:\s+\"[^\"]*\")?\s*$", re.I)
_ACTIVATION = re.compile(r"(activate|deactivate|destroy)\s+(\S+)(?:\s+#\w+)?\s*$", re.I)
_DELAY = re.compile(r"\.\.\.(?:(.*?)\.\.\.)?\s*$")
_DIVIDER = re.compile(r"==+\s*(.*?)\s*==+\s*$")
_IGNORED = re.compile(
    r"(skinparam|!theme|!pragma|scale|hide|show|autoactivate|mainframe|header|footer|"
    r"caption)\b|\|\|\d*\|\|?$|\|\|\|$",
    re.I,
)
_RESERVED = frozenset(
    {*_KINDS, "pipeline", "job", "registry", "model", "monitor", "loop", "alt", "opt", "par",
     "par_over", "critical", "break", "rect", "else", "and", "option", "end", "note",
     "activate", "deactivate", "create", "destroy", "box", "autonumber", "link", "links",
     "properties", "details", "title", "acctitle", "accdescr", "sequencediagram"}
)  # fmt: skip
_ESCAPE = re.compile(r"\\(n|\\)")
_LITERAL_BR = re.compile(r"<(?=br[ \t]*/?>)", re.I)
_BAD_ID_CHARS = re.compile(r"[>:,;#%+\-<()]")


def mermaid_text(text: str) -> str:
    """Label text the mlseq/Mermaid parser reads back unchanged."""
    escapes = {"#": "#35;", ";": "#59;", "%": "#37;"}
    out = "".join(escapes.get(ch, ch) for ch in text)
    out = _LITERAL_BR.sub("#lt;", out)  # a literal "<br>" in the text stays text
    return out.replace("\r\n", "\n").replace("\n", "<br/>")


def _plant_text(text: str) -> str:
    """PlantUML's ``\\n`` line breaks and surrounding blanks, as plain text."""
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) == "n" else "\\", text.strip())


def _unquote(name: str) -> str:
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


@dataclass
class _State:
    out: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    """PlantUML name -> mlseq id."""
    blocks: list[str] = field(default_factory=list)
    last_message: tuple[str, str] | None = None
    last_line_of: dict[str, int] = field(default_factory=dict)
    """mlseq id -> index in ``out`` of the last message that involves it."""
    in_box: bool = False


def _error(message: str, line: int, column: int = 1, hint: str | None = None) -> MlseqError:
    return MlseqError(message, line=line, column=column, code=ErrorCode.SYNTAX, hint=hint)


def _id(state: _State, name: str) -> str:
    name = _unquote(name)
    if name in state.ids:
        return state.ids[name]
    base = _BAD_ID_CHARS.sub("_", name).strip() or "P"
    if base.lower() in _RESERVED:
        base += "_"
    candidate = base
    taken = set(state.ids.values())
    n = 2
    while candidate in taken:
        candidate = f"{base}_{n}"
        n += 1
    state.ids[name] = candidate
    return candidate


def from_plantuml(text: str) -> str:
    """mlseq text for a PlantUML sequence diagram (see the module docstring)."""
    state = _State()
    header: list[str] = []
    lines = text.splitlines()
    index = 0
    in_comment = False
    while index < len(lines):
        number = index + 1
        raw = lines[index]
        index += 1
        line = raw.strip()
        column = len(raw) - len(raw.lstrip()) + 1
        if in_comment:
            if "'/" in line:
                in_comment = False
            continue
        if line.startswith("/'"):
            in_comment = "'/" not in line[2:]
            continue
        if not line or line.startswith("'"):
            continue
        lower = line.lower()
        if lower.startswith("@startuml"):
            continue
        if lower.startswith("@enduml"):
            break
        if lower.startswith("skinparam") and line.rstrip().endswith("{"):
            while index < len(lines) and lines[index].strip() != "}":
                index += 1
            index += 1
            continue
        if lower == "hide footbox":
            header.append('%%{init: {"mirrorActors": false}}%%')
            continue
        if _IGNORED.match(line):
            continue
        if lower.startswith("title "):
            state.out.append(f"title {mermaid_text(_plant_text(line[6:]))}")
            continue
        if re.match(r"[rh]?note\b", lower):
            index = _note(state, line, lines, index, number, column)
            continue
        _statement(state, line, number, column)
    if state.blocks:
        raise _error(f"'{state.blocks[-1]}' is never closed with 'end'", len(lines))
    return "\n".join([*header, "sequenceDiagram", *state.out]) + "\n"


def _note(state: _State, line: str, lines: list[str], index: int, number: int,
          column: int) -> int:
    match = _NOTE.match(line)
    if not match:
        raise _error("cannot read this note", number, column,
                     "note left of X : text, note over X, Y : text")
    where = match.group("where").lower().split()[0]
    who = [w.strip() for w in (match.group("who") or "").split(",") if w.strip()]
    if where in ("left", "right") and not who:
        if state.last_message is None:
            raise _error(f"'note {where}' needs a message before it, or 'of X'", number, column)
        who = [state.last_message[0] if where == "left" else state.last_message[1]]
    if where == "across":
        known = list(dict.fromkeys(state.ids.values()))
        if not known:
            raise _error("'note across' needs participants before it", number, column)
        ids = [known[0], known[-1]] if len(known) > 1 else known
        where = "over"
    else:
        ids = [_id(state, w) for w in who]
    if len(ids) > 2 and where == "over":
        ids = [ids[0], ids[-1]]
    placement = {"left": "left of", "right": "right of", "over": "over"}[where]
    if match.group("text") is not None:
        body = _plant_text(match.group("text"))
    else:
        collected = []
        while index < len(lines) and not re.match(r"\s*end\s*[rh]?note\b", lines[index], re.I):
            collected.append(lines[index].strip())
            index += 1
        if index >= len(lines):
            raise _error("'note' is never closed with 'end note'", number, column)
        index += 1
        body = "\n".join(collected)
    state.out.append(f"{_indent(state)}note {placement} {','.join(ids)}: {mermaid_text(body)}")
    return index


def _indent(state: _State) -> str:
    return "  " * len(state.blocks)


def _statement(state: _State, line: str, number: int, column: int) -> None:
    lower = line.lower()
    ind = _indent(state)
    decl = _DECL.match(line)
    if decl and not _MESSAGE.match(line):
        _declare(state, decl, number, column)
        return
    if match := _DIVIDER.match(line):
        state.out.append(f"== {mermaid_text(match.group(1)) or '-'} ==")
        return
    if match := _DELAY.match(line):
        inner = (match.group(1) or "").strip()
        state.out.append(f"... {mermaid_text(inner)} ..." if inner else "...")
        return
    if match := _AUTONUMBER.match(line):
        args = " ".join(g for g in match.groups() if g)
        state.out.append(f"autonumber {args}".rstrip())
        return
    if lower in ("autonumber stop", "autonumber off"):
        state.out.append("autonumber off")
        return
    if match := _BOX.match(line):
        if state.in_box:
            raise _error("boxes do not nest", number, column)
        label = mermaid_text(_unquote(match.group("label") or ""))
        color = (match.group("color") or "").lstrip("#")
        if color and re.fullmatch(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}", color):
            color = "#" + color
        color = color or ("transparent" if label else "")
        state.out.append(f"box {color} {label}".replace("  ", " ").strip())
        state.in_box = True
        return
    if re.fullmatch(r"end\s+box", lower):
        if not state.in_box:
            raise _error("'end box' without 'box'", number, column)
        state.in_box = False
        state.out.append("end")
        return
    if match := _FRAGMENT.match(line):
        keyword = match.group(1).lower()
        label = mermaid_text(_plant_text(match.group(2) or ""))
        if keyword == "group":
            state.out.append(f"{ind}%% PlantUML group: {label}")
            state.out.append(f"{ind}rect transparent")
        else:
            state.out.append(f"{ind}{keyword} {label}".rstrip())
        state.blocks.append(keyword)
        return
    if match := _ELSE.match(line):
        if not state.blocks:
            raise _error("'else' outside a block", number, column)
        owner = state.blocks[-1]
        section = {"alt": "else", "par": "and", "critical": "option"}.get(owner)
        if section is None:
            raise _error(f"'else' inside '{owner}' has no mlseq equivalent", number, column,
                         "only alt, par and critical have sections")
        label = mermaid_text(_plant_text(match.group(1) or ""))
        state.out.append(f"{_indent(state)[2:]}{section} {label}".rstrip())
        return
    if lower == "end":
        if not state.blocks:
            raise _error("'end' without a block", number, column)
        state.blocks.pop()
        state.out.append(f"{_indent(state)}end")
        return
    if match := _ACTIVATION.match(line):
        verb, name = match.group(1).lower(), match.group(2)
        pid = _id(state, name)
        if verb == "destroy":
            # PlantUML ends the lifeline after the last message; mlseq (like Mermaid)
            # marks the message that ends it, so 'destroy' goes before that message.
            at = state.last_line_of.get(pid)
            if at is None:
                raise _error(f"'destroy {name}' before any message of it", number, column)
            state.out.insert(at, f"{_indent(state)}destroy {pid}")
            for key, value in state.last_line_of.items():
                if value >= at:
                    state.last_line_of[key] = value + 1
            return
        state.out.append(f"{ind}{verb} {pid}")
        return
    if match := _MESSAGE.match(line):
        _message(state, match, number, column)
        return
    word = line.split()[0]
    unsupported = ("return", "ref", "newpage", "legend", "!include", "!define", "alt#")
    if line.startswith(("[", "?")) or re.search(r"-+>?\s*[\]?]", line):
        raise _error("incoming and outgoing messages ([-> / ->]) are not supported",
                     number, column)
    if word.lower() in unsupported or word.startswith("!"):
        raise _error(f"'{word}' is not supported by the PlantUML import", number, column)
    raise _error(f"cannot read this PlantUML line: {line[:60]!r}", number, column)


def _declare(state: _State, decl: re.Match[str], number: int, column: int) -> None:
    first, second = decl.group("first"), decl.group("second")
    kind = decl.group("kind").lower()
    rest = decl.group("rest").strip()
    rest = re.sub(r"<<[^>]*>>|#\w+|order\s+-?\d+|\[\[[^\]]*\]\]", "", rest).strip()
    if rest:
        raise _error(f"unexpected {rest!r} after the declaration", number, column)
    if second is None:
        name, label = first, _unquote(first)
    elif first.startswith('"') and not second.startswith('"'):
        name, label = second, _unquote(first)
    else:
        name, label = first, _unquote(second)
    pid = _id(state, name)
    prefix = "create " if decl.group("create") else ""
    shown = f" as {mermaid_text(_plant_text(label))}" if label != pid else ""
    indent = "  " if state.in_box else _indent(state)
    state.out.append(f"{indent}{prefix}{kind} {pid}{shown}")


def _message(state: _State, match: re.Match[str], number: int, column: int) -> None:
    arrow = _ARROW.fullmatch(match.group("arrow"))
    assert arrow is not None
    left, shaft, right = arrow.group("left"), arrow.group("shaft"), arrow.group("right")
    dotted = re.sub(r"\[[^\]]*\]", "", shaft).count("-") >= 2
    a, b = _id(state, match.group("a")), _id(state, match.group("b"))
    if right and left and "<" in left and ">" in right:
        mermaid = "<<-->>" if dotted else "<<->>"
        source, target = a, b
    elif right:
        mermaid = _head(right, dotted)
        source, target = a, b
        if left:
            raise _error(f"arrow {match.group('arrow')!r} has heads at both ends", number, column)
    elif left:
        mermaid = _head(left[::-1].replace("<", ">"), dotted)
        source, target = b, a
    else:
        raise _error("an arrow needs a head (->, -->, ->>, ->x ...)", number, column)
    act = match.group("act")
    sign = ""
    ind = _indent(state)
    if act == "++":
        sign = "+"
    elif act == "--":
        sign = "-"
    elif act == "**":
        state.out.append(f"{ind}create participant {target}")
    elif act == "!!":
        state.out.append(f"{ind}destroy {target}")
    text = match.group("text")
    body = f": {mermaid_text(_plant_text(text))}" if text is not None and text.strip() else ""
    state.out.append(f"{ind}{source}{mermaid}{sign}{target}{body}")
    state.last_message = (source, target)
    for pid in (source, target):
        state.last_line_of[pid] = len(state.out) - 1


def _head(head: str, dotted: bool) -> str:
    """The mlseq arrow for a PlantUML head written at the target end."""
    shaft = "--" if dotted else "-"
    if head in (">", "o", ">o"):
        return shaft + ">>"
    if head in (">>", ">>o"):
        return shaft + ")"
    if head in (">x", "x"):
        return shaft + "x"
    if head in ("\\", "\\\\", ">\\", ">\\\\"):
        return shaft + "|\\"
    if head in ("/", "//", ">/", ">//"):
        return shaft + "|/"
    return shaft + ">>"
