"""Sphinx configuration for the Lumen Retail ML platform handbook (the mlseq demo site)."""

from __future__ import annotations

project = "Lumen Retail ML platform handbook"
author = "Lumen Retail ML platform team"
copyright = "2026, Lumen Retail (fictional)"

extensions = ["sphinx_mlseq", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]

# ```mlseq fences in MyST pages behave like the {mlseq} directive.
myst_fence_as_directive = ["mlseq"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# Figures with a caption get numbers, so :numref: reads "Fig. 3".
numfig = True
numfig_format = {"figure": "Figure %s"}

html_theme = "furo"
html_title = "Lumen ML handbook"
html_static_path = ["_static"]
html_css_files = ["demo.css"]
html_favicon = "_static/favicon.svg"
