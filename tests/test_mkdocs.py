"""MkDocs, ProperDocs and Zensical: real sites built in temporary folders."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import mlseq
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from mkdocs_mlseq.plugin import MlseqPlugin

LOGGER = "mkdocs.plugins.mlseq"
BIN = Path(sys.executable).parent

BROKEN_PAGE = """\
---
title: Training
tags: [ml]
---
# Training

The nightly run:

```mlseq title="Nightly"
Scheduler-)Trainer: start run
Trainer->>Registry: register v7
Trainer->>Registry: promote
this line is no statement
```
"""
BROKEN_LINE = 13  # "this line is no statement", counted in the file with its front matter


def make_site(root: Path, config: str, pages: dict[str, str]) -> Path:
    (root / "mkdocs.yml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in pages.items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build_site(root: Path, *, strict: bool = False) -> MlseqPlugin | None:
    """Build like `mkdocs build` does; returns the site's mlseq plugin, if any."""
    config = load_config(str(root / "mkdocs.yml"), strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    plugin = config.plugins.get("mlseq")
    return plugin if isinstance(plugin, MlseqPlugin) else None


def page(root: Path, name: str = "index.html") -> str:
    return (root / "site" / name).read_text(encoding="utf-8")


def svg_ids(html: str) -> list[str]:
    return re.findall(r'<svg\b[^>]*\sid="([^"]+)"', html)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == LOGGER and r.levelno >= logging.WARNING]


PLUGIN_SITE = """\
    site_name: Handbook
    markdown_extensions:
      - admonition
      - pymdownx.details
      - pymdownx.superfences
      - pymdownx.tabbed:
          alternate_style: true
    plugins:
      - mlseq
"""


def plugin_site(**options: str) -> str:
    """PLUGIN_SITE with options under the mlseq plugin."""
    lines = "".join(f"          {key}: {value}\n" for key, value in options.items())
    return PLUGIN_SITE.replace("  - mlseq\n", "  - mlseq:\n" + lines)

NESTED_PAGE = """\
# Nested

!!! note "In an admonition"

    ```mlseq title="Admonition diagram"
    Alice->>Bob: in admonition
    ```

=== "First tab"

    ```mlseq caption="Tabbed diagram"
    Alice->>Bob: in first tab
    ```

=== "Second tab"

    ??? tip "Details inside a tab"

        ```mlseq theme=dark mirror-actors=false
        Alice->>Bob: in details in tab
        ```

1. A list item

    ```mlseq
    Alice->>Bob: in list
    ```
"""


def test_plugin_superfences_admonition_tabs_details_list(tmp_path: Path) -> None:
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": NESTED_PAGE})
    build_site(root, strict=True)
    html = page(root)
    for label in ("in admonition", "in first tab", "in details in tab", "in list"):
        assert re.search(rf"<svg\b[^>]*>(?:(?!</svg>).)*{label}", html, flags=re.S), label
    assert re.search(r'class="admonition note".*?<div class="mlseq" data-search-exclude><svg',
                     html, flags=re.S)
    assert re.search(r'class="tabbed-block".*?<figure class="mlseq-figure">.*?'
                     r"<figcaption>Tabbed diagram</figcaption>", html, flags=re.S)
    assert "<pre" not in html  # no fence fell back to a code block
    assert "mlseq-error" not in html
    # the stylesheet is shipped once for the site, not per page
    assert re.search(r'<link[^>]*href="assets/mlseq.css"', html)
    assert "<style>svg.mlseq" not in html
    assert "svg.mlseq" in (root / "site" / "assets" / "mlseq.css").read_text()


def test_superfences_configured_by_hand_without_plugin(tmp_path: Path) -> None:
    config = """\
        site_name: Handbook
        markdown_extensions:
          - admonition
          - pymdownx.details
          - pymdownx.tabbed
          - mlseq
          - pymdownx.superfences:
              custom_fences:
                - name: mlseq
                  class: mlseq
                  format: !!python/name:mkdocs_mlseq.fence.formatter
                  validator: !!python/name:mkdocs_mlseq.fence.validator
    """
    root = make_site(tmp_path, config, {"index.md": NESTED_PAGE})
    build_site(root, strict=True)
    html = page(root)
    assert len(svg_ids(html)) == 4
    assert html.count("<style>svg.mlseq") == 1  # the extension adds it once per page


def test_plain_extension_without_superfences(tmp_path: Path) -> None:
    config = """\
        site_name: Handbook
        markdown_extensions:
          - admonition
          - mlseq:
              theme: forest
    """
    text = "# Plain\n\n!!! note\n\n    ```mlseq\n    A->>B: plain\n    ```\n"
    root = make_site(tmp_path, config, {"index.md": text})
    build_site(root, strict=True)
    html = page(root)
    assert re.search(r'class="admonition note".*?<div class="mlseq" data-search-exclude><svg',
                     html, flags=re.S)


def test_strict_build_fails_with_page_and_line(tmp_path: Path) -> None:
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": "# Home\n",
                                             "guide/training.md": BROKEN_PAGE})
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=root, capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    expected = (
        f"WARNING -  docs/guide/training.md:{BROKEN_LINE}: mlseq: cannot read "
        "'this line is no statement' as a statement"
    )
    assert expected in result.stderr, result.stderr
    assert "Aborted with 1 warnings in strict mode!" in result.stdout + result.stderr


def test_without_strict_the_page_shows_an_error_box_and_the_rest_builds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pages = {"index.md": "# Home\n\n```mlseq\nA->>B: fine\n```\n",
             "guide/training.md": BROKEN_PAGE}
    root = make_site(tmp_path, PLUGIN_SITE, pages)
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root)
    assert warnings(caplog) == [
        f"docs/guide/training.md:{BROKEN_LINE}: mlseq: cannot read 'this line is no "
        "statement' as a statement (a message reads 'A->>B: text')"
    ]
    broken = page(root, "guide/training/index.html")
    assert '<div class="mlseq-error" role="alert">' in broken
    assert f"docs/guide/training.md:{BROKEN_LINE}" in broken
    assert "<pre class=\"mlseq-error-source\">this line is no statement</pre>" in broken
    assert len(svg_ids(page(root))) == 1


def test_strict_in_process_raises_abort(tmp_path: Path) -> None:
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": BROKEN_PAGE})
    with pytest.raises(Abort, match="1 warnings in strict mode"):
        build_site(root, strict=True)


def test_bad_fence_option_reported_at_the_fence_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = "---\ntitle: x\n---\n\n# Options\n\n```mlseq captoin=\"Nightly\"\nA->>B: x\n```\n"
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": text})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root)
    assert warnings(caplog) == [
        "docs/index.md:7: mlseq: unknown fence option 'captoin' (did you mean 'caption'?)"
    ]


def test_three_diagrams_on_a_page_have_distinct_ids(tmp_path: Path) -> None:
    same = "```mlseq\nA->>B: same\n```\n\n"
    text = "# Three\n\n" + same + "```mlseq\nA->>C: other\n```\n\n" + same
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": text})
    build_site(root, strict=True)
    html = page(root)
    ids = svg_ids(html)
    assert len(ids) == 3
    all_ids = re.findall(r'\sid="([^"]+)"', html)
    diagram_ids = [i for i in all_ids if any(i.startswith(s) for s in ids)]
    assert len(diagram_ids) == len(set(diagram_ids))


def test_material_slate_palette_and_search_exclusion(tmp_path: Path) -> None:
    config = """\
        site_name: Handbook
        theme:
          name: material
          palette:
            - scheme: default
              toggle: {icon: material/brightness-7, name: Dark mode}
            - scheme: slate
              toggle: {icon: material/brightness-4, name: Light mode}
          features: [navigation.instant]
        markdown_extensions:
          - pymdownx.superfences
        plugins:
          - search
          - mlseq
    """
    text = ("# Pipeline\n\nSearchable prose about zebrafish.\n\n"
            '```mlseq caption="Quokka caption"\nQuokkaService->>Registry: wombat\n```\n')
    root = make_site(tmp_path, config, {"index.md": text})
    build_site(root, strict=True)
    html = page(root)
    assert 'data-md-color-scheme="default"' in html
    assert "assets/mlseq.css" in html
    css = (root / "site" / "assets" / "mlseq.css").read_text()
    assert "[data-md-color-scheme=slate] svg.mlseq" in css
    assert "[data-md-color-scheme=default] svg.mlseq" in css
    index = json.loads((root / "site" / "search" / "search_index.json").read_text())
    text_indexed = " ".join(doc["text"] for doc in index["docs"])
    assert "zebrafish" in text_indexed and "Quokka caption" in text_indexed
    assert "wombat" not in text_indexed and "QuokkaService" not in text_indexed
    assert "wombat" in html  # still in the page, inside the SVG


def test_builtin_search_indexes_the_page_without_the_diagrams(tmp_path: Path) -> None:
    config = PLUGIN_SITE.replace("      - mlseq\n", "      - search\n      - mlseq\n")
    text = ("# Pipeline\n\nProse about zebrafish.\n\n"
            '```mlseq caption="Quokka caption"\nQuokkaService->>Registry: wombat\n```\n\n'
            "After the diagram.\n")
    root = make_site(tmp_path, config, {"index.md": text})
    build_site(root, strict=True)
    index = json.loads((root / "site" / "search" / "search_index.json").read_text())
    indexed = " ".join(doc["text"] for doc in index["docs"])
    assert "zebrafish" in indexed and "Quokka caption" in indexed and "After the" in indexed
    assert "wombat" not in indexed and "QuokkaService" not in indexed
    html = page(root)  # the page itself still has the whole diagram
    assert len(svg_ids(html)) == 1 and ">wombat</text>" in html


HELLO_TEMPLATE = """\
name: hello
description: A two-step greeting
participants:
  a: {id: A, label: Alpha}
  b: {id: B, label: Beta}
params:
  title: Hello
stages:
  - name: one
    title: One
    steps:
      - |
        {a}->>{b}: greeting version one
"""
"""A team template with one step (its text is what the cache tests edit)."""


def test_cache_across_rebuilds_and_template_edits(tmp_path: Path) -> None:
    templates = tmp_path / "team-templates"
    templates.mkdir()
    template = templates / "hello.yaml"
    template.write_text(HELLO_TEMPLATE, encoding="utf-8")
    config = plugin_site(template_dirs="[team-templates]")
    pages = {
        "index.md": "# A\n\n```mlseq\nA->>B: one\n```\n\n```mlseq\nA->>B: two\n```\n",
        "team.md": "# Team\n\n```mlseq\ntemplate: hello\n```\n",
    }
    root = make_site(tmp_path, config, pages)
    plugin = build_site(root, strict=True)
    assert plugin is not None and plugin.renderer is not None
    renderer = plugin.renderer
    assert "greeting version one" in page(root, "team/index.html")
    renders, hits = renderer.renders, renderer.cache_hits

    again = build_site(root, strict=True)
    assert again is plugin  # MkDocs keeps the plugin (and its cache) across rebuilds
    assert (renderer.renders - renders, renderer.cache_hits - hits) == (0, 3)

    # a team template edit must redraw (and only the page that uses it changes)
    template.write_text(template.read_text().replace("version one", "version two"))
    os.utime(template, ns=(1, 1))
    build_site(root, strict=True)
    assert "greeting version two" in page(root, "team/index.html")


def test_max_width_plugin_option(tmp_path: Path) -> None:
    wide = "".join(f"participant P{i} as Service number {i}\n" for i in range(8)) + "".join(
        f"P{i}->>P{i + 1}: a long label that the default wrap width keeps on one line {i}\n"
        for i in range(7))
    pages = {"index.md": f"# A\n\n```mlseq\n{wide}```\n"}
    widths = []
    for value in ("800", "0"):
        (tmp_path / value).mkdir()
        root = make_site(tmp_path / value, plugin_site(max_width=value, cache="false"), pages)
        build_site(root)
        widths.append(float(re.search(r'<svg\b[^>]*?\bwidth="([0-9.]+)"',  # type: ignore[union-attr]
                                      page(root)).group(1)))
    free = mlseq.layout.layout(mlseq.parse(wide), mlseq.RenderOptions(max_width=0)).width
    assert widths[1] == pytest.approx(free, abs=0.1)
    assert widths[0] < widths[1]


@pytest.mark.parametrize(("theme", "setting", "follows_system"), [
    ("readthedocs", None, False),  # no dark mode: the page stays light, so do diagrams
    ("mkdocs", None, True),        # switches with data-bs-theme, and the system
    ("readthedocs", "true", True),
])
def test_system_dark_follows_the_site_theme(tmp_path: Path, theme: str, setting: str | None,
                                            follows_system: bool) -> None:
    config = plugin_site(**({"system_dark": setting} if setting else {}))
    config = config.replace("site_name: Handbook\n", f"site_name: Handbook\n    theme: {theme}\n")
    page_text = "# A\n\n```mlseq theme=forest\nA->>B: x\n```\n"
    root = make_site(tmp_path, config, {"index.md": page_text})
    build_site(root)
    css = (root / "site" / "assets" / "mlseq.css").read_text(encoding="utf-8")
    for text in (css, page(root)):
        assert ("prefers-color-scheme:dark" in text) is follows_system
    assert "html[data-bs-theme=dark] svg.mlseq" in css


def test_template_dirs_are_watched(tmp_path: Path) -> None:
    (tmp_path / "tpl").mkdir()
    root = make_site(tmp_path, plugin_site(template_dirs="[tpl]"), {"index.md": "# A\n"})
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_config(config)
    assert str(tmp_path / "tpl") in config.watch


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"theme": "drak"}, "Config value 'plugins': Plugin 'mlseq' option 'theme': Expected one "
                            "of: ('default', 'neutral', 'dark', 'forest') but received: 'drak'"),
        ({"font_size": "0.1"}, "mlseq plugin options: option 'font_size' expects a number "
                               "between 4 and 4000"),
        ({"max_width": "50"}, "mlseq plugin options: option 'max_width' expects 0 (no limit) "
                              "or a width between 100 and 100000"),
    ],
)
def test_plugin_option_errors_stop_the_build(
    tmp_path: Path, options: dict[str, str], message: str
) -> None:
    root = make_site(tmp_path, plugin_site(**options), {"index.md": "# A\n"})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 1
    assert message in result.stdout + result.stderr



# Lint (opt-in) -----------------------------------------------------------------------------

LINT_PAGE = """\
---
title: Lint
---
# Lint

```mlseq
participant Pipeline
participant Trainer
Pipeline->>Trainer: clean, train and deploy
Trainer-->>Pipeline: done
```

- In a list:

    ```mlseq no-lint
    participant Pipeline
    participant Trainer
    Pipeline->>Trainer: clean, train and deploy
    Trainer-->>Pipeline: done
    ```

```mlseq
participant Data
participant Orphan
Data->>Data: validate schema
```
"""
# (rule, line in the page file, front matter included)
LINT_FINDINGS = [("ML002", 9), ("ML005", 9), ("ML008", 24)]


def lint_messages(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int]]:
    found = []
    for message in warnings(caplog):
        match = re.match(r"docs/index\.md:(\d+): mlseq: (ML\d{3}) ", message)
        assert match, message
        found.append((match[2], int(match[1])))
    return found


def test_lint_is_off_by_default(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": LINT_PAGE})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root, strict=True)
    assert warnings(caplog) == []
    assert len(svg_ids(page(root))) == 3


def test_lint_findings_at_page_lines_and_strict_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_site(tmp_path, plugin_site(lint="true"), {"index.md": LINT_PAGE})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        plugin = build_site(root)
    assert lint_messages(caplog) == LINT_FINDINGS
    assert any(m.startswith("docs/index.md:9: mlseq: ML005 'clean, train and deploy' chains")
               for m in warnings(caplog))
    assert plugin is not None and plugin.renderer is not None
    assert plugin.renderer.findings == 3
    assert len(svg_ids(page(root))) == 3 and "mlseq-error" not in page(root)
    with pytest.raises(Abort, match="3 warnings in strict mode"):
        build_site(root, strict=True)


def test_lint_rules_chosen_in_mkdocs_yml(tmp_path: Path,
                                         caplog: pytest.LogCaptureFixture) -> None:
    config = plugin_site(lint="{ignore: [ML002, ML008]}")
    root = make_site(tmp_path, config, {"index.md": LINT_PAGE})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root)
    assert lint_messages(caplog) == [("ML005", 9)]


def test_lint_fence_option_turns_one_block_on(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    text = LINT_PAGE.replace("```mlseq no-lint", "```mlseq lint")
    root = make_site(tmp_path, PLUGIN_SITE, {"index.md": text})
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        build_site(root)
    assert lint_messages(caplog) == [("ML002", 18), ("ML005", 18)]


def test_bad_lint_option_stops_the_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, plugin_site(lint="{ignor: [ML005]}"), {"index.md": "# A\n"})
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 1
    assert "mlseq plugin option lint: unknown lint option 'ignor'" in (
        result.stdout + result.stderr)


# ProperDocs ------------------------------------------------------------------------------


def test_properdocs_builds_with_the_plugin(tmp_path: Path) -> None:
    if importlib.util.find_spec("properdocs") is None:
        pytest.skip("properdocs is not installed")
    config = PLUGIN_SITE.replace("site_name: Handbook", "site_name: Handbook\n    theme: material")
    root = make_site(tmp_path, config, {"index.md": NESTED_PAGE,
                                        "guide/training.md": BROKEN_PAGE})
    (root / "mkdocs.yml").rename(root / "properdocs.yml")
    cli = [str(BIN / "properdocs"), "build"]
    result = subprocess.run([*cli, "--strict"], cwd=root, capture_output=True, text=True,
                            check=False, timeout=120)
    assert result.returncode == 1
    assert (f"WARNING -  docs/guide/training.md:{BROKEN_LINE}: mlseq: cannot read "
            "'this line is no statement'") in result.stderr
    result = subprocess.run(cli, cwd=root, capture_output=True, text=True, check=False,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    html = page(root)
    assert len(svg_ids(html)) == 4
    assert (root / "site" / "assets" / "mlseq.css").is_file()


# Zensical --------------------------------------------------------------------------------

ZENSICAL_TOML = """\
[project]
site_name = "Handbook"
docs_dir = "docs"
site_dir = "site"

[project.markdown_extensions.admonition]
[project.markdown_extensions.mlseq]
[project.markdown_extensions.pymdownx.details]
[project.markdown_extensions.pymdownx.tabbed]
alternate_style = true
[[project.markdown_extensions.pymdownx.superfences.custom_fences]]
name = "mlseq"
class = "mlseq"
format = "mkdocs_mlseq.fence.formatter"
validator = "mkdocs_mlseq.fence.validator"
"""


def test_zensical_config_is_valid_toml_naming_our_functions() -> None:
    import importlib

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads(ZENSICAL_TOML)["project"]
    extensions = project["markdown_extensions"]
    assert "mlseq" in extensions
    (fence,) = extensions["pymdownx"]["superfences"]["custom_fences"]
    for key in ("format", "validator"):
        module, name = fence[key].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), name))


def test_zensical_builds_with_the_extension(tmp_path: Path) -> None:
    zensical = shutil.which("zensical", path=str(BIN)) or shutil.which("zensical")
    if zensical is None:
        pytest.skip("zensical is not installed")
    (tmp_path / "zensical.toml").write_text(ZENSICAL_TOML, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(NESTED_PAGE, encoding="utf-8")
    result = subprocess.run([zensical, "build"], cwd=tmp_path, capture_output=True,
                            text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert len(svg_ids(html)) == 4  # in an admonition, tabs, details in a tab, a list
    assert html.count('<svg aria-labelledby=') == 4
    # Zensical honours data-search-exclude (and drops it): no diagram text in the index
    index = (tmp_path / "site" / "search.json").read_text(encoding="utf-8")
    assert "Nested" in index and "in admonition" not in index and "<svg" not in index
