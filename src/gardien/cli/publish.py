"""``gardien notice`` and ``gardien register``: publish the privacy notice and the Art. 30 record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gardien.cli.console import err, handle_errors
from gardien.errors import UsageError
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_notice
from gardien.publish.wording import resolve_language
from gardien.registry.loader import load_registry

PathArgument = Annotated[Path, typer.Argument(help="Registry file, or directory of YAML files.")]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", help="Language (fr, en); default: the registry's first language."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="File to write; default: standard output (text formats)."),
]


def _needs_file(fmt: str, output: Path | None) -> None:
    if output is None:
        raise UsageError(f"--format {fmt} writes a binary file: give one with -o FILE")


def _emit(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(f"wrote {output} ({len(data)} bytes)")


@handle_errors
def notice(
    path: PathArgument,
    lang: LangOption = None,
    fmt: Annotated[
        NoticeFormat, typer.Option("--format", help="md, html or pdf (pdf needs -o).")
    ] = NoticeFormat.MD,
    output: OutputOption = None,
) -> None:
    """Publish the privacy notice (GDPR Art. 13/14) from a registry."""
    if fmt is NoticeFormat.PDF:
        _needs_file(fmt.value, output)
    registry = load_registry(path)
    language = resolve_language(registry.languages, lang)
    _emit(render_notice(registry, language, fmt), output)


@handle_errors
def register(
    path: PathArgument,
    fmt: Annotated[
        RecordFormat, typer.Option("--format", help="csv, xlsx or json (xlsx needs -o).")
    ] = RecordFormat.CSV,
    lang: LangOption = None,
    output: OutputOption = None,
) -> None:
    """Publish the record of processing activities (GDPR Art. 30) from a registry."""
    if fmt is RecordFormat.XLSX:
        _needs_file(fmt.value, output)
    registry = load_registry(path)
    language = resolve_language(registry.languages, lang)
    _emit(render_record(registry, language, fmt), output)
