"""Use cases: check systems, plan retention, run (or resume) it, with the audit trail."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from gardien.clock import Clock
from gardien.connectors.errors import SchemaMismatch
from gardien.connectors.sql import SqlConnector, connectors_for
from gardien.errors import GardienError
from gardien.jobs.audit_anchor import Anchoring, anchor_quietly
from gardien.registry.model import Registry
from gardien.retention.constraints import Effect, ForeignKey
from gardien.retention.errors import RetentionLockLost
from gardien.retention.executor import (
    DEFAULT_BATCH_SIZE,
    Checkpoint,
    Progress,
    RunMoment,
    RunReport,
    effect_counts,
    execute_plan,
    plan_counts,
)
from gardien.retention.policy import RetentionPlan, TableAction, plan_retention
from gardien.retention.withdrawal import Withdrawals, consent_activities
from gardien.store import audit, packages, run_lock, suppression
from gardien.store import holds as hold_book
from gardien.store import journal as run_journal
from gardien.store.consent_withdrawals import withdrawals_at


def registry_digest(registry: Registry) -> str:
    return hashlib.sha256(registry.model_dump_json(by_alias=True).encode()).hexdigest()


def withdrawals_of(registry: Registry, store: Engine, now: datetime) -> Withdrawals:
    """The consents withdrawn as of the run's moment: what they end goes in this run (Art. 7(3))."""
    return withdrawals_at(store, consent_activities(registry), now)


def check_systems(
    registry: Registry, connectors: Mapping[str, SqlConnector] | None = None
) -> dict[str, list[str]]:
    """Problems per system (unreachable, missing tables or columns); empty lists when fine."""
    connectors = connectors or connectors_for(registry)
    problems: dict[str, list[str]] = {}
    for system_id, connector in connectors.items():
        try:
            connector.ping()
            problems[system_id] = connector.check(registry)
        except GardienError as exc:
            problems[system_id] = [str(exc)]
    return problems


def column_facts(
    registry: Registry, connectors: Mapping[str, SqlConnector] | None = None
) -> dict[tuple[str, str, str], bool]:
    """Nullability of the event columns of every system that answers (``check --systems``);
    a system that does not answer adds nothing, and the checker assumes its columns nullable."""
    connectors = connectors or connectors_for(registry)
    facts: dict[tuple[str, str, str], bool] = {}
    for connector in connectors.values():
        try:
            facts.update(connector.nullable_columns(registry))
        except GardienError:
            continue
    return facts


def require_systems(registry: Registry, connectors: Mapping[str, SqlConnector]) -> None:
    """Stop before changing anything when any system fails its check."""
    for system_id, found in check_systems(registry, connectors).items():
        if found:
            raise SchemaMismatch(system_id, found)


@dataclass(frozen=True)
class PlannedAction:
    action: TableAction
    rows: int
    held: int
    effects: tuple[tuple[Effect, int], ...] = ()  # the databases' foreign keys (constraints.py)


def constraints_of(registry: Registry, connectors: Mapping[str, SqlConnector]) -> list[ForeignKey]:
    """The foreign keys of every system's database that reference a declared table."""
    return [fk for _sid, c in sorted(connectors.items()) for fk in c.foreign_keys(registry)]


def plan(
    registry: Registry,
    store: Engine,
    now: datetime,
    connectors: Mapping[str, SqlConnector] | None = None,
) -> tuple[RetentionPlan, list[PlannedAction]]:
    connectors = connectors or connectors_for(registry)
    require_systems(registry, connectors)
    retention_plan = plan_retention(
        registry,
        now,
        hold_book.all_holds(store),
        withdrawals_of(registry, store, now),
        constraints_of(registry, connectors),
    )
    counted = [
        PlannedAction(a, rows, held, effect_counts(a, connectors[a.system]))
        for a, rows, held in plan_counts(retention_plan, connectors)
    ]
    return retention_plan, counted


@dataclass(frozen=True)
class UnderReview:
    """Rows only an unknown start keeps (issue 10 §5): how many, the first keys, and why."""

    system: str
    table: str
    rows: int
    first_keys: tuple[str, ...]
    reasons: tuple[str, ...]


REVIEW_KEYS_SHOWN = 10


def under_review(
    retention_plan: RetentionPlan,
    connectors: Mapping[str, SqlConnector],
    *,
    limit: int = REVIEW_KEYS_SHOWN,
) -> list[UnderReview]:
    """The plan's rows under review, counted in each system; tables with none are left out.

    The command line, the API and the back office all show these beside the plan, so that a
    row whose retention cannot be counted is never kept without anyone knowing (Art. 5(1)(e)).
    """
    found: list[UnderReview] = []
    for review in retention_plan.reviews:
        rows, keys = connectors[review.system].count_and_first_keys(
            review.table, review.key, review.condition, limit
        )
        if rows:
            found.append(
                UnderReview(
                    review.system,
                    review.table,
                    rows,
                    tuple(str(k) for k in keys),
                    review.reasons,
                )
            )
    return found


@dataclass(frozen=True)
class RunOutcome:
    report: RunReport
    resumed: bool


def run(
    registry: Registry,
    store: Engine,
    clock: Clock,
    now: datetime,
    *,
    actor: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    fresh: bool = False,
    connectors: Mapping[str, SqlConnector] | None = None,
    wait: float = 0.0,
    checkpoint: Checkpoint | None = None,
    anchoring: Anchoring | None = None,
) -> RunOutcome:
    """Run retention at ``now``; resume the last unfinished run of the same registry first.

    One run per store at a time (``store.run_lock``): while another holds the lock, wait at
    most ``wait`` seconds, then raise ``RetentionRunInProgress`` naming it, having done
    nothing. ``checkpoint`` is told every moment of the run (``RunMoment``), to observe it.
    A run writes many audit events: once it ends, finished or failed, the trail's head is
    anchored where ``anchoring`` says (issue 9 §5; the settings' ``anchoring``).
    """
    connectors = connectors or connectors_for(registry)
    require_systems(registry, connectors)

    def waiting() -> None:
        if checkpoint is not None:
            checkpoint(RunMoment.WAITING)

    try:
        with run_lock.holding(store, actor, wait=wait, on_wait=waiting) as lock:

            def observe(moment: RunMoment) -> None:
                if moment is RunMoment.BATCH_STARTING:
                    lock.confirm()  # never a batch without the lock
                if checkpoint is not None:
                    checkpoint(moment)

            observe(RunMoment.LOCKED)
            return _run_locked(
                registry,
                store,
                clock,
                now,
                actor=actor,
                batch_size=batch_size,
                progress=progress,
                fresh=fresh,
                connectors=connectors,
                lock=lock,
                observe=observe,
            )

    finally:
        anchor_quietly(store, clock, anchoring)


def _run_locked(
    registry: Registry,
    store: Engine,
    clock: Clock,
    now: datetime,
    *,
    actor: str,
    batch_size: int,
    progress: Progress | None,
    fresh: bool,
    connectors: Mapping[str, SqlConnector],
    lock: run_lock.RunLock,
    observe: Checkpoint,
) -> RunOutcome:
    digest = registry_digest(registry)
    pending = run_journal.unfinished_run(store)
    resumed = False
    if pending is not None and (fresh or pending.registry_digest != digest):
        why = "a fresh run was asked for" if fresh else "the registry changed since it started"
        run_journal.abandon(store, clock, pending.id, actor, why)
        pending = None
    if pending is not None:
        now, resumed = pending.now, True
        journal = run_journal.StoreJournal(store, pending.id)
    holds = hold_book.all_holds(store)
    retention_plan = plan_retention(
        registry,
        now,
        holds,
        withdrawals_of(registry, store, now),
        constraints_of(registry, connectors),
    )
    if not resumed:
        journal = run_journal.StoreJournal.open_run(store, clock, retention_plan, digest, actor)
    lock.note_run(journal.run_id)
    observe(RunMoment.OPENED)
    try:
        report = execute_plan(
            retention_plan,
            connectors,
            journal,
            at=clock.now(),
            batch_size=batch_size,
            progress=progress,
            checkpoint=observe,
        )
    except RetentionLockLost:
        raise  # another run may hold the store now: the journal is no longer ours to write
    except GardienError as exc:
        journal.close(clock, actor, {}, error=str(exc))
        raise
    observe(RunMoment.EXECUTED)
    summary = {
        "now": retention_plan.now.isoformat(),
        "resumed": resumed,
        "actions": [
            {
                "system": r.action.system,
                "table": r.action.table,
                "stage": r.action.stage.value,
                "action": r.action.kind.value,
                "rows": r.rows,
                "held": r.held,
                **(
                    {"constraints": [effect_summary(e, n) for e, n in r.effects]}
                    if r.effects
                    else {}
                ),
            }
            for r in report.results
        ],
    }
    # gardien's own copies follow retention too: response packages past their download window,
    # connection data in the audit trail older than six months (R-RET-07).
    summary["packages_purged"] = packages.purge_expired(store, clock)
    zone = registry.controller.zone
    summary["connection_data_purged"] = audit.purge_connection_data(store, clock, zone)
    # The proof of an objection to prospecting: kept its declared period (at least 3 years,
    # CNIL référentiel gestion commerciale) from the latest objection, then gone (issue 10 §6).
    summary["suppression_entries_expired"] = suppression.purge_expired(
        store, clock, registry.suppression_list.for_, retention_plan.now, zone=zone, actor=actor
    )
    observe(RunMoment.CLOSING)
    journal.close(clock, actor, summary)
    return RunOutcome(report, resumed)


def effect_summary(effect: Effect, rows: int) -> dict[str, object]:
    """One foreign key's effect on an action, for the run's summary and the plan's JSON."""
    return {
        "constraint": effect.constraint.label,
        "on_delete": effect.constraint.on_delete.value,
        "effect": "blocked" if effect.blocks else "changed",
        "table": f"{effect.constraint.system}.{effect.constraint.table}",
        "rows": rows,
    }
