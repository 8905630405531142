"""Reading the restricted intermediate archive (R-RET-08): for a stated reason, audited.

``gardien archive read`` and ``POST /api/v1/archive/read`` call :func:`read`: the reason is
required whatever the edge (a blank one is refused before anything is read), the table must
be declared, and the rows are looked up by the table's key or one of its identity columns.
The read is written to the audit trail with the reader, the reason and the number of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from gardien.audit.chain import NewEvent
from gardien.clock import Clock
from gardien.connectors.sql import ARCHIVED_AT, SqlConnector
from gardien.errors import ReasonRequired, UsageError
from gardien.identity import MalformedIdentifier, normalise
from gardien.registry.model import Registry
from gardien.rights.locate import normalisers_of
from gardien.store import audit

NO_REASON = "a read of the restricted archive says why it is consulted (R-RET-08); it is audited"


@dataclass(frozen=True)
class ArchivedRows:
    system: str
    table: str
    where: str
    """``key`` or the identity kind the rows were found by."""
    rows: list[dict[str, Any]]


def _by_identifier(
    registry: Registry, connector: SqlConnector, table: str, kind: str, column: str, value: str
) -> list[dict[str, Any]]:
    """Archived rows holding the identifier in any stored form, compared in the column's
    normal form on both sides, as every look-up of a person (issue 10 §2)."""
    rule = normalisers_of(registry, registry.systems[connector.system_id].tables[table])[column]
    try:
        wanted = rule.apply(normalise(kind, value, registry.controller.country))
    except MalformedIdentifier:
        wanted = rule.apply(value)  # an identifier gardien cannot read is compared as given
    found = connector.read_matching(
        table, {column: [wanted]}, archived=True, normalisers={column: rule}
    )
    rows = [r for r in found if r.get(column) is not None and rule.apply(r[column]) == wanted]
    return sorted(rows, key=lambda r: (str(r.get(ARCHIVED_AT)), str(r.get(column))))


def read(
    registry: Registry,
    store: Engine,
    clock: Clock,
    *,
    system: str,
    table: str,
    where: tuple[str, str],
    reason: str | None,
    actor: str,
    connectors: Mapping[str, SqlConnector] | None = None,
) -> ArchivedRows:
    """The archived rows of ``system.table`` whose key (``("key", …)``) or identity column
    (``("email", …)``) has the value given; the read is audited with ``reason``."""
    why = ReasonRequired.check(reason, NO_REASON)
    declared_system = registry.systems.get(system)
    if declared_system is None or table not in declared_system.tables:
        raise UsageError(f"{system}.{table} is not a table declared in the registry", field="table")
    declared = declared_system.tables[table]
    kind, value = where
    if kind == "key":
        column = declared.key
    elif kind in declared.identity:
        column = declared.identity[kind]
    else:
        raise UsageError(
            f"{system}.{table} has no identity {kind!r} "
            f"(use key or one of: {', '.join(declared.identity)})",
            field="where",
        )
    connector = (connectors or {}).get(system) or SqlConnector(system, declared_system.url)
    if kind == "key":
        rows = connector.read_archive(table, column, [value])
    else:
        rows = _by_identifier(registry, connector, table, kind, column, value)
    audit.record(
        store,
        clock,
        NewEvent(
            actor,
            "archive.read",
            f"{system}.{table}",
            {"reason": why, "where": kind, "rows": len(rows)},
        ),
    )
    return ArchivedRows(system, table, kind, rows)
