"""The Python-Markdown extension ``mlseq`` and the fence helpers, without MkDocs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import markdown
import pytest
from mlseq import MlseqError

from mkdocs_mlseq.fence import check_options, find_fences, parse_info
from mkdocs_mlseq.renderer import markdown_offset

LOGGER = "mkdocs.plugins.mlseq"


def convert(text: str, **config: object) -> str:
    extensions: list[object] = ["mlseq"]
    configs = {"mlseq": config} if config else {}
    return markdown.markdown(text, extensions=extensions, extension_configs=configs)


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def test_plain_fence_becomes_inline_svg_in_a_search_excluded_div() -> None:
    html = convert("Intro\n\n```mlseq\nTrainer->>Registry: register v7\n```\n")
    assert '<div class="mlseq" data-search-exclude><svg' in html
    (svg,) = svgs(html)
    assert 'role="img"' in svg
    assert "register v7" in svg
    assert "<p><div" not in html and "<pre" not in html


def test_stylesheet_added_once_per_page_and_can_be_turned_off() -> None:
    text = "```mlseq\nA->>B: one\n```\n\n```mlseq\nA->>B: two\n```\n"
    html = convert(text)
    assert html.count("<style>") == 1
    assert "[data-md-color-scheme=slate] svg.mlseq" in html
    assert "<style>" not in convert(text, stylesheet=False)


def test_fences_nested_in_list_and_blockquote_and_not_inside_other_code() -> None:
    text = (
        "- step\n\n    ```mlseq\n    A->>B: in list\n    ```\n\n"
        "> ```mlseq\n> A->>B: in quote\n> ```\n\n"
        "````markdown\n```mlseq\nA->>B: just an example\n```\n````\n"
    )
    html = convert(text)
    assert len(svgs(html)) == 2
    assert "<li>" in html and "<blockquote>" in html
    assert re.search(r"<li>.*<svg.*in list.*</li>", html, flags=re.S)
    assert re.search(r"<blockquote>.*<svg.*in quote.*</blockquote>", html, flags=re.S)
    # the example inside the outer fence stays code, untouched
    assert "```mlseq\nA-&gt;&gt;B: just an example\n```" in html


def test_options_in_any_order_and_both_syntaxes() -> None:
    html = convert(
        '```mlseq align=right caption="The nightly run" title=\'Nightly\' legend '
        "mirror-actors=false\nA->>B: go\n```\n"
    )
    assert '<figure class="mlseq-figure mlseq-align-right">' in html
    assert "<figcaption>The nightly run</figcaption>" in html
    assert "<title" in html and ">Nightly</title>" in html
    html = convert('```mlseq {title="Attr" .wide #train-flow}\nA->>B: go\n```\n')
    assert '<div class="mlseq wide" id="train-flow" data-search-exclude>' in html
    assert ">Attr</title>" in html


@pytest.mark.parametrize(
    ("info", "message"),
    [
        ("titel=x", "unknown fence option 'titel' (did you mean 'title'?)"),
        ("align=middle", "option 'align' expects one of left, center, right, got 'middle'"),
        ("theme=drak", "unknown theme 'drak'"),
        ('title="open', "cannot read fence option"),
        ("font-size=huge", "option 'font_size' expects a number"),
    ],
)
def test_bad_fence_options_are_reported_at_the_fence_line(
    info: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        html = convert(f"# Page\n\n```mlseq {info}\nA->>B: go\n```\n")
    assert 'class="mlseq-error"' in html
    assert "<svg" not in html
    (record,) = [r for r in caplog.records if r.name == LOGGER]
    assert record.getMessage().startswith("line 3: mlseq: ")
    assert message in record.getMessage()


def test_diagram_error_names_the_markdown_line_and_shows_a_box(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = "# Page\n\ntext\n\n```mlseq\nA->>B: fine\nthis is no statement\n```\n\nafter\n"
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        html = convert(text)
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert len(messages) == 1
    assert messages[0].startswith("line 7: mlseq: cannot read 'this is no statement'")
    assert '<div class="mlseq-error" role="alert">' in html
    assert "<p>after</p>" in html


def test_identical_diagrams_on_one_page_get_distinct_ids() -> None:
    block = "```mlseq\nA->>B: same\n```\n\n"
    html = convert(block * 3)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(svgs(html)) == 3
    assert len(ids) == len(set(ids)), ids
    # references follow their renamed targets
    for svg in svgs(html):
        own = re.search(r'<svg[^>]*\sid="([^"]+)"', svg)
        assert own is not None
        for ref in re.findall(r'url\(#([^)]+)\)|aria-labelledby="([^"]+)"', svg):
            for name in " ".join(ref).split():
                assert name.startswith(own.group(1))


def test_template_call_in_a_fence() -> None:
    html = convert("```mlseq\ntemplate: ml-workflow\n```\n")
    (svg,) = svgs(html)
    assert svg.count("<text") > 10


def test_extension_options_reach_the_drawing() -> None:
    html = convert("```mlseq\nA->>B: x\n```\n", theme="dark", stylesheet=False)
    assert "--mlseq-bg:#1a1d23" in html  # the dark theme's colours, scoped to the diagram
    with pytest.raises(ValueError, match="unknown theme 'nope'"):
        convert("```mlseq\nA->>B: x\n```\n", theme="nope")


def test_find_fences_and_parse_info() -> None:
    lines = ["text", "  ```mlseq a=1", "  A->>B: x", "", "  ```", "~~~python", "```mlseq", "~~~"]
    (first, second) = list(find_fences(lines))
    assert (first.start, first.end, first.prefix, first.language) == (1, 4, "  ", "mlseq")
    assert first.body == ("A->>B: x", "")
    assert second.language == "python"
    assert parse_info('a=1 b="two words" c=\'x\' flag') == {
        "a": "1", "b": "two words", "c": "x", "flag": "flag"
    }
    checked = check_options({"mirror-actors": "mirror-actors", "caption": "c"})
    assert checked.render == {"mirror_actors": "true"}
    assert checked.placement.caption == "c"
    with pytest.raises(MlseqError) as err:
        check_options({"captoin": "x"})
    assert err.value.hint == "did you mean 'caption'?"


@pytest.mark.parametrize(
    ("raw", "content", "offset"),
    [
        ("# A\n", "# A\n", 0),
        ("---\ntitle: x\n---\n# A\n\ntext\n", "# A\n\ntext\n", 3),
        ("---\ntitle: x\n---\n\n# A\n", "# A\n\n\n", 4),  # converter added blank lines
        ("title: x\n\n# A\nbody\n", "# A\nbody", 2),
    ],
)
def test_front_matter_offset(raw: str, content: str, offset: int) -> None:
    assert markdown_offset(raw, content) == offset


def test_zensical_page_context_gives_page_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = pytest.importorskip("zensical.extensions.context")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    content = "# Z\n\n```mlseq\nA->>B: ok\nbad line here\n```\n"
    (tmp_path / "docs" / "page.md").write_text("---\ntitle: x\n---\n" + content)
    page = context.Page(url="page/", path="page.md")
    extension = context.ContextExtension(page=page, config={"docs_dir": "docs"})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        markdown.markdown(content, extensions=[extension, "mlseq", "pymdownx.superfences"])
    (message,) = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert message.startswith("docs/page.md:8: mlseq: ")


LINT_TEXT = "# Page\n\n```mlseq\nA->>B: clean, train and deploy\n```\n"


def test_lint_is_opt_in_and_reports_the_markdown_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        convert(LINT_TEXT)
    assert [r for r in caplog.records if r.name == LOGGER] == []
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        html = convert(LINT_TEXT, lint=True)
    messages = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert [" ".join(m.split()[:4]) for m in messages] == [
        "line 4: mlseq: ML002", "line 4: mlseq: ML005"]
    assert len(svgs(html)) == 1


def test_lint_mapping_and_fence_switch(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        convert(LINT_TEXT, lint={"ignore": ["ML002", "ML005"]})
        convert(LINT_TEXT.replace("```mlseq", "```mlseq lint=false"), lint=True)
    assert [r for r in caplog.records if r.name == LOGGER] == []
    with pytest.raises(ValueError, match="unknown lint rule 'ML999'"):
        convert(LINT_TEXT, lint={"select": ["ML999"]})


def test_max_width_option_and_fence_option() -> None:
    wide = "".join(f"participant P{i} as Service number {i}\n" for i in range(8)) + "".join(
        f"P{i}->>P{i + 1}: a long label that the default wrap width keeps on one line {i}\n"
        for i in range(7))

    def width(html: str) -> float:
        return float(re.search(r'<svg\b[^>]*?\bwidth="([0-9.]+)"', html).group(1))  # type: ignore[union-attr]

    fitted = width(convert(f"```mlseq\n{wide}```\n"))
    free = width(convert(f"```mlseq\n{wide}```\n", max_width=0))
    assert fitted < free  # the default 800 made it wrap more (8 heads never fit 800 px)
    assert width(convert(f"```mlseq max-width=0\n{wide}```\n")) == free
