"""Sphinx extension: ``.. mlseq::`` sequence diagrams drawn at build time.

Add ``"sphinx_mlseq"`` to ``extensions`` in conf.py. See docs/sphinx.md.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import mlseq
from mlseq import MlseqError
from sphinx.errors import ConfigError

from . import cache, writers
from .directive import Mlseq, config_options, lint_config
from .nodes import mlseq_diagram

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

__all__ = ["Mlseq", "mlseq_diagram", "setup"]


def on_config_inited(app: Sphinx, config: Config) -> None:
    """Resolve template folders against the conf.py folder and check every value now,
    so a typo in conf.py fails the build once, not once per diagram."""
    config.mlseq_template_dirs = tuple(
        os.path.normpath(os.path.join(app.confdir, folder))
        for folder in config.mlseq_template_dirs
    )
    try:
        config_options(config)
        lint_config(config.mlseq_lint)
    except MlseqError as error:
        message = error.message + (f" ({error.hint})" if error.hint else "")
        raise ConfigError(f"mlseq: conf.py: {message}") from None


def on_builder_inited(app: Sphinx) -> None:
    domain = cache.domain_of(app.env)
    domain.output_kind = cache.kind_for_format(app.builder.format)
    # Hashed once per build: the code, the template folders' contents.
    domain.inputs = cache.BuildInputs.collect(app.config, app.builder.name)
    writers.write_support_files(app)


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str],
                        changed: set[str], removed: set[str]) -> list[str]:
    # Documents whose drawings a new mlseq or a template edit Sphinx cannot see changed.
    # Hashed again here: one application may build more than once (sphinx.testing).
    domain = cache.domain_of(env)
    domain.inputs = cache.BuildInputs.collect(app.config, app.builder.name)
    return domain.stale_docs()


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    cache.domain_of(env).prune()
    return []


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_node(
        mlseq_diagram,
        html=(writers.html_visit_mlseq, None),
        latex=(writers.latex_visit_mlseq, None),
    )
    app.add_directive("mlseq", Mlseq)
    app.add_domain(cache.MlseqDomain)
    app.add_post_transform(writers.TranscriptTransform)

    # 'env': documents are read again (and their diagrams redrawn) when these change.
    app.add_config_value("mlseq_theme", "default", "env", types=frozenset({str}))
    app.add_config_value(
        "mlseq_template_dirs", (), "env", types=frozenset({list, tuple})
    )
    app.add_config_value("mlseq_font_size", 14.0, "env", types=frozenset({int, float}))
    app.add_config_value("mlseq_mirror_actors", True, "env", types=frozenset({bool}))
    app.add_config_value("mlseq_wrap_width", 240.0, "env", types=frozenset({int, float}))
    app.add_config_value("mlseq_max_width", 800.0, "env", types=frozenset({int, float}))
    app.add_config_value("mlseq_legend", False, "env", types=frozenset({bool}))
    # None: follow prefers-color-scheme unless the HTML theme has no dark mode.
    app.add_config_value("mlseq_system_dark", None, "env",
                         types=frozenset({bool, type(None)}))
    app.add_config_value("mlseq_limits", {}, "env", types=frozenset({dict}))
    # Off by default: lint findings are warnings, and -W would fail existing builds.
    app.add_config_value(
        "mlseq_lint", None, "env", types=frozenset({bool, dict, type(None)})
    )

    app.add_latex_package(writers.STY_NAME)
    app.connect("config-inited", on_config_inited)
    app.connect("builder-inited", on_builder_inited)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("env-updated", on_env_updated)
    app.connect("html-page-context", writers.add_stylesheet)
    return {
        "version": mlseq.__version__,
        "env_version": 1,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
