"""How the identity columns of the declared systems are really written (issue 10 §2), for
``gardien systems check``: a bounded sample of each, how many stored values are not in the
column's normal form (examples masked), and the index that keeps normalised look-ups fast.

Values not in normal form are still found (locate and holds compare normal forms on both
sides); the count tells the DPO where the data is untidy, and why the advised index matters:
without it, a normalised look-up reads the whole table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gardien.connectors.sql import SqlConnector
from gardien.errors import GardienError
from gardien.identity import MalformedIdentifier, mask_identifier, normalise
from gardien.registry.model import Registry
from gardien.rights.locate import normalisers_of

SAMPLE = 1_000  # rows read per identity column: enough to see a habit, bounded in any table
EXAMPLES = 3


@dataclass(frozen=True)
class ColumnSurvey:
    system: str
    table: str
    column: str
    kind: str
    normaliser: str
    sampled: int
    not_canonical: int  # stored otherwise than in the column's normal form
    malformed: int  # not an identifier of that kind at all, even normalised
    examples: tuple[str, ...]  # masked
    index: tuple[str, ...]  # the DDL advised; () when the index is there
    problem: str | None = None

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}.{self.column}"


def _survey_column(
    registry: Registry,
    connector: SqlConnector,
    system: str,
    name: str,
    kind: str,
    column: str,
    sample: int,
) -> ColumnSurvey:
    table = registry.systems[system].tables[name]
    rule = normalisers_of(registry, table)[column]
    values = [str(v) for v in connector.sample_column(name, column, sample)]
    untidy = [v for v in values if rule.apply(v) != v]
    malformed = 0
    for value in values:
        try:
            normalise(kind, rule.apply(value), registry.controller.country)
        except MalformedIdentifier:
            malformed += 1
    examples = tuple(mask_identifier(kind, v) for v in untidy[:EXAMPLES])
    index = tuple(connector.advised_index(name, column, rule))
    return ColumnSurvey(
        system, name, column, kind, rule.name.value, len(values), len(untidy), malformed,
        examples, index,
    )  # fmt: skip


def survey_identity_columns(
    registry: Registry, connectors: Mapping[str, SqlConnector], *, sample: int = SAMPLE
) -> list[ColumnSurvey]:
    """Every identity column of every reachable system, sampled; a column that cannot be read
    is reported with its problem, never as a traceback."""
    found: list[ColumnSurvey] = []
    for system in sorted(connectors):
        for name, table in sorted(registry.systems[system].tables.items()):
            for kind, column in sorted(table.identity.items()):
                try:
                    found.append(
                        _survey_column(
                            registry, connectors[system], system, name, kind, column, sample
                        )
                    )
                except GardienError as exc:
                    rule = normalisers_of(registry, table)[column]
                    found.append(_unread(system, name, column, kind, rule.name.value, str(exc)))
    return found


def _unread(system: str, table: str, column: str, kind: str, rule: str, why: str) -> ColumnSurvey:
    return ColumnSurvey(system, table, column, kind, rule, 0, 0, 0, (), (), problem=why)
