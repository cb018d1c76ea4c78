"""Finding mlseq blocks in pages, with the file line of each block's first line."""

from __future__ import annotations

from mlseq.blocks import find_blocks

MD = """\
# Pipeline

```mlseq
A->>B: hi
```

Text.

!!! note
    ```mlseq title="x"
    C->>D: indented
    ```

```python
print("not a diagram")
```

```{mlseq}
:caption: Gate

E->>F: myst
```

```mermaid
sequenceDiagram
  G->>H: mermaid
```
"""

RST = """\
Title
=====

.. mlseq::
   :caption: Training

   Trainer->>Registry: register
   Registry-->>Trainer: ok

Para.

.. mlseq:: diagrams/gate.mmd
   :name: gate

.. code-block:: text

   not -> a diagram
"""


def test_markdown_blocks_and_lines() -> None:
    blocks = find_blocks(MD, ".md")
    assert [b.source for b in blocks] == ["A->>B: hi", "C->>D: indented", "E->>F: myst"]
    assert [b.first_line for b in blocks] == [4, 11, 21]
    assert blocks[2].options == {"caption": "Gate"}
    lines = MD.splitlines()
    for block in blocks:
        assert lines[block.first_line - 1].strip() == block.source.splitlines()[0]


def test_markdown_mermaid_blocks_on_request() -> None:
    blocks = find_blocks(MD, ".md", include_mermaid=True)
    assert blocks[-1].language == "mermaid"
    assert blocks[-1].source.splitlines()[1].strip() == "G->>H: mermaid"
    assert blocks[-1].first_line == 25


def test_rst_blocks_lines_options_and_paths() -> None:
    blocks = find_blocks(RST, ".rst")
    assert len(blocks) == 2
    first, second = blocks
    assert first.source == "Trainer->>Registry: register\nRegistry-->>Trainer: ok"
    assert first.first_line == 7
    assert first.options == {"caption": "Training"}
    assert second.path == "diagrams/gate.mmd"
    assert second.source == ""
    assert second.first_line == 12
    assert second.options == {"name": "gate"}


def test_unclosed_fence_takes_rest_of_page() -> None:
    blocks = find_blocks("```mlseq\nA->>B: x\n", ".md")
    assert blocks[0].source == "A->>B: x"
    assert blocks[0].first_line == 2
