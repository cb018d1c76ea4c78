"""Lint: the mistakes that make ML workflow diagrams mislead, as rules with stable ids.

Each rule is a function ``(diagram, config) -> Iterator[Finding]`` registered in
:data:`RULES` under an id (``ML001`` ...) that never changes meaning; docs/lint.md shows
a bad and a good example of each (and a test checks them). The heuristic rules read
labels through small vocabularies that :class:`LintConfig` can extend, and are tuned
not to fire on the ordinary diagrams of the shared corpus.

Findings can be silenced from inside a block with ``%%`` comments::

    %% mlseq: disable=ML005           next statement only (or the whole block when it
                                      comes before the first statement)
    A->>B: clean, train and deploy    %% mlseq: disable=ML005   (this line only)
    %% mlseq: disable-block=ML003,ML004   the whole block, wherever it is

``all`` stands for every rule.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

from .errors import ErrorCode, MlseqError, did_you_mean
from .model import (
    Activation,
    Create,
    Destroy,
    Diagram,
    Divider,
    FragmentEnd,
    FragmentKind,
    FragmentSection,
    FragmentStart,
    Head,
    LineStyle,
    Message,
    MessageKind,
    Note,
    Participant,
    ParticipantKind,
    Span,
)


class Severity(str, Enum):
    ERROR = "error"
    """Structure that is almost certainly a mistake (unused, unclosed, empty)."""
    WARNING = "warning"
    """A heuristic about meaning: worth a look, silenced with a disable comment."""


@dataclass(frozen=True)
class Finding:
    """One problem, located in block coordinates (1-based line and column)."""

    rule: str
    name: str
    message: str
    line: int
    column: int = 1
    severity: Severity = Severity.WARNING

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.rule} {self.message}"


# --- vocabularies ---------------------------------------------------------------------

METRIC_WORDS = (
    "accuracy", "auc", "roc", "f1", "precision", "recall", "loss", "rmse", "mae", "mse",
    "mape", "r2", "bleu", "rouge", "perplexity", "ndcg", "map@k", "score", "metric",
    "metrics", "error rate", "latency", "logloss", "calibration",
)  # fmt: skip
"""Names of quality metrics (a gate compares one of them with a threshold)."""

GATE_WORDS = (
    "gate", "threshold", "baseline", "blessing", "blessed", "acceptance criteria",
    "quality bar",
)  # fmt: skip
"""Words that say a step decides pass or fail."""

LONG_RUNNING = (
    "train model", "training job", "training run", "start training", "run training",
    "launch training", "trigger training", "retrain", "fine-tune", "fine tune", "backfill",
    "batch job", "batch inference", "batch scoring", "batch prediction", "run pipeline",
    "pipeline run", "trigger pipeline", "start pipeline", "submit job", "start job",
    "run job", "hyperparameter search", "hyperparameter tuning", "reindex", "rebuild index",
    "etl job", "full refresh",
)  # fmt: skip
"""Phrases naming work that takes minutes to hours (one filler word may sit between the
words of a phrase: ``train the model``, ``start a training job``)."""

FEEDBACK_WORDS = (
    "retrain", "re-train", "retraining", "feedback", "trigger training",
    "schedule training", "start training", "new training run", "relabel", "label queue",
    "collect labels", "ground truth",
)  # fmt: skip
"""Phrases that close the loop from production back to data or training."""

_TRAIN = re.compile(r"\b(train|training|trained|retrain\w*|fine-?tun\w*|fit(ting)?)\b", re.I)
_DEPLOY = re.compile(
    r"\b(deploy\w*|serv(e|es|ed|ing)|roll(s|ed|ing)? ?out|rollout|release[sd]?|promot\w+|"
    r"canary|endpoint)\b",
    re.I,
)
_MONITORISH = re.compile(r"monitor|observab|alert|drift|watch", re.I)
_UPSTREAM = re.compile(r"train|data|pipeline|orchestr|feature|label|scientist|engineer", re.I)
_FAILURE = re.compile(r"\b(fail\w*|reject\w*|rollback|roll back|revert\w*|abort\w*|error)\b", re.I)
_COMPARISON = re.compile(r"(>=|<=|==|!=|≥|≤|(?<![-<=])>(?![>)])|(?<![<-])<(?![<-]))\s*-?\d")
_EVAL_VERB = re.compile(r"\b(evaluat\w*|validat\w*|assess\w*|benchmark\w*)\b", re.I)
# ``fit()``, ``model.predict(x)``, ``self.store``: code, not a component. Labels such as
# ``Gateway (nginx)`` or ``plugin(CTF)`` are descriptions and do not count.
_FUNCTION_CALL = re.compile(
    r"^[A-Za-z_][\w.]*\((?:\s*[a-z_*][\w\s,=.*:'\"\[\]]*)?\)$|^(?:self|this|cls)\.\w"
)

# Actions that start a step, by ML stage: chaining actions of different stages in one
# label hides the gate or the hand-off between them. Verbs without a stage ("run",
# "validate", "check") never count.
_STAGES: dict[str, tuple[str, ...]] = {
    "data": ("clean", "preprocess", "ingest", "impute", "featurize", "label", "annotate",
             "normalize", "normalise", "deduplicate", "augment", "extract", "transform",
             "collect", "prepare", "split"),
    "training": ("train", "retrain", "fit", "tune", "fine-tune", "finetune"),
    "evaluation": ("evaluate", "benchmark", "assess"),
    "registration": ("register", "package", "version", "publish"),
    "deployment": ("deploy", "serve", "release", "promote", "rollout", "ship"),
    "monitoring": ("monitor", "alert"),
}  # fmt: skip
_SPLIT_ACTIONS = re.compile(r"\s*(?:,|;|&|\+|->|=>|\bthen\b|\band\b)\s*", re.I)


def _stage_of(word: str) -> str | None:
    word = word.lower()
    forms = {word}
    if word.endswith("ed"):
        return None  # "trained, validated": reported results, or adjectives ("transformed")
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            forms |= {stem, stem + "e"}
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])  # "fitted", "shipping"
    for stage, verbs in _STAGES.items():
        if forms & set(verbs):
            return stage
    return None


def _phrase_re(phrases: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for phrase in phrases:
        words = [re.escape(w) for w in phrase.split()]
        parts.append(r"\b" + r"\W+(?:[\w-]+\W+)?".join(words) + r"\w*")
    return re.compile("|".join(parts) if parts else r"(?!)", re.I)


# --- configuration --------------------------------------------------------------------


@dataclass(frozen=True)
class LintConfig:
    """Which rules run and the vocabularies the heuristics read.

    Word lists extend the built-in ones (they never replace them).
    """

    select: frozenset[str] = frozenset()
    """Only these rules (empty: all)."""
    ignore: frozenset[str] = frozenset()
    max_participants: int = 15
    metric_words: tuple[str, ...] = ()
    gate_words: tuple[str, ...] = ()
    long_running: tuple[str, ...] = ()
    feedback_words: tuple[str, ...] = ()

    KEYS = (
        "select", "ignore", "max_participants", "metric_words", "gate_words",
        "long_running", "feedback_words",
    )  # fmt: skip

    def enabled(self, rule: str) -> bool:
        if self.select and rule not in self.select:
            return False
        return rule not in self.ignore

    @classmethod
    def from_option(cls, value: Any, *, name: str = "lint") -> LintConfig | None:
        """The rules a ``lint`` setting of an integration asks for: ``None`` when off
        (``false``/``None``), the default rules for ``true``, or a mapping of
        :meth:`from_mapping` keys (``{ignore: [ML005], max_participants: 20}``).

        Raises :class:`MlseqError` (code ``option``) for a bad value, naming ``name``.
        """
        if value is None or value is False:
            return None
        if value is True:
            return cls()
        if isinstance(value, Mapping):
            return cls.from_mapping(value)
        raise MlseqError(f"{name} expects true, false or a mapping of lint options, "
                         f"got {value!r}", code=ErrorCode.OPTION)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> LintConfig:
        """A config from user settings (pyproject, conf.py, mkdocs.yml, CLI).

        Raises :class:`MlseqError` (code ``option``) for an unknown key or a bad value.
        """
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            name = str(key).replace("-", "_")
            if name not in cls.KEYS:
                raise MlseqError(
                    f"unknown lint option '{key}'",
                    code=ErrorCode.OPTION,
                    hint=did_you_mean(name, cls.KEYS),
                )
            if name in ("select", "ignore"):
                kwargs[name] = frozenset(_rule_ids(value, name))
            elif name == "max_participants":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise MlseqError(
                        f"lint option max_participants must be a positive integer, "
                        f"got {value!r}",
                        code=ErrorCode.OPTION,
                    )
                kwargs[name] = value
            else:
                kwargs[name] = tuple(_words(value, name))
        return cls(**kwargs)

    @classmethod
    def from_pyproject(cls, path: Path) -> LintConfig:
        """``[tool.mlseq.lint]`` of a pyproject.toml (defaults when absent, or when
        Python has no :mod:`tomllib`, i.e. before 3.11)."""
        if sys.version_info < (3, 11):  # pragma: no cover - 3.10 has no tomllib
            return cls()
        import tomllib

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise MlseqError(f"cannot read {path}: {exc}", code=ErrorCode.IO) from None
        except tomllib.TOMLDecodeError as exc:
            raise MlseqError(f"{path}: {exc}", code=ErrorCode.OPTION) from None
        section = data.get("tool", {}).get("mlseq", {}).get("lint", {})
        if not isinstance(section, dict):
            raise MlseqError(f"{path}: [tool.mlseq.lint] must be a table", code=ErrorCode.OPTION)
        return cls.from_mapping(section)

    def _words(self, name: str, base: tuple[str, ...]) -> tuple[str, ...]:
        extra: tuple[str, ...] = getattr(self, name)
        return base + extra


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in ``start`` or a folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _rule_ids(value: Any, what: str) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise MlseqError(f"lint option {what} must be a list of rule ids", code=ErrorCode.OPTION)
    out = []
    for item in items:
        rule = str(item).strip().upper()
        if not rule:
            continue
        if rule not in RULES:
            known = list(RULES) + [r.name for r in RULES.values()]
            raise MlseqError(
                f"unknown lint rule '{item}' in {what}",
                code=ErrorCode.OPTION,
                hint=did_you_mean(rule, known),
            )
        out.append(rule)
    return out


def resolve_rule(name: str) -> str | None:
    """A rule id from an id or a rule name (``ML005`` or ``collapsed-steps``)."""
    upper = name.strip().upper()
    if upper in RULES:
        return upper
    for rule in RULES.values():
        if rule.name == name.strip().lower():
            return rule.id
    return None


def _words(value: Any, what: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise MlseqError(f"lint option {what} must be a list of words", code=ErrorCode.OPTION)
    return [str(v).strip() for v in value if str(v).strip()]


# --- helpers --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocab:
    metric: re.Pattern[str]
    gate: re.Pattern[str]
    long_running: re.Pattern[str]
    feedback: re.Pattern[str]


def _vocab(config: LintConfig) -> _Vocab:
    return _Vocab(
        metric=_phrase_re(config._words("metric_words", METRIC_WORDS)),
        gate=_phrase_re(config._words("gate_words", GATE_WORDS)),
        long_running=_phrase_re(config._words("long_running", LONG_RUNNING)),
        feedback=_phrase_re(config._words("feedback_words", FEEDBACK_WORDS)),
    )


def _gate_like(text: str, v: _Vocab) -> bool:
    """A pass/fail decision: a gate word, or a metric compared with a number."""
    if v.gate.search(text):
        return True
    return bool(v.metric.search(text) and _COMPARISON.search(text))


def _names_gate(text: str, v: _Vocab) -> bool:
    """A message that performs a gate: gate-like, or evaluating against a metric."""
    return _gate_like(text, v) or bool(_EVAL_VERB.search(text) and v.metric.search(text))


def _f(rule: str, message: str, span: Span) -> Finding:
    r = RULES[rule]
    return Finding(rule, r.name, message, span.line, span.column or 1, r.severity)


def _q(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return "'" + (text if len(text) <= limit else text[: limit - 1] + "…") + "'"


# --- rules ----------------------------------------------------------------------------

Check = Callable[[Diagram, LintConfig, _Vocab], Iterator[Finding]]


def _gate_without_failure(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    events = d.events
    # An alt whose guard is a gate and that has no else: only the pass case is drawn.
    for i, e in enumerate(events):
        if (
            isinstance(e, FragmentStart)
            and e.kind is FragmentKind.ALT
            and _gate_like(e.label, v)
            and not _sections(events, i)
        ):
            yield _f(
                "ML001",
                f"gate {_q(e.label)} has no else branch: show what happens on failure",
                e.span,
            )
    # A step that evaluates against a metric or threshold, with no branch after it (a
    # step inside a branch is that branch's handling and does not count). Reported once,
    # at the first such step; "a branch after it" holds for every step before the last
    # branch, so one pass finds where that stops.
    last_branch = _last_failure_path(events)
    branch_depth = 0
    for i, e in enumerate(events):
        if isinstance(e, FragmentStart) and e.kind in _BRANCHES:
            branch_depth += 1
        elif isinstance(e, FragmentEnd) and e.kind in _BRANCHES:
            branch_depth -= 1
        if branch_depth or i <= last_branch:
            continue
        # Replies report a result; the gate is the call or note that decides.
        if isinstance(e, Message) and e.kind is not MessageKind.RETURN:
            text: str | None = e.text
        else:
            text = e.text if isinstance(e, Note) else None
        if text is not None and _names_gate(text, v):
            yield _f(
                "ML001",
                f"{_q(text)} is a gate but nothing after it shows the failure path "
                "(add alt ... else, break, or a failure message)",
                e.span,
            )
            return


def _sections(events: Sequence[Any], start: int) -> list[Any]:
    """The FragmentSection events belonging to the fragment opened at ``start``."""
    depth = events[start].depth
    out = []
    for j in range(start + 1, len(events)):
        e = events[j]
        if isinstance(e, FragmentEnd) and e.depth == depth:
            break
        if isinstance(e, FragmentSection) and e.depth == depth:
            out.append(e)
    return out


_BRANCHES = frozenset(
    {FragmentKind.ALT, FragmentKind.OPT, FragmentKind.BREAK, FragmentKind.CRITICAL}
)


def _last_failure_path(events: Sequence[Any]) -> int:
    """Index of the last branch, lost message or failure message (-1 if none)."""
    for j in range(len(events) - 1, -1, -1):
        e = events[j]
        if isinstance(e, FragmentStart) and e.kind in _BRANCHES:
            return j
        if isinstance(e, Message) and (e.kind is MessageKind.LOST or _FAILURE.search(e.text)):
            return j
    return -1


def _happy_path_only(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    texts = [e.text for e in d.events if isinstance(e, (Message, Divider))]
    if not any(_TRAIN.search(t) for t in texts):
        return
    deploy = next(
        (e for e in d.events if isinstance(e, (Message, Divider)) and _DEPLOY.search(e.text)),
        None,
    )
    if deploy is None:
        return
    by_id = {p.id: p for p in d.participants}
    for e in d.events:
        if isinstance(e, Message) and v.feedback.search(e.text):
            return
        if isinstance(e, Message) and not e.is_self:
            src, dst = by_id.get(e.source), by_id.get(e.target)
            if src is None or dst is None:
                continue
            if _monitorish(src) and not _monitorish(dst) and _UPSTREAM.search(dst.id + dst.label):
                return
    yield _f(
        "ML002",
        "training and deployment but no feedback loop: show how monitoring leads back "
        "to data or retraining",
        deploy.span,
    )


def _monitorish(p: Participant) -> bool:
    return p.kind is ParticipantKind.MONITOR or bool(_MONITORISH.search(p.id + " " + p.label))


def _long_running_sync(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    messages = d.messages
    last: dict[tuple[str, str], int] = {}
    for i, m in enumerate(messages):
        last[(m.source, m.target)] = i
    for i, m in enumerate(messages):
        if m.is_self or m.kind is not MessageKind.SYNC or not v.long_running.search(m.text):
            continue
        if last.get((m.target, m.source), -1) > i:  # answered later
            continue
        yield _f(
            "ML003",
            f"long-running {_q(m.text)} is a sync call that never returns: send it async "
            f"({m.source}-){m.target}) or draw the reply",
            m.span,
        )


def _async_awaited(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    messages = d.messages
    for i, m in enumerate(messages[:-1]):
        if m.is_self or m.head is not Head.OPEN or m.line is not LineStyle.SOLID:
            continue
        reply = messages[i + 1]
        if (
            reply.source == m.target
            and reply.target == m.source
            and reply.kind is MessageKind.RETURN
            and reply.head is not Head.OPEN
        ):
            yield _f(
                "ML004",
                f"async {_q(m.text)} is answered at once by a sync return: make it a sync "
                f"call (->>) or show the callback as async (--)) after the work",
                m.span,
            )


def _collapsed_steps(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    for e in d.events:
        if not isinstance(e, Message):
            continue
        text = re.sub(r"\([^)]*\)", " ", e.text)
        stages: list[str] = []
        for segment in _SPLIT_ACTIONS.split(text):
            words = segment.split()
            stage = _stage_of(words[0].strip(".:!")) if words else None
            if stage is not None and stage not in stages:
                stages.append(stage)
        if len(stages) >= 2:
            yield _f(
                "ML005",
                f"{_q(e.text)} chains {' and '.join(stages)} steps in one message: "
                "draw each step (and the hand-off between them)",
                e.span,
            )


def _function_participants(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    for p in d.participants:
        if _FUNCTION_CALL.search(p.id) or _FUNCTION_CALL.search(p.label):
            name = p.label if _FUNCTION_CALL.search(p.label) else p.id
            yield _f(
                "ML006",
                f"participant {_q(name)} is a function call: draw the service, job or "
                "store that runs it",
                p.span,
            )


def _too_many(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    if len(d.participants) > c.max_participants:
        extra = d.participants[c.max_participants]
        yield _f(
            "ML007",
            f"{len(d.participants)} participants (more than {c.max_participants}): group "
            "fine-grained ones or split the diagram",
            extra.span,
        )


def _unused(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    used: set[str] = set()
    for e in d.events:
        if isinstance(e, Message):
            used |= {e.source, e.target}
        elif isinstance(e, Note):
            used |= set(e.participants)
        elif isinstance(e, (Activation, Create, Destroy)):
            used.add(e.participant)
    for p in d.participants:
        if p.id not in used:
            yield _f(
                "ML008",
                f"participant {_q(p.id)} is declared but sends and receives nothing",
                p.span,
            )


def _undeclared(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    declared = [p.id for p in d.participants if p.explicit and not p.created]
    if len(declared) < 2:
        return
    for p in d.participants:
        if not p.explicit and not p.created:
            hint = did_you_mean(p.id, declared)
            yield _f(
                "ML009",
                f"{_q(p.id)} is not declared, though the diagram declares its participants"
                + (f" ({hint})" if hint else ""),
                p.span,
            )


def _activation_open(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    open_: dict[str, list[Activation]] = {}
    for e in d.events:
        if isinstance(e, Activation):
            stack = open_.setdefault(e.participant, [])
            if e.active:
                stack.append(e)
            elif stack:
                stack.pop()
    for pid, stack in open_.items():
        if stack:
            first = stack[0]
            yield _f(
                "ML010",
                f"{pid} is activated here and never deactivated",
                first.span,
            )


def _empty_fragment(d: Diagram, c: LintConfig, v: _Vocab) -> Iterator[Finding]:
    events = d.events
    for i, e in enumerate(events):
        if not isinstance(e, FragmentStart):
            continue
        for j in range(i + 1, len(events)):
            after = events[j]
            if isinstance(after, FragmentSection) and after.depth == e.depth:
                continue
            if isinstance(after, FragmentEnd) and after.depth == e.depth:
                label = f" {_q(e.label)}" if e.label else ""
                yield _f("ML011", f"{e.kind.value}{label} block is empty", e.span)
            break


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    summary: str
    severity: Severity
    check: Check = field(repr=False)


def _rules() -> dict[str, Rule]:
    w, e = Severity.WARNING, Severity.ERROR
    rows = [
        ("ML001", "gate-without-failure-path", "a gate with no branch for failure", w,
         _gate_without_failure),
        ("ML002", "happy-path-only", "training and deployment, but no feedback loop", w,
         _happy_path_only),
        ("ML003", "long-running-sync", "long-running work sent as a sync call, no reply", w,
         _long_running_sync),
        ("ML004", "async-awaited-as-sync", "an async call answered at once like a sync one",
         w, _async_awaited),
        ("ML005", "collapsed-steps", "one message chains steps of several stages", w,
         _collapsed_steps),
        ("ML006", "function-call-participant", "a participant named like a function call", w,
         _function_participants),
        ("ML007", "too-many-participants", "more participants than max_participants", w,
         _too_many),
        ("ML008", "unused-participant", "a declared participant that is never used", e,
         _unused),
        ("ML009", "undeclared-participant", "an undeclared name where others are declared",
         e, _undeclared),
        ("ML010", "activation-left-open", "an activation never deactivated", e,
         _activation_open),
        ("ML011", "empty-fragment", "a loop/alt/opt/... block with nothing inside", e,
         _empty_fragment),
    ]  # fmt: skip
    return {r[0]: Rule(*r) for r in rows}


RULES: Mapping[str, Rule] = _rules()
"""Every rule by id, in id order. Ids are stable: a retired rule's id is never reused."""


# --- disable comments -----------------------------------------------------------------

_DISABLE = re.compile(
    r"%%\s*mlseq\s*:\s*(disable|disable-block|disable-file)\s*=\s*([\w\-, ]+)", re.I
)


@dataclass(frozen=True)
class _Disables:
    block: frozenset[str]
    lines: Mapping[int, frozenset[str]]

    def covers(self, f: Finding) -> bool:
        for rules in (self.block, self.lines.get(f.line, frozenset())):
            if "ALL" in rules or f.rule in rules:
                return True
        return False


def _parse_disables(source: str) -> _Disables:
    block: set[str] = set()
    lines: dict[int, set[str]] = {}
    pending: set[str] = set()
    seen_statement = False
    in_front_matter = False
    for number, raw in enumerate(source.splitlines(), start=1):
        stripped = raw.strip()
        if (number == 1 and stripped == "---") or in_front_matter:
            in_front_matter = not (in_front_matter and stripped == "---")
            continue
        match = _DISABLE.search(raw)
        rules = set()
        if match:
            for name in match.group(2).split(","):
                rule = resolve_rule(name) or name.strip().upper()
                if rule:
                    rules.add(rule)
        own_line = stripped.startswith("%%")
        if match and match.group(1).lower() != "disable":
            block |= rules
            continue
        if own_line or not stripped:
            if match:
                (pending if seen_statement else block).update(rules)
            continue
        if stripped.lower().rstrip(";") == "sequencediagram" and not seen_statement:
            continue
        seen_statement = True
        here = lines.setdefault(number, set())
        here |= pending | rules
        pending = set()
    return _Disables(frozenset(block), {k: frozenset(v) for k, v in lines.items() if v})


# --- entry point ----------------------------------------------------------------------


def lint(
    diagram: Diagram, config: LintConfig | None = None, *, source: str | None = None
) -> list[Finding]:
    """The findings for one diagram, sorted by position then rule id.

    ``source`` is the block's text: when given, ``%% mlseq: disable=...`` comments in it
    are honoured.
    """
    config = config if config is not None else LintConfig()
    vocab = _vocab(config)
    findings = [
        finding
        for rule in RULES.values()
        if config.enabled(rule.id)
        for finding in rule.check(diagram, config, vocab)
    ]
    if source is not None:
        disables = _parse_disables(source)
        findings = [f for f in findings if not disables.covers(f)]
    return sorted(set(findings), key=lambda f: (f.line, f.column, f.rule, f.message))


def lint_source(
    source: str, config: LintConfig | None = None, *, template_dirs: tuple[str, ...] = ()
) -> list[Finding]:
    """Parse a block (diagram text or template call) and lint it.

    Raises :class:`MlseqError` when the block does not parse. A finding in a template
    call's expansion is reported at the call's line its statement came from (a custom
    step, a participant under ``participants:``, the ``title:``), and otherwise at line
    1 of the call, naming the expansion's line (``mlseq expand`` shows it).
    """
    from . import parser, template

    if template.is_template_call(source):
        text, origins = template.expand_with_origins(source, template_dirs=template_dirs)
        found = []
        for f in lint(parser.parse(text), config, source=text):
            line = origins[f.line - 1] if 0 < f.line <= len(origins) else None
            found.append(replace(f, line=line, column=1) if line is not None else replace(
                f, line=1, column=1, message=f"{f.message} (line {f.line} of the expansion)"))
        return sorted(found, key=lambda f: (f.line, f.column, f.rule, f.message))
    return lint(parser.parse(source), config, source=source)
