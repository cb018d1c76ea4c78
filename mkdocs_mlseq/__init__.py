"""mlseq for MkDocs, ProperDocs, Zensical and Python-Markdown.

- :mod:`mkdocs_mlseq.extension`: the Markdown extension ``mlseq`` (```mlseq fences);
- :mod:`mkdocs_mlseq.fence`: SuperFences' ``formatter`` and ``validator``;
- :mod:`mkdocs_mlseq.plugin`: the MkDocs/ProperDocs plugin ``mlseq`` (page:line
  warnings, one stylesheet per site, drawing cache across ``mkdocs serve`` rebuilds).
"""

from __future__ import annotations

__all__ = ["extension", "fence", "plugin", "renderer"]
