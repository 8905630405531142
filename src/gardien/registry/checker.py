"""The legal checker: runs every rule over a registry and collects findings.

A rule is a function decorated with ``@rule``; it receives a ``CheckContext`` and yields
``Issue``s (a message and the registry path it is about). The decorator attaches the stable
code, severity, legal source and fix hint, so each rule's body states only the law it applies.
Rules live in ``gardien.registry.rules``, one module per theme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from gardien.registry.findings import Finding, Severity
from gardien.registry.loader import RegistryReading, read_registry, sort_findings
from gardien.registry.model import Registry
from gardien.registry.source import PathKey, SourceMap


@dataclass(frozen=True)
class Issue:
    message: str
    path: PathKey
    hint: str | None = None  # overrides the rule's generic hint when more precise


# What the reachable systems say of their columns: (system, table, column) → nullable.
ColumnFacts = Mapping[tuple[str, str, str], bool]


@dataclass(frozen=True)
class CheckContext:
    registry: Registry
    source: SourceMap
    # Reflected from the systems when the check was asked to reach them (``check --systems``);
    # None: not reached, and rules that need a schema assume the worst.
    columns: ColumnFacts | None = None


RuleBody = Callable[[CheckContext], Iterable[Issue]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    article: str
    hint: str
    body: RuleBody

    def run(self, context: CheckContext) -> Iterator[Finding]:
        for issue in self.body(context):
            yield Finding.at(
                self.code,
                self.severity,
                issue.message,
                context.source.locate(issue.path),
                article=self.article,
                hint=issue.hint or self.hint,
            )


RULES: dict[str, Rule] = {}


def rule(
    code: str, name: str, severity: Severity, *, article: str, hint: str
) -> Callable[[RuleBody], RuleBody]:
    """Register a legal rule under a stable code (codes are never reused)."""

    def register(body: RuleBody) -> RuleBody:
        if code in RULES:
            raise ValueError(f"rule code {code} is used twice")
        RULES[code] = Rule(code, name, severity, article, hint, body)
        return body

    return register


def all_rules() -> list[Rule]:
    import gardien.registry.rules  # noqa: F401  (registers the rules)

    return [RULES[code] for code in sorted(RULES)]


RULE_FAILED = "GD009"


def _rule_failed(legal_rule: Rule, error: Exception, source: SourceMap) -> Finding:
    """The last-resort net: a rule that raises is a bug in gardien, reported as one.

    The fix for such a bug is in the rule or the model (the fuzzer treats this finding as a
    bug); the net keeps the other rules' findings and tells the user what happened instead
    of a traceback.
    """
    return Finding.at(
        RULE_FAILED,
        Severity.ERROR,
        f"rule {legal_rule.code} ({legal_rule.name}) failed on this registry "
        f"({type(error).__name__}), so it is not checked: this is a bug in gardien, "
        "please report it with the registry",
        source.locate(()),
    )


def check_registry(
    registry: Registry, source: SourceMap, columns: ColumnFacts | None = None
) -> list[Finding]:
    context = CheckContext(registry, source, columns)
    findings: list[Finding] = []
    for legal_rule in all_rules():
        try:
            for finding in legal_rule.run(context):
                findings.append(finding)
        except Exception as error:
            findings.append(_rule_failed(legal_rule, error, source))
    return findings


@dataclass
class CheckReport:
    reading: RegistryReading
    findings: list[Finding]

    @property
    def usable(self) -> bool:
        """False when the registry could not even be built (YAML or schema errors)."""
        return self.reading.registry is not None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def check_path(
    path: Path | str,
    environ: Mapping[str, str] | None = None,
    *,
    reflect: Callable[[Registry], ColumnFacts] | None = None,
) -> CheckReport:
    """Load and check; structural findings and legal findings together, in reading order.

    ``reflect`` reads the systems' columns (an adapter: the registry imports no database).
    """
    reading = read_registry(path, environ)
    findings = list(reading.findings)
    if reading.registry is not None:
        columns = reflect(reading.registry) if reflect is not None else None
        findings.extend(check_registry(reading.registry, reading.source, columns))
    return CheckReport(reading, sort_findings(findings))
