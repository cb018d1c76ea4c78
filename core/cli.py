"""The ``mlseq`` command: render, check, lint, convert, expand and list templates.

Every problem is printed as ``file:line:col: message`` (the format editors and CI
annotate) and sets exit status 1; nothing prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .api import expand, render
from .blocks import find_blocks
from .errors import ErrorCode, MlseqError
from .lint import LintConfig, find_pyproject, lint_source, resolve_rule
from .options import THEMES, RenderOptions

DIAGRAM_SUFFIXES = (".mlseq", ".mmd")
PAGE_SUFFIXES = (".md", ".markdown", ".rst")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _argument_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        status: int = args.run(args)
    except BrokenPipeError:  # `mlseq expand x | head`
        return 0
    return status


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlseq",
        description="Sequence diagrams for ML workflows: Mermaid-compatible text and "
        "YAML templates rendered to SVG.",
    )
    parser.add_argument("--version", action="version", version=f"mlseq {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("render", help="render a diagram or template call to SVG")
    p.add_argument("file", help="diagram file, or - for standard input")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    _add_render_options(p)
    p.set_defaults(run=_cmd_render)

    p = sub.add_parser(
        "check",
        help="check diagrams in .mlseq/.mmd files and mlseq blocks in .md/.rst pages",
    )
    p.add_argument("paths", nargs="+", help="files or folders to check")
    p.add_argument(
        "--include-mermaid",
        action="store_true",
        help="also check ```mermaid blocks that hold a sequenceDiagram",
    )
    _add_render_options(p)
    p.set_defaults(run=_cmd_check)

    p = sub.add_parser(
        "lint",
        help="find misleading ML workflow diagrams (rules ML001...; see docs/lint.md)",
    )
    p.add_argument("paths", nargs="+", help="files or folders to lint")
    p.add_argument("--select", help="only these rules, e.g. ML001,ML003")
    p.add_argument("--ignore", help="skip these rules, e.g. ML005,too-many-participants")
    p.add_argument("--max-participants", type=int, help="ML007's limit (default 15)")
    p.add_argument(
        "--include-mermaid",
        action="store_true",
        help="also lint ```mermaid blocks that hold a sequenceDiagram",
    )
    p.add_argument("--template-dir", action="append", default=[], dest="template_dirs")
    p.add_argument(
        "--no-config", action="store_true", help="ignore [tool.mlseq.lint] in pyproject.toml"
    )
    p.set_defaults(run=_cmd_lint)

    p = sub.add_parser(
        "convert",
        help="print a diagram as Mermaid or PlantUML, or import PlantUML as mlseq text",
    )
    p.add_argument("file", help="diagram file, or - for standard input")
    direction = p.add_mutually_exclusive_group(required=True)
    direction.add_argument("--to", choices=("mermaid", "plantuml"))
    direction.add_argument("--from", dest="source_format", choices=("plantuml",))
    p.add_argument("--template-dir", action="append", default=[], dest="template_dirs")
    p.set_defaults(run=_cmd_convert)

    p = sub.add_parser("expand", help="print the diagram text a template call stands for")
    p.add_argument("file", help="template call file, or - for standard input")
    p.add_argument("--template-dir", action="append", default=[], dest="template_dirs")
    p.set_defaults(run=_cmd_expand)

    p = sub.add_parser("templates", help="list the templates with one-line descriptions")
    p.add_argument("--template-dir", action="append", default=[], dest="template_dirs")
    p.set_defaults(run=_cmd_templates)
    return parser


def _add_render_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--theme", choices=THEMES, default="default")
    p.add_argument(
        "--template-dir",
        action="append",
        default=[],
        dest="template_dirs",
        help="a folder of team templates (repeatable)",
    )
    p.add_argument("--no-mirror", action="store_true", help="no participant heads at the bottom")
    p.add_argument("--legend", action="store_true", help="add a legend of the arrow kinds used")
    p.add_argument("--wrap-width", type=float, help="wrap labels wider than this (px)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other render option, e.g. --set autonumber=true",
    )


def _options(args: argparse.Namespace) -> RenderOptions:
    values: dict[str, Any] = {
        "theme": args.theme,
        "template_dirs": tuple(args.template_dirs),
        "mirror_actors": not args.no_mirror,
        "legend": args.legend,
    }
    if args.wrap_width is not None:
        values["wrap_width"] = args.wrap_width
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            raise MlseqError(f"--set expects NAME=VALUE, got {item!r}", code=ErrorCode.OPTION)
        values[name.strip()] = value.strip()
    return RenderOptions.from_mapping(values)


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MlseqError(f"cannot read {name}: {_reason(exc)}", code=ErrorCode.IO) from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _report(where: str, err: MlseqError, line_offset: int = 0) -> None:
    line = err.line + line_offset if err.line else line_offset + (1 if line_offset else 0)
    hint = f" ({err.hint})" if err.hint else ""
    print(f"{where}:{line}:{err.column}: {err.message}{hint}", file=sys.stderr)


def _cmd_render(args: argparse.Namespace) -> int:
    where = "<stdin>" if args.file == "-" else args.file
    try:
        options = _options(args)
        svg = render(_read(args.file), options=options)
    except MlseqError as err:
        _report(where, err)
        return 1
    if args.output:
        try:
            Path(args.output).write_text(svg, encoding="utf-8")
        except OSError as exc:
            print(f"{args.output}: cannot write: {_reason(exc)}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(svg)
    return 0


def _cmd_expand(args: argparse.Namespace) -> int:
    where = "<stdin>" if args.file == "-" else args.file
    try:
        text = expand(_read(args.file), template_dirs=tuple(args.template_dirs))
    except MlseqError as err:
        _report(where, err)
        return 1
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _cmd_templates(args: argparse.Namespace) -> int:
    from .template import list_templates

    try:
        rows = list_templates(tuple(args.template_dirs))
    except MlseqError as err:
        _report("templates", err)
        return 1
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        print(f"{name.ljust(width)}  {description}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    try:
        options = _options(args)
    except MlseqError as err:
        _report("options", err)
        return 1
    problems = checked = 0
    for path in _walk(args.paths):
        for item, where, offset in _blocks_of(path, args.include_mermaid):
            if isinstance(item, str):
                checked += 1
                try:
                    render(item, options=options)
                    continue
                except MlseqError as err:
                    item = err
            _report(where, item, offset)
            problems += 1
    summary = f"checked {checked} diagram{'s' * (checked != 1)}: "
    summary += f"{problems} problem{'s' * (problems != 1)}" if problems else "no problems"
    print(summary, file=sys.stderr)
    return 1 if problems else 0


def _lint_config(args: argparse.Namespace) -> LintConfig:
    values: dict[str, Any] = {}
    if not args.no_config:
        found = find_pyproject(Path.cwd())
        if found is not None:
            base = LintConfig.from_pyproject(found)
            values = {
                "select": sorted(base.select),
                "ignore": sorted(base.ignore),
                "max_participants": base.max_participants,
                **{k: list(getattr(base, k)) for k in LintConfig.KEYS[3:]},
            }
    for name in ("select", "ignore"):
        given = getattr(args, name)
        if given is not None:
            rules = []
            for item in given.split(","):
                rule = resolve_rule(item)
                if rule is None and item.strip():
                    rules.append(item.strip())  # from_mapping reports it
                elif rule is not None:
                    rules.append(rule)
            values[name] = rules
    if args.max_participants is not None:
        values["max_participants"] = args.max_participants
    return LintConfig.from_mapping(values)


def _cmd_lint(args: argparse.Namespace) -> int:
    try:
        config = _lint_config(args)
    except MlseqError as err:
        _report("options", err)
        return 1
    findings = problems = checked = 0
    templates = tuple(args.template_dirs)
    for path in _walk(args.paths):
        for item, where, offset in _blocks_of(path, args.include_mermaid):
            if not isinstance(item, str):
                _report(where, item, offset)
                problems += 1
                continue
            checked += 1
            try:
                found = lint_source(item, config, template_dirs=templates)
            except MlseqError as err:
                _report(where, err, offset)
                problems += 1
                continue
            for f in found:
                print(f"{where}:{f.line + offset}:{f.column}: {f.rule} {f.message}")
            findings += len(found)
    summary = f"linted {checked} diagram{'s' * (checked != 1)}: "
    parts = []
    if findings:
        parts.append(f"{findings} finding{'s' * (findings != 1)}")
    if problems:
        parts.append(f"{problems} problem{'s' * (problems != 1)}")
    print(summary + (", ".join(parts) if parts else "no findings"), file=sys.stderr)
    return 1 if findings or problems else 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from . import convert

    where = "<stdin>" if args.file == "-" else args.file
    try:
        source = _read(args.file)
        if args.source_format == "plantuml":
            text = convert.from_plantuml(source)
        else:
            from . import parser

            diagram_text = expand(source, template_dirs=tuple(args.template_dirs))
            diagram = parser.parse(diagram_text)
            if args.to == "mermaid":
                text = convert.to_mermaid(diagram)
            else:
                text = convert.to_plantuml(diagram)
    except MlseqError as err:
        _report(where, err)
        return 1
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _walk(paths: Sequence[str]) -> Iterator[Path]:
    suffixes = DIAGRAM_SUFFIXES + PAGE_SUFFIXES
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.suffix in suffixes
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            yield path


Item = tuple["str | MlseqError", str, int]


def _blocks_of(path: Path, include_mermaid: bool) -> Iterator[Item]:
    """(block text or the error reading it, file to report, line offset) per diagram."""
    try:
        text = _read(str(path))
    except MlseqError as err:
        yield err, str(path), 0
        return
    if path.suffix not in PAGE_SUFFIXES:
        yield text, str(path), 0
        return
    for block in find_blocks(text, path.suffix, include_mermaid=include_mermaid):
        if block.path is not None and not block.source.strip():
            target = _resolve_include(path, block.path)
            try:
                yield _read(str(target)), str(target), 0
            except MlseqError as err:
                yield err, str(path), block.first_line - 1
            continue
        yield block.source, str(path), block.first_line - 1


def _resolve_include(page: Path, name: str) -> Path:
    """A directive's file argument: relative to the page, or from the Sphinx source
    folder (the nearest folder holding conf.py) when it starts with ``/``."""
    if not name.startswith("/"):
        return page.parent / name
    for folder in page.resolve().parents:
        if (folder / "conf.py").is_file():
            return folder / name.lstrip("/")
    return page.parent / name.lstrip("/")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
