"""`mlseq convert`: Mermaid output re-parses to the same model, PlantUML output is
accepted by the real `plantuml` command, and the PlantUML import reads what people
write (and points at the line of what it cannot)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import IN_CI, SHARED, shared_path
from mlseq import parser, template
from mlseq.cli import main
from mlseq.convert import from_plantuml, to_mermaid, to_plantuml
from mlseq.dump import dump
from mlseq.errors import MlseqError
from mlseq.model import Diagram, MessageKind


def _nospan(diagram: Diagram) -> str:
    return re.sub(r" @\d+:\d+", "", dump(diagram))


def _corpus() -> list[Path]:
    files = [*sorted((SHARED / "corpus").glob("*/*.mmd"))]
    files += sorted((SHARED / "peers" / "diagrams").glob("*.mmd"))
    out = []
    for path in files:
        try:
            parser.parse(path.read_text(encoding="utf-8"))
        except MlseqError:
            continue  # the files Mermaid rejects too
        out.append(path)
    return out


CORPUS = _corpus()
TEMPLATES = [name for name, _ in template.list_templates()]


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def test_corpus_is_there() -> None:
    shared_path("corpus")
    assert len(CORPUS) > 300


@pytest.mark.parametrize("path", CORPUS, ids=_ids(CORPUS))
def test_mermaid_round_trip(path: Path) -> None:
    diagram = parser.parse(path.read_text(encoding="utf-8"))
    again = parser.parse(to_mermaid(diagram))
    assert _nospan(again) == _nospan(diagram)


@pytest.mark.parametrize(
    "source",
    [
        "B - ->> A: id ending in a dash\nA ->> B -: back\n",  # "B -" + "->>" must not merge
        "participant a\nproperties b: {}\na->>c: b is named by properties only\n",
        "link x: Repo @ https://example.com\na->>x: x is named by its link first\n",
        "rect rgb(0, 0, 0) label kept\na->>b: x\nend\n",
        "a->>b: literal #lt;br#gt; stays text<br/>and a real break\n",
        "a->>b: 100#37; #35;1 #59; done\nnote over a: %%not a comment\n",
        "box Aqua\nparticipant a\nend\nbox lightgreen\nparticipant b\nend\na->>b: x\n",
        "a->>b: x\nbox Team\nparticipant c\nend\nloop\nb->>c: declared above the loop\nend\n",
    ],
)
def test_mermaid_round_trip_edge_cases(source: str) -> None:
    diagram = parser.parse(source)
    assert _nospan(parser.parse(to_mermaid(diagram))) == _nospan(diagram)


SAMPLE = """\
---
title: Front
config:
  theme: forest
  sequence: {mirrorActors: false, showSequenceNumbers: true}
---
title Churn model
accDescr {
  two lines
  of description
}
autonumber 10 5
actor DS as Data Scientist
box Aqua Training
  pipeline Orch as Orchestrator
  job Trainer
end
database FS as Feature store#59; v2 #35;1
registry Reg
link Reg: MLflow @ https://mlflow.example.com
== Training ==
DS->>+Orch: start run (50#37; sample)
Orch-)Trainer: train<br/>on GPUs
Trainer ()-->>() FS: read
... about 2 h ...
Trainer--)Orch: done
rect rgb(200, 220, 255)
  Orch-xReg: register
end
create participant Tmp as Temp worker
Orch->>Tmp: spawn
destroy Tmp
Tmp-->>Orch: bye
Orch-->>-DS: ok
critical connect
  DS-|\\Orch: half
option timeout
  DS<<-->>Orch: both
end
par_over a
  DS->>Orch: x
and b
  Note over DS,Orch: wrap:long note text
end
autonumber off
"""


def test_mermaid_approximates_mlseq_additions_with_comments() -> None:
    text = to_mermaid(parser.parse(SAMPLE))
    assert "%% mlseq: 'Orch' is a pipeline (Mermaid has no such type)\n" in text
    assert '  participant Orch as Orchestrator\n' in text
    assert 'participant FS@{"type": "database", "alias": "Feature store#59; v2 #35;1"}' in text
    assert "%% mlseq: == Training == (a stage divider; Mermaid has none)\n" in text
    assert "note over DS,Reg: == Training ==\n" in text
    assert "note over DS,Reg: ... about 2 h ...\n" in text
    assert "DS->>+Orch: start run (50#37; sample)\n" in text
    assert "Orch-)Trainer: train<br/>on GPUs\n" in text
    again = parser.parse(text)
    original = parser.parse(SAMPLE)
    # Everything but the approximations is the same.
    assert len(again.messages) == len(original.messages)
    assert again.messages == tuple(
        replace(m, span=n.span) for m, n in zip(original.messages, again.messages, strict=True)
    )
    assert [(p.id, p.label) for p in again.participants] == [
        (p.id, p.label) for p in original.participants
    ]
    assert again.participant("FS").kind.value == "database"
    assert again.participant("Orch").kind.value == "participant"
    assert again.config == original.config and again.acc_descr == original.acc_descr
    # Approximations are made once: converting the result again changes nothing.
    assert _nospan(parser.parse(to_mermaid(again))) == _nospan(again)


@pytest.mark.parametrize("name", TEMPLATES)
def test_mermaid_from_every_template(name: str) -> None:
    original = parser.parse(template.expand(f"template: {name}\n"))
    again = parser.parse(to_mermaid(original))
    assert [(m.source, m.target, m.text, m.kind) for m in again.messages] == [
        (m.source, m.target, m.text, m.kind) for m in original.messages
    ]


# --- PlantUML ---------------------------------------------------------------------------


def test_plantuml_text() -> None:
    text = to_plantuml(parser.parse(SAMPLE))
    lines = text.splitlines()
    assert lines[0] == "@startuml" and lines[-1] == "@enduml"
    for expected in [
        "hide footbox",
        "title Churn model",
        'actor "Data Scientist" as DS',
        'box "Training" #Aqua',
        '  control "Orchestrator" as Orch <<pipeline>>',
        "  participant Trainer <<job>>",
        "end box",
        'database "Feature store; v2 #1" as FS',
        "database Reg <<registry>>",
        "autonumber 10 5",
        "== Training ==",
        "DS -> Orch : start run (50% sample)",
        "activate Orch",
        "Orch ->> Trainer : train\\non GPUs",
        "Trainer --> FS : read",
        "...about 2 h...",
        "Trainer -->> Orch : done",
        "Orch ->x Reg : register",
        'create participant "Temp worker" as Tmp',
        "critical connect",
        "DS -\\\\ Orch : half",
        "else timeout",
        "DS <--> Orch : both",
        "par a",
        "note over DS, Orch : long note text",
        "autonumber stop",
    ]:
        assert expected in lines, expected
    # PlantUML's destroy ends the lifeline after its last message.
    assert lines.index("destroy Tmp") == lines.index("Tmp --> Orch : bye") + 1


def _plantuml() -> str:
    found = shutil.which("plantuml")
    if found is None:
        if IN_CI:
            pytest.fail("plantuml is not installed and CI is set")
        pytest.skip("plantuml is not installed")
    return found


def test_plantuml_accepts_every_conversion() -> None:
    """One JVM for everything: each diagram is a @startuml block on standard input and
    PlantUML answers with one text drawing (or a 'Syntax Error?' report) per block."""
    command = _plantuml()
    shared_path("corpus")
    names = [*_ids(CORPUS), *TEMPLATES, "sample"]
    docs = [to_plantuml(parser.parse(p.read_text(encoding="utf-8"))) for p in CORPUS]
    docs += [to_plantuml(parser.parse(template.expand(f"template: {n}\n"))) for n in TEMPLATES]
    docs.append(to_plantuml(parser.parse(SAMPLE)))
    sep = "@@MLSEQ-NEXT-DIAGRAM@@"
    result = subprocess.run(
        [command, "-pipe", "-ttxt", "-pipedelimitor", sep],
        input="".join(docs),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outputs = result.stdout.split(sep)
    assert len(outputs) == len(docs) + 1, result.stderr[-2000:]
    pairs = zip(names, outputs[:-1], strict=True)
    rejected = [name for name, out in pairs if "Syntax Error" in out]
    assert rejected == []
    assert result.returncode == 0, result.stderr[-2000:]


def test_plantuml_reports_what_it_rejects() -> None:
    """The check above can fail: PlantUML flags a broken block in the same batch mode."""
    command = _plantuml()
    sep = "@@MLSEQ-NEXT-DIAGRAM@@"
    result = subprocess.run(
        [command, "-pipe", "-ttxt", "-pipedelimitor", sep],
        input="@startuml\nA -> B : ok\n@enduml\n@startuml\nA -> B : ok\nfoo bar\n@enduml\n",
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert ["Syntax Error" in out for out in result.stdout.split(sep)][:2] == [False, True]


# --- from PlantUML ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a_small", "b_ml", "c_large"])
def test_import_peers_matches_their_mermaid(name: str) -> None:
    folder = shared_path("peers", "diagrams")
    imported = parser.parse(from_plantuml((folder / f"{name}.puml").read_text()))
    mermaid = parser.parse((folder / f"{name}.mmd").read_text())

    def key(d: Diagram) -> list[tuple[str, str, str, MessageKind]]:
        return [(m.source, m.target, m.text, m.kind) for m in d.messages]

    assert key(imported) == key(mermaid)
    assert [p.label for p in imported.participants] == [p.label for p in mermaid.participants]
    assert _nospan(imported).count("note ") == _nospan(mermaid).count("note ")


@pytest.mark.parametrize("path", CORPUS, ids=_ids(CORPUS))
def test_plantuml_round_trip_keeps_messages(path: Path) -> None:
    original = parser.parse(path.read_text(encoding="utf-8"))
    again = parser.parse(from_plantuml(to_plantuml(original)))

    def key(d: Diagram) -> list[tuple[str, str]]:
        # PlantUML always draws a head: mlseq's headless '->' comes back as a sync call.
        kinds = {MessageKind.LINE: MessageKind.SYNC}
        return [(m.text, kinds.get(m.kind, m.kind).value) for m in d.messages]

    assert key(again) == key(original)


PLANTUML = """\
@startuml
' a comment
/' a block
   comment '/
skinparam monochrome true
skinparam sequence {
  ArrowColor red
}
title Nightly retraining
hide footbox
actor "Data Scientist" as DS
box "Platform" #LightBlue
participant Orch as "Airflow: DAG"
database "Feature Store" as FS <<store>> #eee
end box
queue Events
participant loop
autonumber 10 5
== Training ==
DS -> Orch ++ : start run
Orch ->> FS : read features
FS --> Orch : features
Orch -[#red]>x Events : publish (lost)
Orch <- FS : pushed
Orch <-> DS : chat
DS -\\\\ Orch : half
note left : on the message
note over DS, Orch
  two
  lines
end note
rnote right of FS #yellow : hex note
alt AUC >= 0.85
  Orch -> loop : deploy
else failed
  Orch --> DS -- : rejected
end
par
  DS -> Orch : a
else
  DS -> Orch : b
end
group retries
  loop 3 times
    Orch -> FS : retry
  end
end
|||
... 2 hours later ...
...
Orch -> Worker ** : spawn
Worker --> Orch : done
destroy Worker
autonumber stop
@enduml
"""


def test_import_plantuml_subset() -> None:
    text = from_plantuml(PLANTUML)
    diagram = parser.parse(text)
    assert diagram.title == "Nightly retraining"
    assert diagram.config.mirror_actors is False
    assert [(p.id, p.label, p.kind.value) for p in diagram.participants] == [
        ("DS", "Data Scientist", "actor"),
        ("Orch", "Airflow: DAG", "participant"),
        ("FS", "Feature Store", "database"),
        ("Events", "Events", "queue"),
        ("loop_", "loop", "participant"),
        ("Worker", "Worker", "participant"),
    ]
    assert diagram.boxes[0].label == "Platform" and diagram.boxes[0].participants == (
        "Orch",
        "FS",
    )
    assert [(m.source, m.arrow, m.target, m.text, m.number) for m in diagram.messages] == [
        ("DS", "->>", "Orch", "start run", "10"),
        ("Orch", "-)", "FS", "read features", "15"),
        ("FS", "-->>", "Orch", "features", "20"),
        ("Orch", "-x", "Events", "publish (lost)", "25"),
        ("FS", "->>", "Orch", "pushed", "30"),
        ("Orch", "<<->>", "DS", "chat", "35"),
        ("DS", "-|\\", "Orch", "half", "40"),
        ("Orch", "->>", "loop_", "deploy", "45"),
        ("Orch", "-->>", "DS", "rejected", "50"),
        ("DS", "->>", "Orch", "a", "55"),
        ("DS", "->>", "Orch", "b", "60"),
        ("Orch", "->>", "FS", "retry", "65"),
        ("Orch", "->>", "Worker", "spawn", "70"),
        ("Worker", "-->>", "Orch", "done", "75"),
    ]
    dumped = _nospan(diagram)
    for expected in [
        "activate Orch via-message",
        "deactivate Orch via-message",
        'note left of DS "on the message"',
        'note over DS,Orch "two\\nlines"',
        'note right of FS "hex note"',
        'fragment alt "AUC >= 0.85" depth=0',
        'section else "failed" depth=0',
        'fragment par "" depth=0',
        'section and "" depth=0',
        'fragment rect "" color=transparent depth=0',
        'fragment loop "3 times" depth=1',
        'divider "Training"',
        'delay "2 hours later"',
        'delay ""',
        "create Worker",
        "destroy Worker",
        "autonumber off",
    ]:
        assert expected in dumped, expected
    assert "%% PlantUML group: retries" in text
    # mlseq, like Mermaid, marks the message that ends a lifeline.
    assert text.index("destroy Worker") < text.index("Worker-->>Orch: done")


@pytest.mark.parametrize(
    ("source", "line", "needle"),
    [
        ("@startuml\nA -> B : x\nreturn done\n@enduml\n", 3, "'return' is not supported"),
        ("@startuml\n[-> A : in\n@enduml\n", 2, "incoming and outgoing"),
        ("@startuml\nA -> B\nref over A : x\n@enduml\n", 3, "'ref' is not supported"),
        ("@startuml\nloop x\nA -> B\nelse y\nend\n@enduml\n", 4, "'else' inside 'loop'"),
        ("@startuml\nalt x\nA -> B\n@enduml\n", 4, "never closed"),
        ("@startuml\nnote over A\nnever closed\n", 2, "end note"),
        ("@startuml\n!include foo.puml\n@enduml\n", 2, "'!include' is not supported"),
        ("@startuml\nend\n@enduml\n", 2, "'end' without a block"),
        ("@startuml\nparticipant A foo\n@enduml\n", 2, "unexpected 'foo'"),
        ("@startuml\nA => B : x\n@enduml\n", 2, "cannot read this PlantUML line"),
    ],
)
def test_import_errors_are_located(source: str, line: int, needle: str) -> None:
    with pytest.raises(MlseqError) as info:
        from_plantuml(source)
    assert info.value.line == line
    assert needle in str(info.value)


# --- the command ----------------------------------------------------------------------


def test_cli_convert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tmp_path / "d.mmd"
    src.write_text("participant A as Alice\nA->>B: hi #35;1\n")
    assert main(["convert", "--to", "mermaid", str(src)]) == 0
    assert capsys.readouterr().out == (
        "sequenceDiagram\nparticipant A as Alice\nA->>B: hi #35;1\n"
    )
    assert main(["convert", "--to", "plantuml", str(src)]) == 0
    assert 'participant "Alice" as A\nparticipant B\nA -> B : hi #1\n' in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("@startuml\nA -> B : hi\n@enduml\n"))
    assert main(["convert", "--from", "plantuml", "-"]) == 0
    assert capsys.readouterr().out == "sequenceDiagram\nA->>B: hi\n"


def test_cli_convert_expands_templates_and_reports_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = tmp_path / "call.mlseq"
    call.write_text("template: ml-workflow\n")
    assert main(["convert", "--to", "mermaid", str(call)]) == 0
    out = capsys.readouterr().out
    assert "%% mlseq: == Training == (a stage divider; Mermaid has none)" in out
    bad = tmp_path / "bad.mmd"
    bad.write_text("A->>B: x\nloop forever\n")
    assert main(["convert", "--to", "plantuml", str(bad)]) == 1
    assert capsys.readouterr().err.startswith(f"{bad}:2:")
    puml = tmp_path / "x.puml"
    puml.write_text("@startuml\nA -> B\nreturn x\n@enduml\n")
    assert main(["convert", "--from", "plantuml", str(puml)]) == 1
    assert capsys.readouterr().err.startswith(f"{puml}:3:1: 'return' is not supported")
