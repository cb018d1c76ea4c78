"""`mlseq lint`: every rule fires on its bad example and not on its good one, fixtures
pin the edge cases, disable comments and configuration work, the built-in templates
are clean and the heuristics stay quiet on the shared corpus."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, SHARED, shared_path
from mlseq import parser, template
from mlseq.cli import main
from mlseq.errors import ErrorCode, MlseqError
from mlseq.lint import RULES, Finding, LintConfig, Severity, lint, lint_source
from mlseq.template import expand_with_origins

DOC = ROOT / "docs" / "lint.md"
FIXTURES = ROOT / "tests" / "fixtures" / "lint"


def _doc_examples() -> list[tuple[str, str, str]]:
    """(rule id, 'bad' or 'good', block) for every example in docs/lint.md."""
    out = []
    text = DOC.read_text(encoding="utf-8")
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        rule = section.split()[0]
        for kind, block in re.findall(r"\*\*(Bad|Good)\*\*\s*```mlseq\n(.*?)```", section, re.S):
            out.append((rule, kind.lower(), block))
    return out


EXAMPLES = _doc_examples()


def test_every_rule_is_documented_with_both_examples() -> None:
    documented = Counter((rule, kind) for rule, kind, _ in EXAMPLES)
    for rule_id, rule in RULES.items():
        assert documented[(rule_id, "bad")] == 1, rule_id
        assert documented[(rule_id, "good")] == 1, rule_id
        assert f"### {rule_id} {rule.name}\n" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("rule", "kind", "block"), EXAMPLES, ids=[f"{r}-{k}" for r, k, _ in EXAMPLES]
)
def test_doc_example(rule: str, kind: str, block: str) -> None:
    fired = [f.rule for f in lint_source(block)]
    if kind == "bad":
        assert rule in fired
    else:
        assert fired == []  # a good example is clean of every rule, not only its own


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.mmd"))


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_fixture(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    match = re.search(r"%% expect: (.*)", text)
    assert match, "a lint fixture states what it expects"
    expected = [] if match.group(1).strip() == "none" else match.group(1).split()
    got = [f"{f.rule}@{f.line}" for f in lint_source(text)]
    assert got == expected


def test_finding_reads_like_an_editor_annotation() -> None:
    (finding,) = lint_source("participant A\nparticipant B\nA->>+B: hi\n")
    assert isinstance(finding, Finding)
    assert str(finding) == "3:1: ML010 B is activated here and never deactivated"
    assert finding.name == "activation-left-open"
    assert finding.severity is Severity.ERROR


def test_lint_without_source_ignores_disable_comments() -> None:
    text = "%% mlseq: disable=ML008\nparticipant A\nparticipant B\nA->>A: x\n"
    assert [f.rule for f in lint(parser.parse(text))] == ["ML008"]
    assert lint(parser.parse(text), source=text) == []


# --- configuration ----------------------------------------------------------------------


def test_config_select_ignore_and_max() -> None:
    text = "participant X\nparticipant Y\n" + "".join(f"P{i}->>P{i + 1}: m\n" for i in range(5))
    d = parser.parse(text)
    assert {f.rule for f in lint(d)} == {"ML008", "ML009"}
    assert {f.rule for f in lint(d, LintConfig.from_mapping({"ignore": ["ML009"]}))} == {
        "ML008"
    }
    assert {f.rule for f in lint(d, LintConfig(select=frozenset({"ML007"})))} == set()
    small = LintConfig.from_mapping({"max-participants": 3, "select": "ML007"})
    (f,) = lint(d, small)
    assert f.rule == "ML007" and "8 participants (more than 3)" in f.message


def test_config_vocabulary_extends_the_built_in_lists() -> None:
    text = "participant A\nparticipant B\nA->>B: nightly export of the warehouse\n"
    assert lint_source(text) == []
    config = LintConfig.from_mapping({"long_running": ["nightly export"]})
    assert [f.rule for f in lint_source(text, config)] == ["ML003"]


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"max_participant": 3}, "did you mean 'max_participants'?"),
        ({"select": ["ML999"]}, "unknown lint rule 'ML999'"),
        ({"ignore": "ML01"}, "unknown lint rule"),
        ({"max_participants": 0}, "positive integer"),
        ({"metric_words": "auc"}, "list of words"),
    ],
)
def test_config_errors(values: dict[str, object], needle: str) -> None:
    with pytest.raises(MlseqError) as info:
        LintConfig.from_mapping(values)
    assert info.value.code is ErrorCode.OPTION
    assert needle in str(info.value)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in Python 3.11")
def test_pyproject_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.mlseq.lint]\nignore = ["ML008"]\nmax_participants = 20\n'
    )
    config = LintConfig.from_pyproject(tmp_path / "pyproject.toml")
    assert config.ignore == {"ML008"} and config.max_participants == 20
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "pyproject.toml").write_text("[tool.mlseq.lint]\nignor = []\n")
    with pytest.raises(MlseqError, match="did you mean 'ignore'"):
        LintConfig.from_pyproject(tmp_path / "bad" / "pyproject.toml")


# --- the command ----------------------------------------------------------------------


BAD = "participant Eng\nparticipant Platform\nEng->>Platform: clean, train and deploy\n"


def test_cli_reports_findings_with_page_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.mmd").write_text("participant A\nparticipant B\nA->>B: hi\n")
    (tmp_path / "page.md").write_text("# Flow\n\n```mlseq\n" + BAD + "```\n")
    (tmp_path / "broken.mmd").write_text("A->>B: x\nloop forever\n")
    assert main(["lint", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    page = tmp_path / "page.md"
    assert captured.out.splitlines() == [
        f"{page}:6:1: ML002 training and deployment but no feedback loop: show how "
        "monitoring leads back to data or retraining",
        f"{page}:6:1: ML005 'clean, train and deploy' chains data and training and "
        "deployment steps in one message: draw each step (and the hand-off between them)",
    ]
    assert f"{tmp_path / 'broken.mmd'}:2:" in captured.err
    assert captured.err.splitlines()[-1] == "linted 3 diagrams: 2 findings, 1 problem"


def test_cli_select_ignore_and_pyproject(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "d.mmd"
    src.write_text(BAD)
    assert main(["lint", str(src), "--ignore", "ML002,collapsed-steps"]) == 0
    assert "linted 1 diagram: no findings" in capsys.readouterr().err
    assert main(["lint", str(src), "--select", "ML005"]) == 1
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["ML005"]
    assert main(["lint", str(src), "--select", "ML05"]) == 1
    assert "unknown lint rule 'ML05'" in capsys.readouterr().err
    if sys.version_info >= (3, 11):
        (tmp_path / "pyproject.toml").write_text('[tool.mlseq.lint]\nignore = ["ML002", "ML005"]\n')
        assert main(["lint", str(src)]) == 0
        assert main(["lint", str(src), "--no-config"]) == 1


def test_cli_template_call_points_at_the_custom_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = tmp_path / "call.mlseq"
    call.write_text(
        "template: ml-workflow\nsteps:\n  - after: training\n"
        '    do: "Trainer->>Orch: clean, train and deploy"\n'
    )
    assert main(["lint", "--no-config", str(call)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{call}:4:1: ML005 ")


def test_template_findings_at_the_call_lines_they_come_from(tmp_path: Path) -> None:
    """Each line of a custom step's block, a participant given in the call: their own
    lines; what the template wrote: line 1, naming the expansion's line."""
    call = ("template: ml-workflow\n"                     # 1
            "participants:\n"                             # 2
            "  trainer: GPU Trainer\n"                    # 3
            "steps:\n"                                    # 4
            "  - after: training\n"                       # 5
            "    do: |\n"                                 # 6
            "      Trainer->>Trainer: warm up\n"          # 7
            "      Trainer->>Orch: clean, train and deploy\n"  # 8
            "      Trainer->>Orch: fit, evaluate and ship it\n")  # 9
    found = lint_source(call, LintConfig(select=frozenset({"ML005"})))
    assert [(f.rule, f.line) for f in found] == [("ML005", 8), ("ML005", 9)]
    text, origins = expand_with_origins(call)
    lines = text.splitlines()
    assert len(origins) == len(lines)
    assert origins[lines.index("job Trainer as GPU Trainer")] == 3
    assert origins[lines.index("Trainer->>Trainer: warm up")] == 7
    assert origins[lines.index("sequenceDiagram")] is None
    # a finding in the template's own text: line 1, with the expansion's line named
    (tmp_path / "chained.yaml").write_text(
        "name: chained\nparticipants:\n  a: {id: A, label: Alpha}\n"
        "  b: {id: B, label: Beta}\nstages:\n  - name: one\n    title: One\n"
        "    steps:\n      - \"{a}->>{b}: clean, train and deploy\"\n")
    (finding,) = lint_source("template: chained\ntitle: Chained\n",
                             LintConfig(select=frozenset({"ML005"})),
                             template_dirs=(str(tmp_path),))
    text = expand_with_origins("template: chained\n", template_dirs=(str(tmp_path),))[0]
    where = text.splitlines().index("A->>B: clean, train and deploy") + 2  # + title line
    assert finding.line == 1
    assert finding.message.endswith(f"(line {where} of the expansion)")


# --- templates and corpus -------------------------------------------------------------

# Built-in templates with a finding we accept (none today: TFX and Kubeflow used to end
# at deployment without a feedback loop (ML002) and were given one).
KNOWN_TEMPLATE_FINDINGS: dict[str, set[str]] = {}

TEMPLATE_CALLS = [
    "template: {name}\n",
    "template: {name}\nautonumber: true\ntheme: dark\n",
]


@pytest.mark.parametrize("name", [n for n, _ in template.list_templates()])
def test_builtin_templates_are_lint_clean(name: str) -> None:
    for call in TEMPLATE_CALLS:
        rules = {f.rule for f in lint_source(call.format(name=name))}
        assert rules <= KNOWN_TEMPLATE_FINDINGS.get(name, set()), (name, rules)


def _parameter_calls(name: str) -> list[str]:
    """Calls that vary every choice a template offers: gate failure handling,
    monitoring action, all jobs sync or all async, every stage (optional ones too)."""
    t = template.load_template(name)
    jobs = [str(step.value["job"].value) for step in t.steps_of("job")]
    calls = [f"template: {name}\nasync: []\n", f"template: {name}\nasync: [{', '.join(jobs)}]\n"]
    calls.append(f"template: {name}\nstages: [{', '.join(s.name for s in t.stages)}]\n")
    if "gate" in t.param_names:
        calls += [f"template: {name}\ngate: {{on_fail: {o}}}\n" for o in template.ON_FAIL]
        calls.append(f"template: {name}\ngate: {{metric: RMSE, threshold: '< 3'}}\n")
    if "monitoring" in t.param_names:
        calls += [
            f"template: {name}\nmonitoring: {{action: {a}}}\n" for a in template.MONITOR_ACTIONS
        ]
    return calls


@pytest.mark.parametrize("name", [n for n, _ in template.list_templates()])
def test_builtin_templates_with_parameters_stay_clean(name: str) -> None:
    for call in _parameter_calls(name):
        rules = {f.rule for f in lint_source(call)}
        assert rules <= KNOWN_TEMPLATE_FINDINGS.get(name, set()), (call, rules)


HEURISTIC = ("ML001", "ML002", "ML003", "ML005", "ML006")


def test_heuristics_are_quiet_on_the_corpus() -> None:
    root = shared_path("corpus")
    noisy = []
    for path in sorted([*root.glob("*/*.mmd"), *(SHARED / "peers" / "diagrams").glob("*.mmd")]):
        try:
            found = lint_source(path.read_text(encoding="utf-8"))
        except MlseqError:
            continue  # files Mermaid rejects too
        noisy += [f"{path.name}: {f}" for f in found if f.rule in HEURISTIC]
    assert noisy == []


def test_lint_option_of_the_integrations() -> None:
    """One reading of a ``lint`` setting for Sphinx (``mlseq_lint``) and MkDocs."""
    assert LintConfig.from_option(None) is None
    assert LintConfig.from_option(False) is None
    assert LintConfig.from_option(True) == LintConfig()
    assert LintConfig.from_option({"ignore": ["ML005"]}) == LintConfig.from_mapping(
        {"ignore": ["ML005"]})
    with pytest.raises(MlseqError, match=r"^mlseq_lint expects true, false or a mapping") as e:
        LintConfig.from_option("yes", name="mlseq_lint")
    assert e.value.code is ErrorCode.OPTION
    with pytest.raises(MlseqError, match="unknown lint option 'ignor'"):
        LintConfig.from_option({"ignor": ["ML005"]})
