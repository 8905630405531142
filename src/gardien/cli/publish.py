"""``gardien notice`` and ``gardien register``: publish the privacy notice and the Art. 30 record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from gardien.cli.console import EXIT_FINDINGS, err, handle_errors
from gardien.errors import RegistryError, UsageError
from gardien.publish.publication import NoticeNotPublishable, prepare_notice
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.publish.render import NoticeFormat, render_document
from gardien.publish.wording import resolve_language
from gardien.registry.checker import check_path
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
    draft: Annotated[
        bool,
        typer.Option(
            "--draft",
            help="Write a notice that cannot be published yet, marked as a draft on every "
            "page with its blocking findings on top.",
        ),
    ] = False,
) -> None:
    """Publish the privacy notice (GDPR Art. 13/14) from a registry.

    Refused (exit 1, the blocking findings listed) while `gardien check` finds errors or the
    notice would say an item is not provided, unless --draft is given.
    """
    if fmt is NoticeFormat.PDF:
        _needs_file(fmt.value, output)
    report = check_path(path)
    if report.reading.registry is None:
        raise RegistryError(report.errors or report.findings)
    registry = report.reading.registry
    language = resolve_language(registry.languages, lang)
    try:
        publication = prepare_notice(
            registry, language, draft=draft, findings=report.findings, source=report.reading.source
        )
    except NoticeNotPublishable as refused:
        for blocking in refused.blocking:
            err.print(escape(blocking.render()), emoji=False, highlight=False)
        err.print(
            f"[red]the notice cannot be published[/red]: {len(refused.blocking)} blocking "
            "finding(s) above; fix the registry, or write a draft with --draft",
            emoji=False,
        )
        raise typer.Exit(EXIT_FINDINGS) from None
    _emit(render_document(publication.document, fmt), output)
    if not publication.publishable:
        err.print(
            f"[yellow]draft[/yellow]: {len(publication.blocking)} blocking finding(s), listed at "
            "its top; it is marked as a draft on every page",
            emoji=False,
        )


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
