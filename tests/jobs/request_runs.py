"""A filled ima-protect database and a store holding verified requests, copied per trial, and
what a request run left in both (the end state the kill and concurrency trials compare).

The systems are copies of one filled database (``tests.retention.copies.Backend``: SQLite
files, PostgreSQL schemas, MariaDB databases); the store is a SQLite file copied per trial, or,
for the concurrency trials, a store of the same kind as the systems (the run lock differs by
store).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.jobs import filing, identity
from gardien.requests.kinds import RequestKind
from gardien.requests.model import RequestDetails
from gardien.store import audit
from gardien.store.database import open_store
from gardien.store.schema_packages import request_package
from gardien.store.schema_requests import request_transition, rights_request
from gardien.store.schema_rights import rights_execution, rights_step
from tests.retention.copies import EXAMPLE, Backend, Rows, system_env

NOW = "2026-11-22T09:00:00+00:00"
VOLATILE = {"execution", "resumed"}  # an execution's id (a uuid) and whether it was resumed


def emails(url: str, count: int) -> list[str]:
    """The first ``count`` clients' e-mail addresses in the filled database at ``url``."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT email FROM client WHERE email IS NOT NULL ORDER BY id")
            ).scalars()
            return [str(e) for e in list(found)[:count]]
    finally:
        engine.dispose()


Plan = Sequence[tuple[RequestKind, str] | tuple[RequestKind, str, RequestDetails]]


def mixed(people: Sequence[str]) -> list[tuple[RequestKind, str, RequestDetails]]:
    """A batch of every kind that changes something, for ``people``: in every eight, an
    access, a rectification, a restriction, an objection to prospecting, four erasures."""
    kinds = {
        0: (RequestKind.ACCESS, RequestDetails()),
        1: (RequestKind.RECTIFICATION, RequestDetails(fields={"last_name": "Exact-Name"})),
        2: (RequestKind.RESTRICTION, RequestDetails()),
        3: (RequestKind.OBJECTION_PROSPECTING, RequestDetails()),
    }
    erasure = (RequestKind.ERASURE, RequestDetails())
    return [(*kinds.get(i % 8, erasure)[:1], email, kinds.get(i % 8, erasure)[1])
            for i, email in enumerate(people)]  # fmt: skip


def file_verified(store_url: str, systems_url: str, plan: Plan) -> list[str]:
    """Requests of ``plan`` (kind, e-mail[, details]) filed and verified by attestation."""
    from gardien.registry.loader import load_registry

    registry = load_registry(EXAMPLE, environ=system_env(systems_url))
    store = open_store(store_url)
    clock = FixedClock(datetime.fromisoformat(NOW))
    ids = []
    try:
        for kind, email, *details in plan:
            filed = filing.submit(
                store, clock, actor="agent", kind=kind, identity={"email": email},
                registry=registry, details=details[0] if details else None,
            )  # fmt: skip
            identity.attest(store, clock, filed.id, actor="agent", attestation="card checked")
            ids.append(filed.id)
    finally:
        store.dispose()
    return ids


def snapshot(url: str) -> Rows:
    """Every row of every table of the systems (reflected afresh: another test's registry may
    give a table of the same name other columns)."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: {tuple(r) for r in conn.execute(sa.select(table))}
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _event(actor: str, action: str, target: str, details: dict[str, Any]) -> str:
    kept = {k: v for k, v in details.items() if k not in VOLATILE}
    if target.startswith("restriction:"):  # a restriction's id: a uuid drawn when placed
        target = "restriction:*"
    return _canonical([actor, action, target, kept])


@dataclass(frozen=True)
class EndState:
    """What a request run left in the systems and in the store."""

    rows: Rows
    requests: frozenset[tuple[str, str, str]]  # id, state, result (JSON)
    transitions: Counter[str]  # the timelines' entries
    executions: frozenset[str]  # request, kind, status, steps, outcome, error; and step totals
    packages: frozenset[tuple[str, str]]  # request, sha256
    events: Counter[str]  # the audit trail, minus executions' ids

    def differences(self, other: EndState) -> list[str]:
        found = []
        for name in ("requests", "transitions", "executions", "packages", "events"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                if isinstance(mine, Counter):
                    extra, missing = mine - theirs, theirs - mine
                else:
                    extra, missing = mine - theirs, theirs - mine
                found.append(
                    f"{name}: {len(extra)} only here, {len(missing)} only in the other "
                    f"(e.g. {sorted(extra)[:1]} / {sorted(missing)[:1]})"
                )
        for table in sorted(set(self.rows) | set(other.rows)):
            mine_rows, their_rows = self.rows.get(table, set()), other.rows.get(table, set())
            if mine_rows != their_rows:
                found.append(
                    f"table {table}: {len(mine_rows - their_rows)} row(s) only here, "
                    f"{len(their_rows - mine_rows)} only in the other"
                )
        return found


def end_state(url: str, store_url: str) -> EndState:
    store = sa.create_engine(store_url)
    try:
        with store.connect() as conn:
            requests = frozenset(
                (r.id, r.state, _canonical(json.loads(r.result)) if r.result else "")
                for r in conn.execute(sa.select(rights_request))
            )
            transitions = Counter(
                _canonical([r.request_id, r.position, r.actor, r.action, r.from_state,
                            r.to_state, r.reason, json.loads(r.details)])
                for r in conn.execute(sa.select(request_transition))
            )  # fmt: skip
            steps: dict[str, list[Any]] = {}
            for s in conn.execute(sa.select(rights_step).order_by(rights_step.c.position)):
                steps.setdefault(s.execution_id, []).append(
                    [s.position, s.system_id, s.table_name, s.archived, s.action,
                     s.chunks_done, s.rows_done]
                )  # fmt: skip
            executions = frozenset(
                _canonical([e.request_id, e.kind, e.status, json.loads(e.steps), e.chunk_size,
                            json.loads(e.outcome), e.error, steps.get(e.id, [])])
                for e in conn.execute(sa.select(rights_execution))
            )  # fmt: skip
            kept = frozenset(
                (p.request_id, p.sha256) for p in conn.execute(sa.select(request_package))
            )
        events = Counter(
            _event(e.actor, e.action, e.target, dict(e.details)) for e in audit.events(store)
        )
    finally:
        store.dispose()
    return EndState(snapshot(url), requests, transitions, executions, kept, events)


@dataclass
class Prepared:
    """One filled database and one store with its verified requests, to be copied."""

    backend: Backend
    store: Path  # a SQLite store, copied per trial
    ids: list[str]

    def copy(self, name: str) -> tuple[str, str]:
        """A copy of the systems and of the store: their URLs."""
        store = self.store.with_name(f"{name}-store.db")
        shutil.copy(self.store, store)
        return self.backend.copy(name), f"sqlite:///{store}"
