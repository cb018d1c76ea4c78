"""The `mlseq` command as a user runs it: exit codes, file:line:col reports, outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from mlseq.cli import main

GOOD = "participant Trainer\nparticipant Registry\nTrainer->>Registry: register v7\n"
BAD = "Trainer->>Registry: register v7\nloop every hour\nTrainer->>Registry: ping\n"


def test_render_to_file(tmp_path: Path) -> None:
    src = tmp_path / "d.mmd"
    src.write_text(GOOD)
    out = tmp_path / "d.svg"
    assert main(["render", str(src), "-o", str(out)]) == 0
    svg = out.read_text()
    assert svg.startswith("<svg")
    assert "register v7" in svg


def test_render_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD))
    assert main(["render", "-", "--theme", "dark"]) == 0
    assert "<svg" in capsys.readouterr().out


def test_render_error_is_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.mmd"
    src.write_text(BAD)
    assert main(["render", str(src)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{src}:2:")
    assert "Traceback" not in err


def test_render_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "/no/such/file.mmd"]) == 1
    assert "cannot read /no/such/file.mmd" in capsys.readouterr().err


def test_bad_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "d.mmd"
    src.write_text(GOOD)
    assert main(["render", str(src), "--set", "mirror_actor=false"]) == 1
    assert "did you mean 'mirror_actors'" in capsys.readouterr().err


def test_check_reports_page_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "ok.mmd").write_text(GOOD)
    (docs / "page.md").write_text("# Title\n\ntext\n\n```mlseq\n" + BAD + "```\n")
    (docs / "page.rst").write_text(
        "Title\n=====\n\n.. mlseq::\n   :caption: x\n\n   "
        + "\n   ".join(BAD.splitlines())
        + "\n\n.. mlseq:: missing.mmd\n"
    )
    assert main(["check", str(docs)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{docs / 'page.md'}:7:") for line in err), err
    assert any(line.startswith(f"{docs / 'page.rst'}:8:") for line in err), err
    assert any(line.startswith(f"{docs / 'page.rst'}:11:") and "missing.mmd" in line
               and "No such file" in line for line in err), err
    assert err[-1] == "checked 3 diagrams: 3 problems"


def test_check_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.mmd").write_text(GOOD)
    assert main(["check", str(tmp_path)]) == 0
    assert "checked 1 diagram: no problems" in capsys.readouterr().err


def test_expand_plain_text_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "d.mmd"
    src.write_text(GOOD)
    assert main(["expand", str(src)]) == 0
    assert capsys.readouterr().out == GOOD


def test_templates_lists_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "ml-workflow" in out
    assert "tfx" in out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "render" in capsys.readouterr().out
