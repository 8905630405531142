"""Loading a registry: one YAML file, or a directory of YAML files merged into one declaration.

Nothing here raises on bad input except ``load_registry``, which raises one ``RegistryError``
carrying every finding. ``read_registry`` returns what it could build plus the findings, for
the checker, which reports everything at once.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
import stat
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gardien.errors import RegistryError
from gardien.registry.findings import Finding, Severity
from gardien.registry.limits import MAX_FILES, MAX_REGISTRY_BYTES, MAX_VALUES
from gardien.registry.model import Registry
from gardien.registry.references import reference_findings
from gardien.registry.secrets import has_control_character, refused_variable
from gardien.registry.source import PathKey, SourceMap, read_yaml

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_MERGED_SECTIONS = ("subjects", "data", "recipients", "activities", "systems")


@dataclass
class RegistryReading:
    """What reading a registry produced: the model if it could be built, and every finding."""

    registry: Registry | None
    source: SourceMap
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def _registry_files(path: Path) -> tuple[list[Path], list[Finding]]:
    """The files of a registry: ``path`` itself, or the .yaml/.yml files of a directory.

    Nothing is opened here; ``read_yaml`` refuses what is not a regular file. In a directory,
    a symbolic link that loops or leads nowhere is listed, so that reading it says so, rather
    than the registry silently losing a part; subdirectories are not read.
    """
    try:
        info = path.stat()
    except OSError as exc:
        message = (
            "no such file or directory"
            if exc.errno == errno.ENOENT
            else f"cannot read: {exc.strerror}"
        )
        return [], [Finding("GD008", Severity.ERROR, message, file=str(path))]
    if not stat.S_ISDIR(info.st_mode):
        return [path], []
    files: list[Path] = []
    size = 0
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if Path(entry.name).suffix not in (".yaml", ".yml"):
                    continue
                try:
                    if entry.is_dir():
                        continue
                    size += entry.stat().st_size if entry.is_file() else 0
                except OSError:
                    pass  # reading it reports the problem
                files.append(Path(entry.path))
                if len(files) > MAX_FILES:
                    return [], [_too_many(path, f"more than {MAX_FILES} .yaml files")]
    except OSError as exc:
        return [], [Finding("GD008", Severity.ERROR, f"cannot read: {exc.strerror}", str(path))]
    if size > MAX_REGISTRY_BYTES:
        return [], [_too_many(path, f"{size / 2**20:.0f} MiB of .yaml files")]
    if not files:
        return [], [
            Finding(
                "GD008",
                Severity.ERROR,
                "the directory holds no .yaml or .yml file",
                file=str(path),
                hint="put the registry in one file, or split it into several .yaml files here",
            )
        ]
    return sorted(files), []


def _too_many(path: Path, what: str) -> Finding:
    return Finding(
        "GD008",
        Severity.ERROR,
        f"the directory holds {what}; a registry is at most {MAX_FILES} files and "
        f"{MAX_REGISTRY_BYTES // 2**20} MiB together",
        file=str(path),
        hint="a registry is written by people: check that this is the right directory",
    )


def _merge(
    documents: list[tuple[str, Any, SourceMap]],
) -> tuple[dict[str, Any], SourceMap, list[Finding]]:
    merged: dict[str, Any] = {}
    source = SourceMap()
    findings: list[Finding] = []
    for _name, data, doc_source in documents:
        if data is None:
            continue
        if not isinstance(data, dict):
            findings.append(
                Finding.at(
                    "GD003",
                    Severity.ERROR,
                    "a registry file must be a mapping of sections (gardien, controller, …)",
                    doc_source.locate(()),
                )
            )
            continue
        for key, value in data.items():
            if (
                key in _MERGED_SECTIONS
                and isinstance(value, dict)
                and isinstance(merged.get(key), dict)
            ):
                for entry, body in value.items():
                    if entry in merged[key]:
                        first = source.locate((key, entry))
                        findings.append(
                            Finding.at(
                                "GD007",
                                Severity.ERROR,
                                f"{key}.{entry} is declared twice (first at {first})",
                                doc_source.locate((key, entry)),
                                hint="each identifier is declared once across all registry files",
                            )
                        )
                        continue
                    merged[key][entry] = body
            elif key in merged and merged[key] != value:
                findings.append(
                    Finding.at(
                        "GD007",
                        Severity.ERROR,
                        f"section '{key}' is declared in more than one file "
                        f"(first at {source.locate((key,))})",
                        doc_source.locate((key,)),
                        hint="declare it in one file only",
                    )
                )
                continue
            else:
                merged[key] = value
        source.merge(doc_source)
    return merged, source, findings


@dataclass(frozen=True)
class EnvProblem:
    """Why a ``${VAR}`` could not be filled in: unset, refused, or a value with controls."""

    name: str
    reason: str
    hint: str


def interpolate_env(text: str, environ: typing.Mapping[str, str]) -> tuple[str, list[EnvProblem]]:
    """Replace ``${VAR}`` and ``${VAR:-default}``; return the text and what could not be.

    Only the variables ``secrets.refused_variable`` allows are read (never gardien's keys); a
    value holding a control character is refused (a NUL or a newline in a URL is never meant).
    """
    problems: list[EnvProblem] = []

    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        refused = refused_variable(name)
        if refused is not None:
            problems.append(
                EnvProblem(name, f"which {refused}", "use a variable such as CRM_DATABASE_URL")
            )
            return match.group(0)
        value = environ.get(name, default)
        if value is None:
            problems.append(
                EnvProblem(
                    name, "which is not set", f"export {name}=… or write ${{{name}:-default}}"
                )
            )
            return match.group(0)
        if has_control_character(value):
            problems.append(
                EnvProblem(
                    name,
                    "whose value holds a control character",
                    f"check the value of {name}: a URL holds no NUL, newline or tab",
                )
            )
            return match.group(0)
        return value

    return _ENV.sub(repl, text), problems


def _interpolate_systems(
    data: dict[str, Any], source: SourceMap, environ: typing.Mapping[str, str]
) -> list[Finding]:
    findings: list[Finding] = []
    systems = data.get("systems")
    if not isinstance(systems, dict):
        return findings
    for system_id, system in systems.items():
        if isinstance(system, dict) and isinstance(system.get("url"), str):
            url, problems = interpolate_env(system["url"], environ)
            for problem in problems:
                findings.append(
                    Finding.at(
                        "GD006",
                        Severity.ERROR,
                        f"systems.{system_id}.url uses ${{{problem.name}}}, {problem.reason}",
                        source.locate(("systems", system_id, "url")),
                        hint=problem.hint,
                    )
                )
            system["url"] = url
    return findings


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated/Optional to reach a model, list or dict annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _model_at(loc: PathKey) -> type[BaseModel] | None:
    """The model class a location points into, to suggest the right key for a typo."""
    current: Any = Registry
    index = 0
    while index < len(loc):
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            name = loc[index]
            fields = {f.alias or k: f for k, f in current.model_fields.items()}
            if name not in fields:
                return current if index == len(loc) - 1 else None
            current = fields[name].annotation
            index += 1
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
            index += 1
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _dotted(loc: PathKey) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "registry"


def _is_step(part: str | int) -> bool:
    """A part Pydantic adds to a location: a validator or union step, or '[key]'."""
    return isinstance(part, str) and part.endswith("]") and "[" in part


def _child(value: Any, part: str | int) -> tuple[bool, Any]:
    """Whether ``value`` holds ``part`` (a key of a mapping, an index of a list), and what."""
    if isinstance(value, dict):
        return part in value, value.get(part)
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return True, value[part]
    return False, None


def _written_path(loc: tuple[str | int, ...], data: Any) -> PathKey:
    """Pydantic's location as written in the registry.

    Pydantic's location holds the model's path: steps it adds for validators and unions
    (``function-before[…]``, ``[key]`` for a mapping's key) and keys a shorthand adds
    (``client: {fr: …}`` is validated as ``client: {label: {fr: …}}``). Walking the data keeps
    what the registry holds, so the finding points at what was written, whatever a key says
    (a key may itself hold '[').
    """
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        found, child = _child(current, part)
        if found:
            current = child
        elif index == len(loc) - 1 and not _is_step(part):
            current = None  # a missing or unknown key: the last part, not in the data
        else:
            continue
        path.append(part)
    return tuple(path)


def _validation_findings(error: ValidationError, source: SourceMap, data: Any) -> list[Finding]:
    findings: list[Finding] = []
    for item in error.errors(include_url=False):
        loc = _written_path(item["loc"], data)
        where = source.locate(loc)
        kind = item["type"]
        if kind == "extra_forbidden" and loc:
            key = str(loc[-1])
            model = _model_at(tuple(p for p in item["loc"] if not _is_step(p)))
            known = sorted(f.alias or k for k, f in model.model_fields.items()) if model else []
            close = difflib.get_close_matches(key, known, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else (f"known keys here: {', '.join(known)}" if known else None)
            )
            findings.append(
                Finding.at(
                    "GD002",
                    Severity.ERROR,
                    f"unknown key '{key}' in {_dotted(loc[:-1])}",
                    where,
                    hint=hint,
                )
            )
        elif kind == "missing" and loc:
            findings.append(
                Finding.at(
                    "GD004",
                    Severity.ERROR,
                    f"{_dotted(loc[:-1])} lacks the required key '{loc[-1]}'",
                    where,
                    hint="see docs/registry.md for what this section needs",
                )
            )
        else:
            message = item["msg"].removeprefix("Value error, ")
            got = item.get("input")
            text = repr(got) if isinstance(got, str | int | float | bool) else ""
            shown = f" (got {text[:80]}{'…' if len(text) > 80 else ''})" if text else ""
            if text and text[:40] in message:  # the message quotes the value already
                shown = ""
            findings.append(
                Finding.at("GD003", Severity.ERROR, f"{_dotted(loc)}: {message}{shown}", where)
            )
    return findings


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """In reading order: by file, line, column; findings without a place come first."""
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.code))


def read_registry(
    path: Path | str, environ: typing.Mapping[str, str] | None = None
) -> RegistryReading:
    """Read a registry file or directory; never raises for bad input."""
    path = Path(path)
    files, findings = _registry_files(path)
    documents = []
    budget = MAX_VALUES  # shared by the files of a directory
    for file in files:
        doc = read_yaml(file, budget=budget)
        findings.extend(doc.findings)
        documents.append((str(file), doc.data, doc.source))
        budget -= doc.values
    names = [str(f) for f in files]
    # A file that cannot be read or parsed: the registry is incomplete, the rest would mislead.
    if any(f.code in ("GD001", "GD008") for f in findings) or not files:
        return RegistryReading(None, SourceMap(), findings, names)
    data, source, merge_findings = _merge(documents)
    findings.extend(merge_findings)
    if not data:
        findings.append(
            Finding(
                "GD004",
                Severity.ERROR,
                "the registry is empty",
                file=names[0] if names else str(path),
            )
        )
        return RegistryReading(None, source, findings, names)
    findings.extend(_interpolate_systems(data, source, os.environ if environ is None else environ))
    try:
        registry = Registry.model_validate(data)
    except ValidationError as exc:
        findings.extend(_validation_findings(exc, source, data))
        return RegistryReading(None, source, sort_findings(findings), names)
    findings.extend(reference_findings(registry, source))
    return RegistryReading(registry, source, sort_findings(findings), names)


def load_registry(path: Path | str, environ: typing.Mapping[str, str] | None = None) -> Registry:
    """The registry for the engines: raises ``RegistryError`` with every finding if unusable."""
    reading = read_registry(path, environ)
    if reading.registry is None or reading.errors:
        raise RegistryError(reading.errors or reading.findings)
    return reading.registry
