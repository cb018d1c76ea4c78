"""``mlseq.fingerprint``: the content hashes both integrations put in their cache keys."""

from __future__ import annotations

import os
import re
from pathlib import Path

from mlseq import fingerprint


def _folder(root: Path, name: str, files: dict[str, str]) -> str:
    folder = root / name
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return str(folder)


def test_templates_hash_contents_not_sizes_or_times(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "t", {"a.yaml": "steps: one\n", "sub/b.yaml": "x: 1\n"})
    assert fingerprint.templates(()) == ""
    before = fingerprint.templates((folder,))
    assert re.fullmatch(r"[0-9a-f]{64}", before)
    assert fingerprint.templates((folder,)) == before  # stable
    target = Path(folder, "a.yaml")
    stat = target.stat()
    target.write_text("steps: two\n", encoding="utf-8")  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time
    assert fingerprint.templates((folder,)) != before


def test_templates_see_names_order_and_new_files(tmp_path: Path) -> None:
    a = _folder(tmp_path, "a", {"x.yaml": "k: 1\n"})
    b = _folder(tmp_path, "b", {"x.yaml": "k: 1\n"})
    # The search order matters when the same name sits in two folders with other content.
    Path(b, "x.yaml").write_text("k: 2\n", encoding="utf-8")
    assert fingerprint.templates((a, b)) != fingerprint.templates((b, a))
    one = fingerprint.templates((a,))
    Path(a, "y.yaml").write_text("", encoding="utf-8")
    assert fingerprint.templates((a,)) != one
    with_y = fingerprint.templates((a,))
    Path(a, "y.yaml").rename(Path(a, "z.yaml"))
    assert fingerprint.templates((a,)) not in (one, with_y)
    assert fingerprint.template_files((a,)) == [str(Path(a, "x.yaml")), str(Path(a, "z.yaml"))]


def test_code_is_the_installed_package() -> None:
    digest = fingerprint.code()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert fingerprint.code() is digest  # once per process


def test_feed_is_unambiguous() -> None:
    import hashlib

    one, two = hashlib.sha256(), hashlib.sha256()
    fingerprint.feed(one, "ab", "c")
    fingerprint.feed(two, "a", "bc")
    assert one.hexdigest() != two.hexdigest()
