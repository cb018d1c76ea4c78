"""Template calls: every built-in expands into a well-formed diagram, parameters do what
docs/templates.md says, and every mistake is reported at the right line and column."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import mlseq
import pytest
from mlseq import ErrorCode, MlseqError
from mlseq.cli import main as cli_main
from mlseq.model import FragmentEnd, FragmentKind, FragmentSection, FragmentStart, Message
from mlseq.parser import parse as strict_parse
from mlseq.template import (
    BUILTIN_DIR,
    CALL_KEYS,
    MONITOR_ACTIONS,
    ON_FAIL,
    expand,
    is_template_call,
    list_templates,
    load_template,
)

BUILTINS = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
REQUIRED = {
    "ml-workflow", "training-pipeline", "continuous-training", "batch-inference",
    "online-serving", "feature-store", "model-promotion", "tfx", "sagemaker-pipeline",
    "kubeflow-pipeline",
}


def error_of(source: str, **kwargs: object) -> MlseqError:
    with pytest.raises(MlseqError) as info:
        expand(source, **kwargs)  # type: ignore[arg-type]
    return info.value


def check_well_formed(text: str) -> mlseq.Diagram:
    """Parse strictly (every participant declared) and check the lint-like rules the
    templates promise: every alt has an else, no block is empty."""
    diagram = strict_parse(text, strict_participants=True)
    # Per open block: its start, whether it has a message (nested ones count), its else.
    stack: list[tuple[FragmentStart, list[bool]]] = []
    for event in diagram.events:
        if isinstance(event, FragmentStart):
            stack.append((event, [False, False]))
        elif isinstance(event, FragmentEnd):
            start, (has_message, has_else) = stack.pop()
            assert has_message, f"empty {start.kind.value} '{start.label}'"
            if start.kind is FragmentKind.ALT:
                assert has_else, f"alt '{start.label}' has no else"
            if stack:
                stack[-1][1][0] = True
        elif isinstance(event, FragmentSection) and stack:
            stack[-1][1][1] = True
        elif isinstance(event, Message) and stack:
            stack[-1][1][0] = True
    assert not stack
    return diagram


def job_names(name: str) -> list[str]:
    template = load_template(name)
    return [str(step.value["job"].value) for step in template.steps_of("job")]


# --- the library --------------------------------------------------------------------


def test_library_has_the_required_templates() -> None:
    assert set(BUILTINS) >= REQUIRED
    listed = dict(list_templates())
    assert set(listed) == set(BUILTINS)
    for name, description in listed.items():
        assert description and "\n" not in description and "cannot" not in description, name


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_expands_with_no_parameters(name: str) -> None:
    text = expand(f"template: {name}\n")
    assert text.startswith(f"%% Expanded from template '{name}'")
    diagram = check_well_formed(text)
    assert diagram.title
    assert len(diagram.participants) >= 5
    assert sum(isinstance(e, mlseq.model.Divider) for e in diagram.events) >= 3
    assert len(diagram.messages) >= 10
    # Long-running work is drawn async: a `-)` call and a `--)` completion.
    kinds = {m.kind.value for m in diagram.messages}
    assert "async" in kinds and "return" in kinds
    # Every participant declared is used.
    used = {p for m in diagram.messages for p in (m.source, m.target)}
    assert {p.id for p in diagram.participants} <= used


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_expands_with_a_full_parameter_set(name: str) -> None:
    template = load_template(name)
    roles = [r.name for r in template.roles]
    deciders = {str(node.value) for key in ("gate", "monitor")
                for step in template.steps_of(key) for node in step.value.values()}
    drop = next(r for r in reversed(roles) if r not in deciders and r != roles[1])
    stages = [s.name for s in template.stages]
    jobs = job_names(name)
    call: dict[str, object] = {
        "template": name,
        "title": "Team diagram",
        "participants": {
            roles[0]: "Renamed First",
            roles[1]: {"id": "Second2", "kind": "entity", "label": "Second, re-kinded"},
            drop: None,
            "auditor": {"id": "Audit", "label": "Audit Log", "kind": "database"},
        },
        "stages": list(reversed(stages)),
        "async": jobs[:1],
        "steps": [
            {"after": stages[0], "do": f"{{{roles[1]}}}-)Audit: record step one"},
            {"before": stages[-1], "do": "Note over Audit: last stage starts"},
        ],
        "params": {key: f"value of {key}" for key in template.param_names},
        "theme": "dark",
        "autonumber": True,
        "mirror_actors": False,
    }
    if template.steps_of("gate"):
        call["gate"] = {"metric": "F1", "threshold": 0.9, "on_fail": "human-review"}
    if template.steps_of("monitor"):
        call["monitoring"] = {"trigger": "PSI > 0.3", "action": "rollback"}
    text = expand(json.dumps(call))  # JSON is YAML
    diagram = check_well_formed(text)
    assert diagram.title == "Team diagram"
    assert diagram.config.theme == "dark"
    assert diagram.config.mirror_actors is False
    assert diagram.messages[0].number == "1"
    labels = {p.id: (p.label, p.kind.value) for p in diagram.participants}
    assert labels["Second2"] == ("Second, re-kinded", "entity")
    assert labels["Audit"] == ("Audit Log", "database")
    assert next(r.id for r in template.roles if r.name == drop) not in labels
    dividers = [e.text for e in diagram.events if isinstance(e, mlseq.model.Divider)]
    assert dividers == [template.stage(s).title for s in reversed(stages)]
    assert any(m.text == "record step one" for m in diagram.messages)
    for job in jobs[1:]:
        assert f"'{job}'" not in text  # (names never leak into the drawing)
    if template.steps_of("gate"):
        assert "alt F1 >= 0.9 (gate passed)" in text
        assert "else F1 < 0.9 (gate failed)" in text
        assert "alt reviewer approves an exception" in text
    if template.steps_of("monitor"):
        assert "opt PSI > 0.3" in text
        assert "roll back to the previous model version" in text
    with_params = expand(json.dumps({"template": name, "params": call["params"],
                                     "stages": stages}))
    for key in template.param_names:
        assert f"value of {key}" in with_params, key


@pytest.mark.parametrize("name", BUILTINS)
def test_dropping_any_participant_keeps_the_diagram_well_formed(name: str) -> None:
    for role in load_template(name).roles:
        text = expand(f"template: {name}\nparticipants:\n  {role.name}: null\n")
        diagram = check_well_formed(text)
        assert role.id not in {p.id for p in diagram.participants}


WITH_JOBS = [name for name in BUILTINS if job_names(name)]


def test_most_templates_have_long_running_jobs() -> None:
    assert set(BUILTINS) - set(WITH_JOBS) == {"online-serving", "model-promotion"}


@pytest.mark.parametrize("name", WITH_JOBS)
def test_async_list_switches_jobs_between_async_and_sync(name: str) -> None:
    sync = check_well_formed(expand(f"template: {name}\nasync: []\n"))
    default = check_well_formed(expand(f"template: {name}\n"))
    async_count = sum(m.kind.value == "async" for m in default.messages)
    assert sum(m.kind.value == "async" for m in sync.messages) < async_count
    assert len(sync.messages) == len(default.messages)


def test_every_on_fail_gives_its_own_else_branch() -> None:
    branches = {}
    for on_fail in ON_FAIL:
        text = expand(f"template: ml-workflow\ngate: {{on_fail: {on_fail}}}\n")
        check_well_formed(text)
        else_part = text.split("else AUC < 0.85 (gate failed)\n", 1)[1].split("\n== ", 1)[0]
        branches[on_fail] = else_part
    assert len(set(branches.values())) == len(ON_FAIL)
    assert "retrain with tuned hyperparameters" in branches["retrain"]
    assert "run stops here" in branches["stop"]
    assert "Orch-)DS: alert" in branches["notify"]
    assert "Eval->>DS: request review" in branches["human-review"]
    # The approved exception continues exactly like the pass path.
    assert "Eval->>Registry: approve v42" in branches["human-review"]


def test_gate_threshold_is_negated_for_the_failure_guard() -> None:
    for threshold, failed in ((">= 0.9", "< 0.9"), ("> 1", "<= 1"), ("< 20 ms", ">= 20 ms"),
                              ("0.7", "< 0.7"), ("beats champion", "fails (beats champion)"),
                              (">= 0.8 and no regression", "fails (>= 0.8 and no regression)")):
        text = expand(f"template: ml-workflow\ngate: {{metric: m, threshold: '{threshold}'}}\n")
        assert f"else m {failed} (gate failed)" in text, threshold


def test_template_specific_fail_branch_overrides_the_generic_one() -> None:
    text = expand("template: tfx\n")
    assert "publish ModelBlessing (NOT_BLESSED)" in text
    text = expand("template: tfx\ngate: {on_fail: retrain}\n")
    assert "(NOT_BLESSED)" not in text and "retrain with tuned" in text


@pytest.mark.parametrize("action", MONITOR_ACTIONS)
def test_every_monitoring_action(action: str) -> None:
    text = expand(f"template: ml-workflow\nmonitoring: {{trigger: p99 > 1s, action: {action}}}\n")
    check_well_formed(text)
    loop = text.split("loop every hour\n", 1)[1]
    assert "opt p99 > 1s" in loop
    expected = {"retrain": "Monitor-)Orch: trigger retraining", "rollback": "roll back",
                "notify": "Monitor-)DS: alert: p99 > 1s"}[action]
    assert expected in loop


def test_the_smallest_call_draws_the_whole_lifecycle() -> None:
    text = expand("template: ml-workflow")
    for stage in ("Data preparation", "Training", "Registration", "Evaluation gate",
                  "Deployment", "Monitoring and feedback"):
        assert f"== {stage} ==" in text
    assert "alt AUC >= 0.85 (gate passed)" in text and "else AUC < 0.85" in text
    assert "Monitor-)Orch: trigger retraining" in text  # the feedback loop
    assert "Orch-)Trainer: train churn-model" in text  # training drawn async


def test_custom_steps_go_to_their_anchors() -> None:
    text = expand(
        "template: ml-workflow\n"
        "participants:\n"
        "  reviewer: {id: QA, label: QA Lead, kind: actor}\n"
        "steps:\n"
        "  - before: deployment\n"
        "    do: |\n"
        "      {orchestrator}->>QA: sign-off request\n"
        "      QA-->>{orchestrator}: signed\n"
        "  - after: training\n"
        "    do: \"{trainer}-){registry}: log model card\"\n"
    )
    check_well_formed(text)
    lines = text.splitlines()
    deploy = lines.index("== Deployment ==")
    assert lines[deploy + 1: deploy + 3] == ["Orch->>QA: sign-off request", "QA-->>Orch: signed"]
    assert lines[lines.index("== Registration ==") - 1] == "Trainer-)Registry: log model card"
    assert "actor QA as QA Lead" in lines


def test_parameter_values_cannot_inject_statements() -> None:
    evil = "x\\nparticipant Evil\\nEvil->>Evil: hi; Evil->>Evil: again %% c # d"
    text = expand(f'template: ml-workflow\ntitle: "{evil}"\nparams: {{model: "{evil}"}}\n')
    plain = check_well_formed(expand("template: ml-workflow\n"))
    diagram = check_well_formed(text)
    assert len(diagram.events) == len(plain.events)
    assert "Evil" not in {p.id for p in diagram.participants}
    assert diagram.title is not None and "again %% c # d" in diagram.title
    # Placeholders inside values are not expanded again.
    text = expand("template: ml-workflow\nparams: {model: '{registry}'}\n")
    assert "start pipeline run for {registry}" in text


def test_delay_lines_keep_parameter_colons_readable() -> None:
    text = expand("template: batch-inference\nparams: {schedule: 'daily at 03:30'}\n")
    diagram = check_well_formed(text)
    delays = [e.text for e in diagram.events if isinstance(e, mlseq.model.Delay)]
    assert delays == ["daily at 03:30"]


def test_round_trip_render_of_call_equals_render_of_expansion() -> None:
    for call in ("template: ml-workflow\n",
                 "template: tfx\nstages: [ingest, training, evaluation, push]\ntheme: forest\n",
                 "template: continuous-training\ngate: {on_fail: human-review}\n"
                 "autonumber: true\n"):
        assert mlseq.render(call) == mlseq.render(mlseq.expand(call))


def test_plain_diagrams_pass_through_expand() -> None:
    assert mlseq.expand("A->>B: hi") == "A->>B: hi"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("template: ml-workflow", True),
        ("\n# our pipeline\n\ntemplate: tfx\ntitle: x\n", True),
        ("title: Training\ntemplate: tfx\n", True),
        ("---\ntemplate: tfx\n---\n", False),
        ("sequenceDiagram\nA->>B: template: x\n", False),
        ("A->>B: hi\ntemplate: x\n", False),
        ("  template: tfx\n", False),
        ("", False),
        ("%% template: x\n", False),
    ],
)
def test_is_template_call(source: str, expected: bool) -> None:
    assert is_template_call(source) is expected


def test_is_template_call_reads_long_blocks_as_it_reads_short_ones() -> None:
    """The first line is looked for in a block's first 256 characters; a line cut at
    that point, a block that is all comments there, and ``\r\n`` across it must not change the
    answer the whole text gives."""

    def whole(source: str) -> bool:
        for line in source.splitlines():
            if not line.strip() or line.strip().startswith("#"):
                continue
            return (re.match(r"[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)", line) is not None
                    and re.search(r"^template[ \t]*:", source, re.MULTILINE) is not None)
        return False

    firsts = ["template: tfx", "roles:", "sequenceDiagram", "a" * 3000 + ": x",
              "name: " + "x" * 3000, "  template: x", "key:value"]
    checked = 0
    for pad in (*range(240, 270), *range(2030, 2060)):
        for first in firsts:
            for filler in ("#" * (pad - 1) + "\n", " " * pad + "\r\n", "\n" * pad):
                for tail in ("\ntemplate: tfx\n", "\nA->>B: hi\n"):
                    source = filler + first + tail
                    assert is_template_call(source) is whole(source), (pad, first[:20])
                    checked += 1
    assert checked == 60 * len(firsts) * 3 * 2


# --- errors -------------------------------------------------------------------------


def test_yaml_syntax_error_is_located_in_the_block() -> None:
    err = error_of("template: ml-workflow\ntitle: ok\nparams: {model: [x}\n")
    assert err.code is ErrorCode.YAML
    assert (err.line, err.column) == (3, 19)
    assert "YAML" in err.message


def test_unknown_key_with_did_you_mean_at_the_key() -> None:
    err = error_of("# comment\ntemplate: ml-workflow\n\nmonitorng:\n  action: retrain\n")
    assert err.code is ErrorCode.TEMPLATE
    assert (err.line, err.column) == (4, 1)
    assert err.hint == "did you mean 'monitoring'?"
    err = error_of("template: ml-workflow\ngate:\n  metric: F1\n  treshold: 0.8\n")
    assert (err.line, err.column, err.hint) == (4, 3, "did you mean 'threshold'?")
    err = error_of("template: ml-workflow\nparams:\n  dataset: x\n  modle: y\n")
    assert (err.line, err.column, err.hint) == (4, 3, "did you mean 'model'?")
    err = error_of("template: ml-workflow\nmodel: y\n")
    assert err.hint is not None and "params:" in err.hint


def test_unknown_template_with_did_you_mean() -> None:
    err = error_of("template: sagemaker-pipelines\n")
    assert (err.line, err.column, err.code) == (1, 11, ErrorCode.TEMPLATE)
    assert str(err) == ("1:11: unknown template 'sagemaker-pipelines' "
                        "(did you mean 'sagemaker-pipeline'?)")


def test_bad_on_fail_is_reported_at_its_value() -> None:
    err = error_of("template: ml-workflow\ngate:\n  metric: F1\n  on_fail: rollback\n")
    assert (err.line, err.column) == (4, 12)
    assert "retrain, stop, notify, human-review" in err.message


@pytest.mark.parametrize(
    ("source", "line", "column", "text"),
    [
        ("template: ml-workflow\nstages: [data, trainig]\n", 2, 16, "did you mean 'training'?"),
        ("template: ml-workflow\nparticipants:\n  trainer: {kind: gpu}\n", 3, 19,
         "unknown participant kind 'gpu'"),
        ("template: ml-workflow\nparticipants:\n  trainer: {id: 'a b'}\n", 3, 17, "one word"),
        ("template: ml-workflow\nparticipants:\n  trainr: null\n", 3, 3,
         "did you mean 'trainer'?"),
        ("template: ml-workflow\nparticipants:\n  trainr: {label: GPU}\n", 3, 3,
         "added but no step uses it"),
        ("template: ml-workflow\nasync: [trian]\n", 2, 9, "did you mean 'train'?"),
        ("template: ml-workflow\ntitle: [a, b]\n", 2, 8, "title must be text"),
        ("template: ml-workflow\nautonumber: maybe\n", 2, 13, "true or false"),
        ("template: ml-workflow\ntheme: darkk\n", 2, 8, "did you mean 'dark'?"),
        ("template: feature-store\ngate: {metric: x}\n", 2, 1, "has no evaluation gate"),
        ("template: ml-workflow\nsteps:\n  - after: deploy\n    do: x\n", 3, 12,
         "did you mean 'deployment'?"),
        ("template: ml-workflow\nstages: [data]\nsteps:\n  - after: training\n    do: x\n", 4, 12,
         "stages in this diagram: data"),
        ("template: ml-workflow\nsteps:\n  - do: 'A->>B: x'\n", 3, 5, "exactly one of"),
        ("template: ml-workflow\ntemplate: tfx\n", 2, 1, "duplicate key 'template'"),
        ("template: ml-workflow\nparticipants:\n  lake: {id: FS}\n", 3, 3, "both have the id 'FS'"),
        ("- template: ml-workflow\n", 1, 1, "must be a mapping"),
        ("template: !!python/object/apply:os.system [ls]\n", 1, 11, "cannot read this value"),
    ],
)
def test_bad_values_are_reported_where_they_are(source: str, line: int, column: int,
                                                 text: str) -> None:
    err = error_of(source)
    assert (err.line, err.column) == (line, column), str(err)
    assert text in str(err)


def test_custom_step_errors_are_reported_at_their_own_line() -> None:
    source = (
        "template: ml-workflow\n"
        "steps:\n"
        "  - after: training\n"
        "    do: |\n"
        "      {trainer}->>{registry}: register\n"
        "      {trainer}->>Nobody: hello\n"
    )
    err = error_of(source)
    assert err.code is ErrorCode.UNKNOWN_PARTICIPANT
    assert (err.line, err.column) == (6, 7 + len("Trainer->>"))
    source = (
        "template: ml-workflow\n"
        "steps:\n"
        "  - after: training\n"
        "    do: |\n"
        "      {trainer}->>{registry}: register\n"
        "\n"
        "      alt ok\n"
        "        {trainer}->>{registry}: x\n"
    )
    err = error_of(source)
    assert err.code is ErrorCode.BLOCK
    assert (err.line, err.column) == (7, 7)
    err = error_of("template: ml-workflow\nsteps:\n"
                   "  - {after: data, do: '{trainr}->>{registry}: x'}\n")
    assert err.line == 3 and err.hint == "did you mean 'trainer'?"
    err = error_of("template: ml-workflow\nparticipants: {registry: null}\nsteps:\n"
                   "  - after: data\n    do: |\n      {lake}->>{lake}: ok\n"
                   "      {registry}->>{lake}: x\n")
    assert err.line == 7 and "dropped" in err.message


def test_alias_bomb_is_bounded() -> None:
    rows = ["template: ml-workflow", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        rows.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    err = error_of("\n".join(rows) + "\n")
    assert err.code is ErrorCode.LIMIT
    assert err.line in (2, 3)


def test_oversized_and_deep_input_is_bounded() -> None:
    assert error_of("template: ml-workflow\ntitle: " + "x" * 70_000).code is ErrorCode.LIMIT
    assert error_of("template: tfx\nx: " + "[" * 200 + "]" * 200).code is ErrorCode.LIMIT


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "..", "a/b", "ml-workflow.yaml",
                                  "ML-Workflow", ".hidden", "x\\y", "~root"])
def test_template_names_cannot_be_paths(name: str) -> None:
    err = error_of(f"template: '{name}'\n")
    assert err.code is ErrorCode.TEMPLATE and "not a template name" in err.message


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("name: secret\ndescription: outside\n")
    folder = tmp_path / "templates"
    folder.mkdir()
    os.symlink(outside / "secret.yaml", folder / "secret.yaml")
    err = error_of("template: secret\n", template_dirs=(str(folder),))
    assert "outside its folder" in err.message
    # A symlinked file that stays inside the folder is fine.
    (folder / "real.yaml").write_text("name: real\nextends: ml-workflow\n")
    os.symlink(folder / "real.yaml", folder / "alias.yaml")
    assert "Orch" in expand("template: alias\n", template_dirs=(str(folder),))


# --- team templates -----------------------------------------------------------------


TEAM = """\
name: team-flow
description: "Our flow: the lifecycle plus a security review"
extends: ml-workflow
participants:
  security: {id: Sec, label: Security Review, kind: actor}
  lake: {label: S3 Data Lake}
params:
  title: Team lifecycle
  gate: {metric: recall, on_fail: human-review}
stages:
  - name: security
    title: Security review
    after: registry
    steps:
      - |
        {orchestrator}->>{security}: scan {model} artifact
        {security}-->>{orchestrator}: no findings
"""


def test_folder_templates_extend_builtins(tmp_path: Path) -> None:
    (tmp_path / "team-flow.yaml").write_text(TEAM)
    dirs = (str(tmp_path),)
    text = expand("template: team-flow\n", template_dirs=dirs)
    diagram = check_well_formed(text)
    assert diagram.title == "Team lifecycle"
    assert "database Lake as S3 Data Lake" in text
    lines = text.splitlines()
    assert lines.index("== Security review ==") == lines.index("== Evaluation gate ==") - 3
    assert "alt recall >= 0.85 (gate passed)" in text  # the threshold is inherited
    assert "request review" in text
    assert ("team-flow", "Our flow: the lifecycle plus a security review") in list_templates(dirs)
    assert mlseq.render("template: team-flow\n", template_dirs=dirs) == mlseq.render(text)


def test_folder_template_may_override_a_builtin_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "ml-workflow.yaml").write_text(
        "name: ml-workflow\nextends: ml-workflow\nparams: {title: Our own}\n"
    )
    text = expand("template: ml-workflow\n", template_dirs=(str(tmp_path),))
    assert "title Our own" in text and "== Training ==" in text


def test_errors_in_template_files_name_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(TEAM.replace("scan {model}", "scan {modle}"))
    err = error_of("\ntemplate: broken\n", template_dirs=(str(tmp_path),))
    assert (err.line, err.column) == (2, 11)
    assert f"{tmp_path / 'broken.yaml'}:16:" in err.message
    assert err.hint == "did you mean 'model'?"
    (tmp_path / "bad-yaml.yaml").write_text("name: x\nparams: [\n")
    err = error_of("template: bad-yaml\n", template_dirs=(str(tmp_path),))
    assert err.code is ErrorCode.YAML and "bad-yaml.yaml:3:1:" in err.message
    (tmp_path / "bad-key.yaml").write_text("name: x\nstage: []\n")
    err = error_of("template: bad-key\n", template_dirs=(str(tmp_path),))
    assert "bad-key.yaml:2:1: unknown template key 'stage'" in err.message
    assert err.hint == "did you mean 'stages'?"
    (tmp_path / "loop-a.yaml").write_text("name: a\nextends: loop-b\n")
    (tmp_path / "loop-b.yaml").write_text("name: b\nextends: loop-a\n")
    err = error_of("template: loop-a\n", template_dirs=(str(tmp_path),))
    assert "in a circle" in err.message
    (tmp_path / "unbalanced.yaml").write_text(
        "name: u\nparticipants: {a: {id: A}}\nstages:\n  - name: s\n    steps:\n"
        "      - |\n        alt x\n          {a}->>{a}: y\n")
    err = error_of("template: unbalanced\n", template_dirs=(str(tmp_path),))
    assert "unbalanced.yaml:7:" in err.message and "never closed" in err.message
    assert "cannot be loaded" in dict(list_templates((str(tmp_path),)))["bad-yaml"]


# --- contracts ----------------------------------------------------------------------


def test_schema_matches_the_expander() -> None:
    schema = json.loads((BUILTIN_DIR.parent / "template.schema.json").read_text())
    assert set(schema["properties"]) == set(CALL_KEYS)
    assert schema["properties"]["gate"]["properties"]["on_fail"]["enum"] == list(ON_FAIL)
    actions = schema["properties"]["monitoring"]["properties"]["action"]["enum"]
    assert actions == list(MONITOR_ACTIONS)
    assert set(schema["properties"]["template"]["examples"]) == set(BUILTINS)


def test_cli_expand_and_templates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call = tmp_path / "call.yaml"
    call.write_text("template: tfx\nstages: [ingest, push]\n")
    assert cli_main(["expand", str(call)]) == 0
    out = capsys.readouterr().out
    assert "== Data ingestion ==" in out and "== Push ==" in out and "Evaluator->>" not in out
    assert cli_main(["templates"]) == 0
    assert "kubeflow-pipeline" in capsys.readouterr().out
    call.write_text("template: tfx\ngate: {on_fail: retry}\n")
    assert cli_main(["expand", str(call)]) == 1
    assert f"{call}:2:17: unknown gate on_fail 'retry'" in capsys.readouterr().err


def test_every_example_in_the_docs_renders() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "templates.md").read_text()
    blocks = doc.split("```mlseq\n")[1:]
    assert len(blocks) >= len(BUILTINS) + 2
    for block in blocks:
        source = block.split("```", 1)[0]
        assert is_template_call(source)
        assert mlseq.render(source).startswith("<svg")


def test_mutated_calls_only_ever_raise_mlseq_error() -> None:
    import random

    base = "template: ml-workflow\n" + TEAM.split("stages:", 1)[0].split("\n", 3)[3]
    base += "steps:\n  - after: data\n    do: |\n      {lake}->>{lake}: x\n"
    rnd = random.Random(7)
    alphabet = [*"{}[]:-,'\"\n #&*!|>%;", "null", "true", "  ", "template", "x"]
    for _ in range(400):
        chars = list(base)
        for _ in range(rnd.randint(1, 4)):
            pos = rnd.randrange(len(chars))
            if rnd.random() < 0.5:
                chars.insert(pos, rnd.choice(alphabet))
            else:
                del chars[pos]
        with contextlib.suppress(MlseqError):
            check_well_formed(expand("".join(chars)))


@pytest.mark.parametrize("name", BUILTINS)
def test_builtins_are_lint_clean_with_any_gate_and_monitoring_choice(name: str) -> None:
    from mlseq.lint import lint

    template = load_template(name)
    extras = ["", "async: []\n"]
    if template.steps_of("gate"):
        extras += [f"gate: {{on_fail: {o}}}\n" for o in ON_FAIL]
    if template.steps_of("monitor"):
        extras += [f"monitoring: {{action: {a}}}\n" for a in MONITOR_ACTIONS]
    for extra in extras:
        findings = lint(mlseq.parse(f"template: {name}\n{extra}"))
        assert not findings, (extra, [str(f) for f in findings])
