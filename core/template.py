"""Template shorthand: a few lines of YAML that expand into a whole diagram.

A block whose body is a YAML mapping with a ``template:`` key is a *template call*::

    template: ml-workflow
    title: Churn model lifecycle
    gate: {metric: AUC, threshold: ">= 0.85", on_fail: human-review}

:func:`expand` turns it into plain text in the diagram language (``mlseq expand``
prints it), which is then parsed like any other block. Templates are YAML files (the
built-ins in ``mlseq/templates/``, team ones in configured folders) made of named
participant *roles*, parameters with defaults and ordered, named *stages* whose steps
are diagram text with ``{role}``/``{param}`` placeholders. The format is described in
``docs/templates.md``.

Templates are data: YAML is read with the safe loader only, placeholders are a tiny
``{name}`` substitution over validated values (ids are identifiers, text values cannot
start a new statement), and a template name is only ever looked up as
``<folder>/<name>.yaml`` inside a configured folder or the built-ins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import ErrorCode, MlseqError, did_you_mean
from .model import ParticipantKind
from .options import THEMES

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
ROLE_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CALL_START = re.compile(r"[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)")
_TEMPLATE_KEY = re.compile(r"^template[ \t]*:", re.MULTILINE)
_OPENERS = frozenset({"loop", "alt", "opt", "par", "par_over", "critical", "break", "rect", "box"})
_SECTIONS = frozenset({"else", "and", "option"})

MAX_CALL_BYTES = 64_000
MAX_FILE_BYTES = 256_000
MAX_NODES = 20_000
MAX_ALIASES = 100
MAX_DEPTH = 40
MAX_EXTENDS = 8
MAX_VALUE = 300

ON_FAIL = ("retrain", "stop", "notify", "human-review")
MONITOR_ACTIONS = ("retrain", "rollback", "notify")
KINDS = tuple(k.value for k in ParticipantKind)
RENDER_KEYS = ("theme", "autonumber", "mirror_actors", "wrap")
CALL_KEYS = (
    "template",
    "title",
    "participants",
    "stages",
    "gate",
    "async",
    "monitoring",
    "steps",
    "params",
    *RENDER_KEYS,
)
FILE_KEYS = ("name", "description", "extends", "participants", "params", "stages")
RESERVED = ("metric", "threshold", "negated", "on_fail", "trigger", "action")
"""Values every template text may use ({metric} ...); no role or parameter may take them."""
_NEGATE = (("<=", ">"), (">=", "<"), ("==", "!="), ("!=", "=="), ("<", ">="), (">", "<="))


# --- YAML with positions ------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    """Where YAML text came from: the call block (``file is None``) or a template file.

    Problems in a template file are reported at ``anchor`` (the call's ``template:``
    value) with the file's own ``name:line:col`` in the message.
    """

    file: str | None = None
    anchor: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Node:
    """A YAML value with its 1-based position; mappings and lists hold Nodes."""

    value: Any
    line: int
    column: int
    origin: Origin
    block: bool = False
    """A literal/folded block scalar: its text starts on the line after the mark."""
    keys: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def error(self, message: str, hint: str | None = None, *, at_key: str | None = None,
              line_offset: int = 0, column: int | None = None) -> MlseqError:
        line, col = self.keys[at_key] if at_key is not None else (self.line, self.column)
        return _error(self.origin, message, line + line_offset,
                      col if column is None else column, hint)

    @property
    def text_line(self) -> int:
        """The line of the scalar's first character of text."""
        return self.line + 1 if self.block else self.line


def _error(origin: Origin, message: str, line: int, column: int,
           hint: str | None = None, code: ErrorCode = ErrorCode.TEMPLATE) -> MlseqError:
    if origin.file is None:
        return MlseqError(message, line=line, column=column, code=code, hint=hint)
    return MlseqError(f"{origin.file}:{line}:{column}: {message}", line=origin.anchor[0],
                      column=origin.anchor[1], code=code, hint=hint)


class _Walker:
    """Turns composed YAML nodes into :class:`Node`, counting nodes and aliases so an
    alias bomb (a few lines that expand to millions of values) stops early."""

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.count = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.constructor = SafeConstructor()

    def walk(self, node: yaml.Node, depth: int = 0) -> Node:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.count += 1
        if id(node) in self.seen:
            self.aliases += 1
        else:
            self.seen.add(id(node))
        if self.count > MAX_NODES or self.aliases > MAX_ALIASES or depth > MAX_DEPTH:
            raise _error(self.origin, "YAML too large or too deeply nested (alias bomb?)",
                         line, column, code=ErrorCode.LIMIT)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in (
            "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
        ):
            raise _error(self.origin, f"cannot read this value: unsupported tag '{node.tag}'",
                         line, column, code=ErrorCode.YAML)
        if isinstance(node, yaml.MappingNode):
            values: dict[str, Node] = {}
            keys: dict[str, tuple[int, int]] = {}
            for key_node, value_node in node.value:
                kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _error(self.origin, "mapping keys must be plain words", kline, kcol)
                key = str(self._scalar(key_node))
                if key in values:
                    raise _error(self.origin, f"duplicate key '{key}'", kline, kcol)
                keys[key] = (kline, kcol)
                values[key] = self.walk(value_node, depth + 1)
            return Node(values, line, column, self.origin, keys=keys)
        if isinstance(node, yaml.SequenceNode):
            items = [self.walk(item, depth + 1) for item in node.value]
            return Node(items, line, column, self.origin)
        return Node(self._scalar(node), line, column, self.origin,
                    block=getattr(node, "style", None) in ("|", ">"))

    def _scalar(self, node: yaml.Node) -> str | int | float | bool | None:
        try:
            value = self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            raise _error(self.origin, f"cannot read this value: {_problem(exc)}",
                         node.start_mark.line + 1, node.start_mark.column + 1,
                         code=ErrorCode.YAML) from None
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        return str(node.value)  # dates and the like: keep the text as written


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    return str(problem or exc).strip()


def load_yaml(text: str, origin: Origin, *, max_bytes: int = MAX_CALL_BYTES) -> Node:
    """Parse YAML safely into :class:`Node`; errors are located in ``text``."""
    if len(text) > max_bytes or len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise _error(origin, f"template YAML is larger than {max_bytes} bytes", 0, 0,
                     code=ErrorCode.LIMIT)
    try:
        # The C loader when PyYAML has it (10x faster); both are the *safe* loader.
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        raise _error(origin, f"YAML syntax error: {_problem(exc)}", line, column,
                     code=ErrorCode.YAML) from None
    except yaml.YAMLError as exc:
        raise _error(origin, f"YAML error: {_problem(exc)}", 0, 0, code=ErrorCode.YAML) from None
    except UnicodeError:
        # A lone surrogate cannot be encoded for the C parser (nor is it valid YAML).
        line = next(i for i, row in enumerate(text.splitlines(), 1)
                    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in row)) if text else 0
        raise _error(origin, "YAML holds a character that is not valid Unicode text", line, 0,
                     code=ErrorCode.YAML) from None
    except RecursionError:
        raise _error(origin, "YAML nested too deeply", 0, 0, code=ErrorCode.LIMIT) from None
    if root is None:
        return Node(None, 1, 1, origin)
    return _Walker(origin).walk(root)


# --- small validators ---------------------------------------------------------------


def _mapping(node: Node, what: str) -> dict[str, Node]:
    if not isinstance(node.value, dict):
        raise node.error(f"{what} must be a mapping (key: value lines)")
    return node.value


def _list(node: Node, what: str) -> list[Node]:
    if isinstance(node.value, str) and what in ("stages", "async"):
        return [node]  # a single name is a one-item list
    if not isinstance(node.value, list):
        raise node.error(f"{what} must be a list")
    return node.value


def _string(node: Node, what: str) -> str:
    if isinstance(node.value, bool) or node.value is None:
        raise node.error(f"{what} must be text, got {_show(node.value)}")
    if isinstance(node.value, (dict, list)):
        shape = "list" if isinstance(node.value, list) else "mapping"
        raise node.error(f"{what} must be text, not a {shape}")
    return str(node.value)


def _bool(node: Node, what: str) -> bool:
    if not isinstance(node.value, bool):
        raise node.error(f"{what} must be true or false, got {_show(node.value)}")
    return node.value


def _show(value: Any) -> str:
    return "nothing" if value is None else repr(value)


def _check_keys(node: Node, mapping: Mapping[str, Node], allowed: Sequence[str],
                what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise node.error(f"unknown {what} '{key}'", did_you_mean(key, allowed), at_key=key)


def _choice(node: Node, what: str, choices: Sequence[str]) -> str:
    value = _string(node, what)
    if value not in choices:
        raise node.error(f"unknown {what} '{value}'; choose one of {', '.join(choices)}",
                         did_you_mean(value, choices))
    return value


def sanitize(value: str) -> str:
    """Text safe to place inside one diagram statement.

    Newlines and control characters become spaces, ``;`` and ``#`` become entity codes
    (they would start a new statement or a comment), ``%%`` is broken up.
    """
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    text = text.translate({ord("#"): "#35;", ord(";"): "#59;"}).replace("%%", "%#37;")
    return text[:MAX_VALUE]


# --- template files -----------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    name: str
    id: str
    label: str
    kind: str


@dataclass(frozen=True)
class Item:
    """A step: one line of diagram text, or a block (``alt`` ... ``end``)."""

    text: str
    """The line, or the block's opening line, with placeholders still in it."""
    node: Node | None = None
    index: int = 0
    """Line ``index`` of ``node``'s text (for error positions)."""
    sections: tuple[tuple[str, tuple[Item, ...]], ...] = ()
    """For a block: (``else ...`` line or ``""`` for the first section, items)."""

    @property
    def is_block(self) -> bool:
        return bool(self.sections)

    def error(self, message: str, hint: str | None = None) -> MlseqError:
        if self.node is None:
            return MlseqError(message, code=ErrorCode.TEMPLATE, hint=hint)
        return self.node.error(message, hint, line_offset=self.index + (self.node.text_line
                                                                         - self.node.line))


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    optional: bool
    steps: tuple[Node, ...]
    node: Node


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    roles: tuple[Role, ...]
    params: Mapping[str, Node]
    stages: tuple[Stage, ...]
    origin: Origin

    @property
    def param_names(self) -> list[str]:
        return [k for k in self.params if k not in ("title", "gate", "monitoring")]

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def steps_of(self, key: str) -> list[Node]:
        """Every step mapping with ``key`` (``job``, ``gate``, ``monitor``)."""
        found = []
        for stage in self.stages:
            for step in stage.steps:
                if isinstance(step.value, dict) and key in step.value:
                    found.append(step)
        return found


def _locations(template_dirs: Sequence[str]) -> list[Path]:
    return [Path(d) for d in template_dirs] + [BUILTIN_DIR]


def _find(name: str, template_dirs: Sequence[str], *, start: int = 0,
          where: Node | None = None) -> tuple[Path, int] | None:
    """The file for template ``name`` and the index of its folder, searching folders
    from ``start``; ``None`` when no folder has it."""
    if not NAME_RE.fullmatch(name):
        message = (f"'{name}' is not a template name (lower-case letters, digits, '-' "
                   "and '_'; no paths)")
        if where is not None:
            raise where.error(message)
        raise MlseqError(message, code=ErrorCode.TEMPLATE)
    for index, folder in enumerate(_locations(template_dirs)):
        if index < start:
            continue
        candidate = folder / f"{name}.yaml"
        try:
            if not candidate.is_file():
                continue
            real = candidate.resolve(strict=True)
            root = folder.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if not real.is_relative_to(root):
            message = f"template '{name}' in {folder} points outside its folder"
            if where is not None:
                raise where.error(message)
            raise MlseqError(message, code=ErrorCode.TEMPLATE)
        return real, index
    return None


def _display(path: Path, index: int, template_dirs: Sequence[str]) -> str:
    if index >= len(template_dirs):
        return f"built-in {path.name}"
    return str(Path(template_dirs[index]) / path.name)


def available(template_dirs: Sequence[str]) -> list[str]:
    names: set[str] = set()
    for folder in _locations(template_dirs):
        try:
            entries = sorted(folder.glob("*.yaml"))
        except OSError:
            continue
        names.update(p.stem for p in entries if NAME_RE.fullmatch(p.stem))
    return sorted(names)


def _read_file(path: Path, origin: Origin) -> Node:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _error(origin, f"cannot read template: {exc}", 1, 1, code=ErrorCode.IO) from None
    return load_yaml(text, origin, max_bytes=MAX_FILE_BYTES)


def load_template(name: str, template_dirs: Sequence[str] = (), *,
                  where: Node | None = None) -> Template:
    """Load template ``name`` (following ``extends``) from the folders or built-ins."""
    anchor = (0, 0)
    if where is not None:
        anchor = where.origin.anchor if where.origin.file else (where.line, where.column)
    found = _find(name, template_dirs, where=where)
    if found is None:
        hint = did_you_mean(name, available(template_dirs))
        message = f"unknown template '{name}'"
        if where is not None:
            raise where.error(message, hint)
        raise MlseqError(message, code=ErrorCode.TEMPLATE, hint=hint)
    chain: list[tuple[Node, dict[str, Node]]] = []
    path, index = found
    seen: set[Path] = set()
    while True:
        origin = Origin(_display(path, index, template_dirs), anchor)
        root = _read_file(path, origin)
        body = _mapping(root, "a template file")
        _check_keys(root, body, FILE_KEYS, "template key")
        chain.append((root, body))
        seen.add(path)
        if "extends" not in body:
            break
        parent_node = body["extends"]
        parent = _string(parent_node, "extends")
        if len(chain) > MAX_EXTENDS:
            raise parent_node.error(f"templates extend each other more than {MAX_EXTENDS} deep")
        # A folder template may extend a template of the same name further down the
        # search path (a team override of a built-in).
        start = index + 1 if parent == path.stem else 0
        next_found = _find(parent, template_dirs, start=start, where=parent_node)
        if next_found is None:
            raise parent_node.error(f"unknown template '{parent}'",
                                    did_you_mean(parent, available(template_dirs)))
        if next_found[0] in seen:
            raise parent_node.error(f"templates extend each other in a circle at '{parent}'")
        path, index = next_found
    return _compile(name, list(reversed(chain)))


def _compile(name: str, chain: list[tuple[Node, dict[str, Node]]]) -> Template:
    """Merge a template with its ancestors (``chain`` starts at the root ancestor)."""
    description = ""
    roles: dict[str, Role] = {}
    params: dict[str, Node] = {}
    stages: list[Stage] = []
    for _root, body in chain:
        if "description" in body:
            description = _string(body["description"], "description").strip().split("\n")[0]
        if "participants" in body:
            pnode = body["participants"]
            for role, value in _mapping(pnode, "participants").items():
                if not ROLE_RE.fullmatch(role):
                    raise pnode.error(f"'{role}' is not a role name (lower-case word)",
                                      at_key=role)
                if value.value is None or value.value is False:
                    roles.pop(role, None)
                    continue
                roles[role] = _role(role, value, roles.get(role))
        if "params" in body:
            for key, value in _mapping(body["params"], "params").items():
                if key in ("gate", "monitoring") and key in params and isinstance(
                    value.value, dict
                ):
                    merged = dict(_mapping(params[key], key))
                    merged.update(value.value)
                    params[key] = Node(merged, value.line, value.column, value.origin,
                                       keys={**params[key].keys, **value.keys})
                else:
                    params[key] = value
        if "stages" in body:
            for snode in _list(body["stages"], "stages"):
                stage = _stage(snode)
                names = [s.name for s in stages]
                smap = _mapping(snode, "a stage")
                if stage.name in names:
                    stages[names.index(stage.name)] = stage
                elif "after" in smap:
                    after = _string(smap["after"], "after")
                    if after not in names:
                        raise smap["after"].error(f"unknown stage '{after}'",
                                                  did_you_mean(after, names))
                    stages.insert(names.index(after) + 1, stage)
                else:
                    stages.append(stage)
    reserved = sorted(set(roles) & set(RESERVED))
    if reserved:
        raise chain[-1][0].error(f"participant role '{reserved[0]}' has the name of a built-in "
                                 f"value ({', '.join(RESERVED)}); rename it")
    clash = sorted((set(roles) | set(RESERVED)) & set(params))
    if clash:
        raise chain[-1][0].error(f"parameter '{clash[0]}' has the name of a participant role "
                                 "or a built-in value; rename it")
    _check_ids(roles, chain[-1][0])
    return Template(name, description, tuple(roles.values()), params, tuple(stages),
                    chain[-1][0].origin)


def _role(role: str, node: Node, base: Role | None) -> Role:
    """A participant role from a template file or a call (``base`` is what it overrides)."""
    ident = base.id if base else _default_id(role)
    label = base.label if base else role.replace("_", " ").title()
    kind = base.kind if base else "participant"
    if isinstance(node.value, str):
        label = sanitize(node.value)
    else:
        fields_ = _mapping(node, f"participant '{role}'")
        _check_keys(node, fields_, ("id", "label", "kind"), f"participant field (of '{role}')")
        if "id" in fields_:
            ident = _string(fields_["id"], "id")
            if not ID_RE.fullmatch(ident):
                raise fields_["id"].error(
                    f"participant id '{ident}' must be one word (letters, digits, '_')")
        if "label" in fields_:
            label = sanitize(_string(fields_["label"], "label"))
        if "kind" in fields_:
            kind = _choice(fields_["kind"], "participant kind", KINDS)
    return Role(role, ident, label or ident, kind)


def _default_id(role: str) -> str:
    return "".join(part.capitalize() for part in role.split("_"))


def _check_ids(roles: Mapping[str, Role], node: Node) -> None:
    owners: dict[str, str] = {}
    for role in roles.values():
        if role.id in owners:
            first, second = owners[role.id], role.name
            at = second if second in node.keys else first if first in node.keys else None
            raise node.error(f"participants '{first}' and '{second}' both have the id "
                             f"'{role.id}'", at_key=at)
        owners[role.id] = role.name


def _stage(node: Node) -> Stage:
    body = _mapping(node, "a stage")
    _check_keys(node, body, ("name", "title", "optional", "after", "steps"), "stage key")
    if "name" not in body:
        raise node.error("a stage needs a 'name'")
    name = _string(body["name"], "stage name")
    if not NAME_RE.fullmatch(name):
        raise body["name"].error(f"'{name}' is not a stage name (lower-case word)")
    title = _string(body["title"], "stage title") if "title" in body else name.title()
    optional = _bool(body["optional"], "optional") if "optional" in body else False
    steps = _list(body["steps"], "steps") if "steps" in body else []
    return Stage(name, sanitize(title), optional, tuple(steps), node)


def list_templates(template_dirs: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(name, one-line description) of every template, sorted by name."""
    rows = []
    for name in available(template_dirs):
        try:
            description = load_template(name, template_dirs).description
        except MlseqError as err:
            description = f"(cannot be loaded: {err.message})"
        rows.append((name, description))
    return rows


# --- text items ---------------------------------------------------------------------


def _items(node: Node, text: str) -> tuple[Item, ...]:
    """Diagram text (one step string) as items; blocks must close within the string."""
    stack: list[tuple[Item, list[tuple[str, list[Item]]]]] = []
    top: list[Item] = []
    for index, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if not line or line.startswith("%%"):
            continue
        word = line.split(None, 1)[0].lower()
        here = Item(line, node, index)
        if word in _OPENERS:
            stack.append((here, [("", [])]))
        elif word in _SECTIONS:
            if not stack:
                raise here.error(f"'{word}' outside a block")
            stack[-1][1].append((line, []))
        elif word == "end":
            if not stack:
                raise here.error("'end' without a block")
            opener, sections = stack.pop()
            block = Item(opener.text, node, opener.index,
                         tuple((label, tuple(items)) for label, items in sections))
            (stack[-1][1][-1][1] if stack else top).append(block)
        else:
            (stack[-1][1][-1][1] if stack else top).append(here)
    if stack:
        raise stack[-1][0].error(f"'{stack[-1][0].text.split()[0]}' is never closed")
    return tuple(top)


def _roles_in(text: str, roles: Mapping[str, str]) -> set[str]:
    return {m.group(1) for m in _PLACEHOLDER.finditer(text) if m.group(1) in roles}


_ARROW = re.compile(r"^[^:]*?-(?:>|\)|x|\||/|\\)")


def _has_message(items: Sequence[Item]) -> bool:
    for item in items:
        if item.is_block:
            if any(_has_message(inner) for _, inner in item.sections):
                return True
        elif _ARROW.match(item.text) and not item.text.lower().startswith("note"):
            return True
    return False


def _filter(items: Sequence[Item], dropped: frozenset[str],
            all_roles: Mapping[str, str]) -> tuple[Item, ...]:
    """Items without the steps that involve a dropped participant; blocks left empty are
    removed, so the diagram stays well-formed."""
    out: list[Item] = []
    for item in items:
        if _roles_in(item.text, all_roles) & dropped:
            continue
        if not item.is_block:
            out.append(item)
            continue
        sections = []
        for label, inner in item.sections:
            if label and _roles_in(label, all_roles) & dropped:
                continue
            kept = _filter(inner, dropped, all_roles)
            if _has_message(kept) or not label:
                sections.append((label, kept))
        if any(_has_message(kept) for _, kept in sections):
            out.append(Item(item.text, item.node, item.index, tuple(sections)))
    return tuple(out)


def _lines(items: Sequence[Item], depth: int = 0) -> Iterator[tuple[str, Item]]:
    pad = "  " * depth
    for item in items:
        yield pad + item.text, item
        if item.is_block:
            for number, (label, inner) in enumerate(item.sections):
                if number:
                    yield pad + label, item
                yield from _lines(inner, depth + 1)
            yield pad + "end", item


# --- the call -----------------------------------------------------------------------


def is_template_call(source: str) -> bool:
    """Whether a block is a template call: a YAML mapping with a ``template:`` key.

    Decided without loading YAML: the first line that is not blank or a ``#`` comment
    must be a ``key:`` line at column 0 (never ``---``), and some line must start with
    ``template:``.
    """
    # Every block of a docs build comes through here: look for the first line in the
    # block's first 256 characters (splitting all of a diagram into lines was most of
    # the cost). The prefix's last line may be cut short, so it is never judged; a block
    # that starts with longer comments or a longer line is read whole.
    head = source[:_HEAD]
    if len(head) < len(source):
        starts = _starts_like_a_call(head.splitlines()[:-1])
        if starts is None:
            starts = _starts_like_a_call(source.splitlines())
    else:
        starts = _starts_like_a_call(head.splitlines())
    return bool(starts) and _TEMPLATE_KEY.search(source) is not None


_HEAD = 256


def _starts_like_a_call(lines: list[str]) -> bool | None:
    """Whether the first line that is not blank or a comment is a ``key:`` line at
    column 0; ``None`` when every line is blank or a comment."""
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return _CALL_START.match(line) is not None
    return None


@dataclass
class _Expansion:
    """Working state of one expansion (local to a call of :func:`expand`)."""

    template: Template
    roles: dict[str, Role]
    dropped: frozenset[str]
    added: dict[str, Node]
    values: dict[str, str]
    async_jobs: frozenset[str] | None
    source_lines: list[str]
    used: set[str] = field(default_factory=set)


def expand(source: str, *, template_dirs: tuple[str, ...] = ()) -> str:
    """The diagram text a template call stands for."""
    return expand_with_origins(source, template_dirs=template_dirs)[0]


def expand_with_origins(source: str, *, template_dirs: tuple[str, ...] = ()
                        ) -> tuple[str, list[int | None]]:
    """:func:`expand`, and for each line of the text the line of the call it comes from:
    a custom step's own line, a participant given under ``participants:``, the
    ``title:``; ``None`` for what the template itself wrote (lint uses this to point at
    the call's lines)."""
    origin = Origin()
    root = load_yaml(source, origin)
    call = _mapping(root, "a template call")
    if "template" not in call:
        raise root.error("a template call needs a 'template:' key")
    name_node = call["template"]
    template = load_template(_string(name_node, "template"), template_dirs, where=name_node)
    for key in call:
        if key not in CALL_KEYS:
            hint = did_you_mean(key, CALL_KEYS)
            if hint is None and key in template.param_names:
                hint = f"template parameters go under 'params:' ({key}: ...)"
            raise root.error(f"unknown template parameter '{key}'", hint, at_key=key)

    roles = {role.name: role for role in template.roles}
    dropped: set[str] = set()
    added: dict[str, Node] = {}
    if "participants" in call:
        pnode = call["participants"]
        for role, value in _mapping(pnode, "participants").items():
            if value.value is None or value.value is False:
                if role not in roles:
                    raise pnode.error(f"unknown participant role '{role}'",
                                      did_you_mean(role, roles), at_key=role)
                dropped.add(role)
                continue
            if role not in roles:
                if not ROLE_RE.fullmatch(role) or role in RESERVED or role in template.params:
                    raise pnode.error(f"'{role}' cannot name a participant role "
                                      "(a lower-case word that is no parameter name)",
                                      at_key=role)
                added[role] = value
            roles[role] = _role(role, value, roles.get(role))
        _check_ids({r: roles[r] for r in roles if r not in dropped}, pnode)

    params = _params(template, call)
    values = {role: r.id for role, r in roles.items()}
    values.update(params)
    state = _Expansion(template, roles, frozenset(dropped), added, values,
                       _async(template, call), source.split("\n"))
    gate = _gate(template, root, call)
    monitoring = _monitoring(template, root, call)
    values.update(gate)
    values.update(monitoring)

    stages = _chosen_stages(template, call)
    custom = _custom_steps(call, stages)
    body: list[str] = []
    body_origins: list[int | None] = []

    def from_template(lines: list[str]) -> None:
        body.extend(lines)
        body_origins.extend([None] * len(lines))

    def from_call(lines: list[tuple[str, int]]) -> None:
        body.extend(text for text, _ in lines)
        body_origins.extend(line for _, line in lines)

    for stage in stages:
        from_template([_substitute(state, f"== {stage.title} ==",
                                   Item(stage.title, stage.node))])
        for do in custom.get(("before", stage.name), []):
            from_call(_custom(state, do))
        for step in stage.steps:
            from_template(_step(state, step))
        for do in custom.get(("after", stage.name), []):
            from_call(_custom(state, do))

    for role in added:
        if role not in state.used:
            raise call["participants"].error(
                f"participant '{role}' is added but no step uses it",
                did_you_mean(role, [r.name for r in template.roles])
                or "use it in 'steps', or drop it", at_key=role)

    head = [f"%% Expanded from template '{template.name}' by mlseq; edit freely."]
    if template.description:
        head.append(f"%% {sanitize(template.description)}")
    init, numbered = _render_options(call)
    head.extend(init)
    head.append("sequenceDiagram")
    if numbered:
        head.append("autonumber")
    head_origins: list[int | None] = [None] * len(head)
    title = params.get("title", "")
    if title:
        head.append(f"title {title}")
        head_origins.append(call["title"].line if "title" in call else None)
    given = _mapping(call["participants"], "participants") if "participants" in call else {}
    for role, r in roles.items():
        if role in state.used and role not in dropped:
            head.append(f"{r.kind} {r.id} as {r.label}")
            head_origins.append(given[role].line if role in given else None)
    return "\n".join(head + body) + "\n", head_origins + body_origins


def _params(template: Template, call: Mapping[str, Node]) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, node in template.params.items():
        if key in ("gate", "monitoring"):
            continue
        if not ROLE_RE.fullmatch(key):
            raise node.error(f"'{key}' is not a parameter name (lower-case word)")
        values[key] = sanitize(_string(node, f"parameter '{key}'"))
    if "title" in call:
        values["title"] = sanitize(_string(call["title"], "title"))
    if "params" in call:
        pnode = call["params"]
        given = _mapping(pnode, "params")
        allowed = [k for k in values if k != "title"]
        for key, node in given.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                if not hint and key in CALL_KEYS:
                    hint = f"'{key}' goes at the top level of the call"
                raise pnode.error(f"unknown parameter '{key}' for template '{template.name}'",
                                  hint or (f"parameters: {', '.join(allowed)}" if allowed
                                           else "this template has no parameters"),
                                  at_key=key)
            values[key] = sanitize(_string(node, f"parameter '{key}'"))
    return values


def _section(template: Template, root: Node, call: Mapping[str, Node], key: str,
             fields_: Sequence[str], choices: Sequence[str]) -> dict[str, str]:
    """``gate`` / ``monitoring``: template defaults overridden field by field."""
    result: dict[str, str] = {}
    if key in template.params:
        tnode = template.params[key]
        tvalues = _mapping(tnode, key)
        _check_keys(tnode, tvalues, fields_, f"{key} field")
        for name, node in tvalues.items():
            result[name] = _string(node, f"{key} {name}")
    if key in call:
        cnode = call[key]
        owner = "gate" if key == "gate" else "monitor"
        if not template.steps_of(owner):
            what = "evaluation gate" if key == "gate" else "monitoring step"
            raise root.error(f"template '{template.name}' has no {what}",
                             "remove it, or use a template that has one (e.g. ml-workflow)",
                             at_key=key)
        cvalues = _mapping(cnode, key)
        _check_keys(cnode, cvalues, fields_, f"{key} field")
        for name, node in cvalues.items():
            if name in ("on_fail", "action"):
                result[name] = _choice(node, f"{key} {name}", choices)
            else:
                result[name] = _string(node, f"{key} {name}")
    return result


def _gate(template: Template, root: Node, call: Mapping[str, Node]) -> dict[str, str]:
    raw = _section(template, root, call, "gate", ("metric", "threshold", "on_fail"), ON_FAIL)
    metric = sanitize(raw.get("metric", "score"))
    threshold = sanitize(raw.get("threshold", ">= baseline")).strip()
    if re.match(r"[-+]?\.?\d", threshold):
        threshold = f">= {threshold}"  # a bare number is a lower bound
    negated = f"fails ({threshold})"
    compound = re.search(r"\b(?:and|or)\b|,", threshold)
    for op, opposite in _NEGATE:
        if threshold.startswith(op) and not compound:
            negated = opposite + threshold[len(op):]
            break
    on_fail = raw.get("on_fail", "retrain")
    if on_fail not in ON_FAIL:
        tnode = template.params["gate"]
        raise tnode.error(f"unknown gate on_fail '{on_fail}'", did_you_mean(on_fail, ON_FAIL))
    return {"metric": metric, "threshold": threshold, "negated": negated,
            "on_fail": on_fail}


def _monitoring(template: Template, root: Node, call: Mapping[str, Node]) -> dict[str, str]:
    raw = _section(template, root, call, "monitoring", ("trigger", "action"), MONITOR_ACTIONS)
    action = raw.get("action", "retrain")
    if action not in MONITOR_ACTIONS:
        raise template.params["monitoring"].error(f"unknown monitoring action '{action}'",
                                                  did_you_mean(action, MONITOR_ACTIONS))
    return {"trigger": sanitize(raw.get("trigger", "drift detected")), "action": action}


def _async(template: Template, call: Mapping[str, Node]) -> frozenset[str] | None:
    if "async" not in call:
        return None
    jobs = [_string(_mapping(n, "a job step")["job"], "job") for n in template.steps_of("job")]
    chosen: set[str] = set()
    for node in _list(call["async"], "async"):
        name = _string(node, "an async step")
        if name not in jobs:
            raise node.error(f"unknown step '{name}' in async",
                             did_you_mean(name, jobs) or f"steps: {', '.join(jobs) or 'none'}")
        chosen.add(name)
    return frozenset(chosen)


def _chosen_stages(template: Template, call: Mapping[str, Node]) -> list[Stage]:
    names = [s.name for s in template.stages]
    if "stages" not in call:
        return [s for s in template.stages if not s.optional]
    chosen: list[Stage] = []
    for node in _list(call["stages"], "stages"):
        name = _string(node, "a stage")
        if name not in names:
            raise node.error(f"unknown stage '{name}'",
                             did_you_mean(name, names) or f"stages: {', '.join(names)}")
        if any(s.name == name for s in chosen):
            raise node.error(f"stage '{name}' is listed twice")
        chosen.append(template.stage(name))
    return chosen


def _custom_steps(call: Mapping[str, Node], stages: Sequence[Stage]) -> dict[
        tuple[str, str], list[Node]]:
    found: dict[tuple[str, str], list[Node]] = {}
    if "steps" not in call:
        return found
    names = [s.name for s in stages]
    for node in _list(call["steps"], "steps"):
        body = _mapping(node, "a custom step")
        _check_keys(node, body, ("after", "before", "do"), "custom step key")
        anchors = [k for k in ("after", "before") if k in body]
        if len(anchors) != 1:
            raise node.error("a custom step needs exactly one of 'after: <stage>' or "
                             "'before: <stage>'")
        if "do" not in body:
            raise node.error("a custom step needs 'do:' with the diagram text to insert")
        anchor = anchors[0]
        stage = _string(body[anchor], anchor)
        if stage not in names:
            raise body[anchor].error(f"unknown stage '{stage}' for a custom step",
                                     did_you_mean(stage, names)
                                     or f"stages in this diagram: {', '.join(names)}")
        _string(body["do"], "do")
        found.setdefault((anchor, stage), []).append(body["do"])
    return found


def _render_options(call: Mapping[str, Node]) -> tuple[list[str], bool]:
    """Render options given in the call, as a Mermaid ``%%{init}%%`` directive and
    whether to number messages, so the expanded text keeps them."""
    init: dict[str, Any] = {}
    lines = []
    if "theme" in call:
        init["theme"] = _choice(call["theme"], "theme", THEMES)
    sequence: dict[str, bool] = {}
    if "mirror_actors" in call:
        sequence["mirrorActors"] = _bool(call["mirror_actors"], "mirror_actors")
    if "wrap" in call:
        sequence["wrap"] = _bool(call["wrap"], "wrap")
    if sequence:
        init["sequence"] = sequence
    if init:
        lines.append("%%{init: " + json.dumps(init, sort_keys=True) + "}%%")
    return lines, "autonumber" in call and _bool(call["autonumber"], "autonumber")


# --- steps --------------------------------------------------------------------------


def _substitute(state: _Expansion, text: str, where: Item) -> str:
    # A delay (``... text ...``) cannot hold a ':' (it would read as a message).
    in_delay = text.lstrip().startswith("...")

    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in state.roles:
            if key in state.dropped:
                raise where.error(f"participant '{key}' is dropped in this call")
            state.used.add(key)
            return state.roles[key].id
        if key in state.values:
            value = state.values[key]
            return value.replace(":", "#58;") if in_delay else value
        raise where.error(f"unknown placeholder '{{{key}}}'",
                          did_you_mean(key, list(state.roles) + list(state.values)))

    return _PLACEHOLDER.sub(one, text)


def _emit(state: _Expansion, items: Sequence[Item]) -> list[str]:
    all_roles = {r: r for r in state.roles}
    kept = _filter(items, state.dropped, all_roles)
    return [_substitute(state, text, item) for text, item in _lines(kept)]


def _text_items(node: Node, what: str) -> tuple[Item, ...]:
    return _items(node, _string(node, what))


def _step(state: _Expansion, node: Node) -> list[str]:
    if not isinstance(node.value, dict):
        return _emit(state, _text_items(node, "a step"))
    body = node.value
    for kind, handler in (("job", _job), ("gate", _gate_step), ("monitor", _monitor_step)):
        if kind in body:
            return handler(state, node, body)
    raise node.error("a step is diagram text, or a mapping with 'job', 'gate' or 'monitor'")


def _role_of(node: Node, body: Mapping[str, Node], key: str, state: _Expansion,
             default: str | None = None) -> str:
    if key not in body:
        if default is not None:
            return default
        raise node.error(f"this step needs '{key}: <participant role>'")
    role = _string(body[key], key)
    if role not in state.roles:
        raise body[key].error(f"unknown participant role '{role}'",
                              did_you_mean(role, state.roles))
    return role


def _job(state: _Expansion, node: Node, body: Mapping[str, Node]) -> list[str]:
    """A call to long-running work: async (``-)`` and a ``--)`` completion) or sync
    (``->>`` and a ``-->>`` return), as the call's ``async`` list says."""
    _check_keys(node, body, ("job", "from", "to", "call", "reply", "during", "async"),
                "job key")
    name = _string(body["job"], "job")
    src = _role_of(node, body, "from", state)
    dst = _role_of(node, body, "to", state)
    default = _bool(body["async"], "async") if "async" in body else True
    is_async = default if state.async_jobs is None else name in state.async_jobs
    call = "-)" if is_async else "->>"
    back = "--)" if is_async else "-->>"
    items: list[Item] = [Item(f"{{{src}}}{call}{{{dst}}}: {_string(body['call'], 'call')}",
                              body["call"])]
    if "during" in body:
        items.extend(_text_items(body["during"], "during"))
    if "reply" in body:
        items.append(Item(f"{{{dst}}}{back}{{{src}}}: {_string(body['reply'], 'reply')}",
                          body["reply"]))
    return _emit(state, items)


def _gate_step(state: _Expansion, node: Node, body: Mapping[str, Node]) -> list[str]:
    """An evaluation gate: ``alt`` pass ... ``else`` fail ... ``end``; the else-branch
    follows ``on_fail``."""
    _check_keys(node, body, ("gate", "by", "retrain", "owner", "check", "pass", "fail"),
                "gate key")
    by = _role_of(node, body, "by", state)
    retrain = _role_of(node, body, "retrain", state, by)
    owner = _role_of(node, body, "owner", state, retrain)
    on_fail = state.values["on_fail"]
    if on_fail == "human-review" and owner in state.dropped:
        on_fail = "stop"  # nobody left to review
    items: list[Item] = []
    if "check" in body:
        items.extend(_text_items(body["check"], "check"))
    passed = _text_items(body["pass"], "pass") if "pass" in body else ()
    overrides = _mapping(body["fail"], "fail") if "fail" in body else {}
    if "fail" in body:
        _check_keys(body["fail"], overrides, ON_FAIL, "on_fail branch")
    if on_fail in overrides:
        failed = _text_items(overrides[on_fail], on_fail)
    else:
        failed = _fail_branch(on_fail, by, retrain, owner, passed, node)
    fail_items = _filter(failed, state.dropped, {r: r for r in state.roles})
    if not _has_message(fail_items):
        fail_items = (Item(f"{{{by}}}->>{{{by}}}: reject candidate, keep the current model",
                           node),)
    block = Item("alt {metric} {threshold} (gate passed)", node, 0,
                 (("", passed), ("else {metric} {negated} (gate failed)", fail_items)))
    return _emit(state, [*items, block])


def _fail_branch(on_fail: str, by: str, retrain: str, owner: str,
                 passed: tuple[Item, ...], node: Node) -> tuple[Item, ...]:
    def item(text: str) -> Item:
        return Item(text.replace("{by}", f"{{{by}}}").replace("{retrain}", f"{{{retrain}}}")
                    .replace("{owner}", f"{{{owner}}}"), node)

    if on_fail == "retrain":
        return (item("{by}-){retrain}: reject candidate: retrain with tuned hyperparameters"),
                item("{retrain}--){owner}: retraining scheduled"))
    if on_fail == "stop":
        return (item("{by}-->>{retrain}: reject candidate: {metric} {negated}"),
                item("Note over {retrain}: run stops here, production model unchanged"))
    if on_fail == "notify":
        return (item("{by}-->>{retrain}: reject candidate: {metric} {negated}"),
                item("{retrain}-){owner}: alert: gate failed, production model unchanged"))
    review = Item("alt reviewer approves an exception", node, 0, (
        ("", (item("{owner}-->>{by}: approve with a written justification"), *passed)),
        ("else reviewer rejects", (item("{owner}-->>{by}: reject, candidate archived"),)),
    ))
    return (item("{by}->>{owner}: request review: {metric} {negated}"), review)


def _monitor_step(state: _Expansion, node: Node, body: Mapping[str, Node]) -> list[str]:
    """Production monitoring: a ``loop`` that watches and, when the trigger fires, acts
    (retraining closes the feedback loop)."""
    _check_keys(node, body, ("monitor", "by", "every", "watch", "serving", "retrain",
                             "owner", "act"), "monitor key")
    by = _role_of(node, body, "by", state)
    serving = _role_of(node, body, "serving", state, by)
    retrain = _role_of(node, body, "retrain", state, by)
    owner = _role_of(node, body, "owner", state, retrain)
    every = sanitize(_string(body["every"], "every")) if "every" in body else "every hour"
    watch = _text_items(body["watch"], "watch") if "watch" in body else ()
    action = state.values["action"]
    overrides = _mapping(body["act"], "act") if "act" in body else {}
    if "act" in body:
        _check_keys(body["act"], overrides, MONITOR_ACTIONS, "monitoring action")
    if action in overrides:
        acts = _text_items(overrides[action], action)
    else:
        texts = {
            "retrain": (f"{{{by}}}-){{{retrain}}}: trigger retraining ({{trigger}})",
                        f"{{{retrain}}}--){{{owner}}}: retraining run started"),
            "rollback": (f"{{{by}}}->>{{{serving}}}: roll back to the previous model version",
                         f"{{{serving}}}-->>{{{by}}}: rolled back",
                         f"{{{by}}}-){{{owner}}}: alert: rolled back ({{trigger}})"),
            "notify": (f"{{{by}}}-){{{owner}}}: alert: {{trigger}}",
                       f"Note over {{{owner}}}: on-call investigates"),
        }[action]
        acts = tuple(Item(t, node) for t in texts)
    kept = _filter(acts, state.dropped, {r: r for r in state.roles})
    if not _has_message(kept):
        kept = (Item(f"{{{by}}}->>{{{by}}}: record alert ({{trigger}})", node),)
    block = Item(f"loop {every}", node, 0,
                 (("", (*watch, Item("opt {trigger}", node, 0, (("", kept),)))),))
    return _emit(state, [block])


def _custom(state: _Expansion, node: Node) -> list[tuple[str, int]]:
    """A custom step from the call: checked on its own (so errors point at its line in
    the block), then inserted; each line with its line in the call."""
    from . import parser

    text = _string(node, "do")
    substituted = [_substitute(state, line, Item(line, node, i))
                   for i, line in enumerate(text.split("\n"))]
    declared = [f"{r.kind} {r.id} as {r.label}" for name, r in state.roles.items()
                if name not in state.dropped]
    try:
        diagram = parser.parse("\n".join(declared + substituted), strict_participants=True)
    except MlseqError as err:
        index = max(err.line - len(declared), 1) - 1
        line = node.text_line + index
        column = err.column
        if node.block and 0 < line <= len(state.source_lines):
            # A block scalar lost its indentation: add it back.
            snippet = text.split("\n")[index] if index < text.count("\n") + 1 else ""
            original = state.source_lines[line - 1]
            column += (len(original) - len(original.lstrip())) - (
                len(snippet) - len(snippet.lstrip()))
        elif not node.block:
            column += node.column - 1
        raise MlseqError(err.message, line=line, column=column,
                         code=err.code, hint=err.hint) from None
    ids = {r.id: name for name, r in state.roles.items()}
    for event in diagram.events:
        for pid in _participants_of(event):
            if pid in ids:
                state.used.add(ids[pid])
    return [(line.strip(), node.text_line + i) for i, line in enumerate(substituted)
            if line.strip()]


def _participants_of(event: Any) -> tuple[str, ...]:
    if hasattr(event, "source") and hasattr(event, "target"):
        return (event.source, event.target)
    if hasattr(event, "participants"):
        return tuple(event.participants)
    if hasattr(event, "participant"):
        return (event.participant,)
    return ()
