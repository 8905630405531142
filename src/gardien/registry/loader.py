"""Loading a registry: one YAML file, or a directory of YAML files merged into one declaration.

Nothing here raises on bad input except ``load_registry``, which raises one ``RegistryError``
carrying every finding. ``read_registry`` returns what it could build plus the findings, for
the checker, which reports everything at once.
"""

from __future__ import annotations

import difflib
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from gardien.errors import RegistryError
from gardien.registry.findings import Finding, Severity
from gardien.registry.model import Registry
from gardien.registry.references import reference_findings
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
    if not path.exists():
        return [], [Finding("GD008", Severity.ERROR, "no such file or directory", file=str(path))]
    if path.is_file():
        return [path], []
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
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
    return files, []


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


def interpolate_env(text: str, environ: typing.Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace ``${VAR}`` and ``${VAR:-default}``; return the text and the undefined names."""
    missing: list[str] = []

    def repl(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in environ:
            return environ[name]
        if default is not None:
            return default
        missing.append(name)
        return match.group(0)

    return _ENV.sub(repl, text), missing


def _interpolate_systems(
    data: dict[str, Any], source: SourceMap, environ: typing.Mapping[str, str]
) -> list[Finding]:
    findings: list[Finding] = []
    systems = data.get("systems")
    if not isinstance(systems, dict):
        return findings
    for system_id, system in systems.items():
        if isinstance(system, dict) and isinstance(system.get("url"), str):
            url, missing = interpolate_env(system["url"], environ)
            for name in missing:
                findings.append(
                    Finding.at(
                        "GD006",
                        Severity.ERROR,
                        f"systems.{system_id}.url uses ${{{name}}}, which is not set",
                        source.locate(("systems", system_id, "url")),
                        hint=f"export {name}=… or write ${{{name}:-default}}",
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


def _validation_findings(error: ValidationError, source: SourceMap) -> list[Finding]:
    findings: list[Finding] = []
    for item in error.errors(include_url=False):
        # Pydantic adds the validator's name for Annotated/union steps; keep only data keys.
        loc: PathKey = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
        where = source.locate(loc)
        kind = item["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            model = _model_at(loc)
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
        elif kind == "missing":
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
            shown = (
                f" (got {got!r})"
                if isinstance(got, str | int | float | bool) and repr(got) not in message
                else ""
            )
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
    for file in files:
        doc = read_yaml(file)
        findings.extend(doc.findings)
        documents.append((str(file), doc.data, doc.source))
    names = [str(f) for f in files]
    if any(f.code == "GD001" for f in findings) or not files:
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
        findings.extend(_validation_findings(exc, source))
        return RegistryReading(None, source, sort_findings(findings), names)
    findings.extend(reference_findings(registry, source))
    return RegistryReading(registry, source, sort_findings(findings), names)


def load_registry(path: Path | str, environ: typing.Mapping[str, str] | None = None) -> Registry:
    """The registry for the engines: raises ``RegistryError`` with every finding if unusable."""
    reading = read_registry(path, environ)
    if reading.registry is None or reading.errors:
        raise RegistryError(reading.errors or reading.findings)
    return reading.registry
