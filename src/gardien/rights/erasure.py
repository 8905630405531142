"""The erasure decision (Art. 17, R-RGT-03): per row found, erase it or say what keeps it.

A person's erasure request erases what no purpose still needs. For the rest, gardien keeps the
data *for that data only* and says which activity and which legal ground keeps it, and until
when (REQUIREMENTS.md, "Erasure exceptions"):

- an activity based on a legal obligation (or a task in the public interest) keeps its data
  while its retention runs — Art. 17(3)(b);
- a row in the restricted archive (R-RET-08), or whose active phase has ended while an archive
  phase still runs, is kept until the archive phase ends, as proof — Art. 17(3)(e), the
  establishment, exercise or defence of legal claims; it is never erased before;
- a row under a legal hold is kept — Art. 17(3)(e);
- a contract that is still running keeps what performing it needs: the ground of Art. 17(1)(a)
  ("no longer necessary") is not met while it is; the person can end the contract;
- everything else is erased: legitimate-interest activities (the request is an objection,
  Art. 17(1)(c)), consent (Art. 17(1)(b)), prospecting (Art. 21(3)), ended phases.

Whether a phase has ended is asked of the retention policy itself (``phase_ended`` evaluated
on the row), so an erasure and a retention run never disagree; "until when" is computed with
the registry's duration arithmetic. Child rows (``belongs_to``) follow their subject row's
decision and are written before it. Rows kept under a per-column strategy lose the columns no
keeping activity needs (data minimisation, Art. 5(1)(c)).

Pure: no I/O; the result is a plan of :class:`WriteStep` and an :class:`ErasureOutcome`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gardien.clock import naive_utc
from gardien.consent.keys import SubjectKey
from gardien.consent.restriction import recipients_to_notify
from gardien.errors import UsageError
from gardien.holds.model import LegalHold
from gardien.identity import MalformedIdentifier, normalise
from gardien.law.calendar import last_day, local_day
from gardien.registry.events import Combination, EventExpression
from gardien.registry.model import (
    ErasureMethod,
    ErasureStrategy,
    LegalBasis,
    ProcessingActivity,
    Registry,
    RetentionRule,
    Table,
)
from gardien.registry.normalisers import column_normaliser
from gardien.retention.conditions import evaluate
from gardien.retention.policy import phase_ended
from gardien.rights.erasure_execution import WriteAction, WriteStep
from gardien.rights.locate import PersonLocation
from gardien.rights.outcome import ErasureOutcome, KeepReason, KeptRows, TableErasure

HASH_PREFIX = "hmac:"  # a hashed value is recognisable, so it is never hashed twice
ANONYMISED = "[anonymised]"  # the neutral placeholder of ``anonymise`` for text columns

ART_17_3_B = "GDPR Art. 17(3)(b)"
ART_17_3_E = "GDPR Art. 17(3)(e)"
# Not a ground for keeping: the ground for erasing, Art. 17(1)(a), is not met while the
# contract needs the data, which Art. 6(1)(b) makes lawful.
ART_17_1_A = "GDPR Art. 17(1)(a) not met: Art. 6(1)(b)"

Moment = date | datetime


class ErasureInputError(UsageError):
    """The rows given to the decision do not fit the registry (named system.table)."""

    code = "erasure_input"


@dataclass(frozen=True)
class LocatedRow:
    """One row found for the person: where, its key, whether it is archived, its values."""

    system: str
    table: str
    key: Any
    archived: bool
    row: Mapping[str, Any]

    @property
    def where(self) -> str:
        return f"{self.system}.{self.table}" + (" (archive)" if self.archived else "")


def located_rows(location: PersonLocation) -> list[LocatedRow]:
    """The rows of a ``gardien.rights.locate.PersonLocation``, as the decision takes them."""
    return [
        # Dates read on related rows join the row's own under their dotted names (§4).
        LocatedRow(r.system, r.table, r.key, r.archived, {**r.values, **r.related})
        for r in location.all_rows()
    ]


@dataclass(frozen=True)
class RowDecision:
    """What happens to one row."""

    row: LocatedRow
    keep: tuple[KeepReason, ...]  # empty: nothing keeps the row
    delete: bool = False  # the whole row goes
    columns: Mapping[str, ErasureMethod] = field(default_factory=dict)  # columns erased
    already_erased: bool = False  # an earlier erasure left nothing to erase
    released: tuple[str, ...] = ()  # activities that no longer justify the row

    @property
    def kept(self) -> bool:
        return bool(self.keep)


@dataclass(frozen=True)
class ErasurePlan:
    outcome: ErasureOutcome
    steps: tuple[WriteStep, ...]  # children before their parents
    decisions: tuple[RowDecision, ...]


# --- when phases end ---------------------------------------------------------------------------


def _row_day(value: object, zone: str) -> date | None:
    """The day of a row's event value in the controller's zone (issue 10 §1); None if unknown.

    DATE, naive TIMESTAMP/DATETIME (UTC), aware TIMESTAMPTZ and ISO text all become one local
    day, so rows of every column type compare without mixing naive and aware instants.
    """
    if not isinstance(value, (date, str)):
        return None
    try:
        return local_day(value, zone)
    except ValueError:
        return None


def _event_day(
    expr: EventExpression,
    events: Mapping[str, str],
    row: Mapping[str, Any],
    zone: str,
    *,
    start: bool,
) -> date | None:
    """The day the event expression happened on this row (None: not yet, or unknown).

    The same reading as the retention policy: ``earliest`` is the first known day; ``latest``
    as an end needs every event to have happened, as a start takes the latest known day.
    """
    values = [_row_day(row.get(events[e]), zone) for e in expr.events]
    known = [v for v in values if v is not None]
    if expr.combination is Combination.SINGLE:
        return known[0] if known else None
    if not known:
        return None
    if expr.combination is Combination.EARLIEST:
        return min(known)
    if not start and len(known) < len(values):
        return None
    return max(known)


def active_end(
    rule: RetentionRule, events: Mapping[str, str], row: Mapping[str, Any], zone: str = "UTC"
) -> date | None:
    """The last day of the rule's active phase for this row; None while its end event has not
    come. The row is kept all of that day (Reg. 1182/71 art. 3(2)(c), ``law.calendar``)."""
    active = rule.active
    if active.until is not None:
        return _event_day(active.until, events, row, zone, start=False)
    assert active.for_ is not None and active.from_ is not None  # enforced by the model
    began = _event_day(active.from_, events, row, zone, start=True)
    return None if began is None else last_day(began, [active.for_])


def archive_end(
    rule: RetentionRule, events: Mapping[str, str], row: Mapping[str, Any], zone: str = "UTC"
) -> date | None:
    """The last day of the rule's archive phase for this row (R-RET-08); None if not yet known."""
    end = active_end(rule, events, row, zone)
    if end is None or rule.archive is None:
        return end
    return last_day(end, [rule.archive.for_])


def _ended(
    rule: RetentionRule,
    events: Mapping[str, str],
    row: Mapping[str, Any],
    now: datetime,
    zone: str,
    *,
    archive: bool,
) -> bool:
    condition = phase_ended(rule, dict(events), now, include_archive=archive, zone=zone)
    return evaluate(condition, dict(row))


# --- what keeps a subject row ---------------------------------------------------------------


def _text(activity: ProcessingActivity, attribute: str, language: str) -> str | None:
    value = getattr(activity, attribute)
    if not value:
        return None
    texts: Mapping[str, str] = value
    return texts.get(language) or next(iter(texts.values()))


def _holds_value(kind: str, value: str, table: Table, row: LocatedRow, region: str) -> bool:
    column = table.identity.get(kind)
    stored = row.row.get(column) if column else None
    if column is None or stored is None:
        return False
    # The column's rule on both sides, as the retention run's hold condition compares
    # (retention/policy.py _held, issue 10 §2): "06 12 34 56 78" is held by "+33612345678".
    rule = column_normaliser(kind, column, table.normalise, region)
    try:
        held = rule.apply(normalise(kind, value, region))
    except MalformedIdentifier:
        held = rule.apply(value)
    return rule.apply(stored) == held


def _held_by(
    hold: LegalHold, system: str, name: str, table: Table, row: LocatedRow, region: str
) -> bool:
    if hold.identity_kind is not None and hold.identity_value is not None:
        # The identifier named and those read from the person's rows when the hold was placed
        # (issue 10 §3), each compared as retention/policy.py _held compares.
        return any(
            _holds_value(kind, value, table, row, region) for kind, value in hold.identities()
        )
    return hold.system == system and hold.table == name and str(row.key) in hold.keys


def _hold_reason(hold: LegalHold) -> KeepReason:
    case = f" ({hold.case})" if hold.case else ""
    until = hold.appeal_ends if hold.released_at is not None else None
    ground = f"under a legal hold{case}: {hold.reason}"
    if hold.released_at is not None and hold.appeal_ends is not None:
        ground += "; released, kept until the appeal period ends"
    return KeepReason(ART_17_3_E, ground, hold=hold.id, until=until)


def _archive_reason(
    activity_id: str,
    activity: ProcessingActivity,
    rule: RetentionRule,
    until: Moment | None,
    language: str,
) -> KeepReason:
    assert rule.archive is not None
    why = ""
    if rule.archive.reason:
        texts = rule.archive.reason
        why = f" ({texts.get(language) or next(iter(texts.values()))})"
    return KeepReason(
        ART_17_3_E,
        "kept in the restricted archive as proof, for the establishment, exercise or defence "
        f"of legal claims{why}",
        activity=activity_id,
        legal_basis=activity.legal_basis.value,
        until=until,
    )


def _running_reason(
    activity_id: str,
    activity: ProcessingActivity,
    rule: RetentionRule | None,
    until: Moment | None,
    language: str,
) -> KeepReason | None:
    """The ground an activity whose active phase runs has to keep the row, if it has one."""
    basis = activity.legal_basis
    event = None
    if rule is not None and until is None and rule.active.until is not None:
        event = str(rule.active.until)
    if basis is LegalBasis.LEGAL_OBLIGATION:
        obligation = _text(activity, "legal_obligation", language)
        detail = f": {obligation}" if obligation else ""
        return KeepReason(
            ART_17_3_B,
            f"needed to comply with a legal obligation{detail}",
            activity_id,
            basis.value,
            until,
            event,
        )
    if basis is LegalBasis.PUBLIC_TASK:
        return KeepReason(
            ART_17_3_B,
            "needed to perform a task carried out in the public interest",
            activity_id,
            basis.value,
            until,
            event,
        )
    if basis is LegalBasis.CONTRACT:
        return KeepReason(
            ART_17_1_A,
            "still necessary to perform the contract, which is running; once the person ends "
            "the contract, the data follows its retention rule",
            activity_id,
            basis.value,
            until,
            event,
        )
    return None  # consent, legitimate interest, vital interests: the request ends them


def _subject_keep(
    registry: Registry,
    row: LocatedRow,
    now: datetime,
    holds: Sequence[LegalHold],
    language: str,
) -> tuple[list[KeepReason], list[str]]:
    """Why a subject table's row is kept (empty: it is erased), and activities it is freed of."""
    table = registry.systems[row.system].tables[row.table]
    subject = registry.table_subject(row.system, row.table)
    zone = registry.controller.zone
    keep: list[KeepReason] = []
    released: list[str] = []
    rules: list[tuple[str, ProcessingActivity, RetentionRule | None]] = []
    for activity_id in registry.table_activities(row.system, row.table):
        activity = registry.activities.get(activity_id)
        if activity is None or subject is None:
            raise ErasureInputError(f"{row.system}.{row.table}: unknown activity or subject")
        rule = activity.retention.get(subject)
        if rule is not None:
            for event in rule.events():
                if event not in table.events:
                    raise ErasureInputError(
                        f"{row.system}.{row.table}: the retention rule of '{activity_id}' needs "
                        f"the event '{event}', but the table maps no column to it"
                    )
        rules.append((activity_id, activity, rule))

    # R-RET-05: a hold suspends the rules that accept holds (and a table without rules).
    if not rules or any(rule is None or rule.legal_holds for _, _, rule in rules):
        for hold in holds:
            if _held_by(hold, row.system, row.table, table, row, registry.controller.country):
                keep.append(_hold_reason(hold))

    for activity_id, activity, rule in rules:
        if row.archived:
            # R-RET-08: the archive holds proof; only an archive phase keeps it there.
            if (
                rule is not None
                and rule.archive is not None
                and not _ended(rule, table.events, row.row, now, zone, archive=True)
            ):
                until = archive_end(rule, table.events, row.row, zone)
                keep.append(_archive_reason(activity_id, activity, rule, until, language))
            continue
        if rule is None or not _ended(rule, table.events, row.row, now, zone, archive=False):
            until = active_end(rule, table.events, row.row, zone) if rule is not None else None
            reason = _running_reason(activity_id, activity, rule, until, language)
            if reason is None:
                released.append(activity_id)
            else:
                keep.append(reason)
        elif rule.archive is not None and not _ended(
            rule, table.events, row.row, now, zone, archive=True
        ):
            until = archive_end(rule, table.events, row.row, zone)
            keep.append(_archive_reason(activity_id, activity, rule, until, language))
    return keep, released


# --- from reasons to writes -------------------------------------------------------------------


def _strategy(table: Table) -> ErasureStrategy:
    # No declared strategy: erasure removes the row (the checker reports the missing 'erase').
    return table.erase or ErasureStrategy(row=True)


def _column_done(method: ErasureMethod, value: Any) -> bool:
    if value is None:
        return True
    if method is ErasureMethod.HASH:
        return isinstance(value, str) and value.startswith(HASH_PREFIX)
    if method is ErasureMethod.ANONYMISE:
        return bool(value == ANONYMISED)
    return False


def _needed_categories(registry: Registry, keep: Sequence[KeepReason]) -> set[str] | None:
    """Data categories the keeping activities use; None when everything must stay (a hold)."""
    needed: set[str] = set()
    for reason in keep:
        if reason.activity is None:
            return None
        needed.update(registry.activities[reason.activity].data)
    return needed


def _decide_columns(
    row: LocatedRow, table: Table, keep: Sequence[KeepReason], registry: Registry
) -> dict[str, ErasureMethod]:
    strategy = _strategy(table)
    columns = dict(strategy.columns)
    if keep:
        needed = _needed_categories(registry, keep)
        if needed is None:
            return {}
        # A column mapped to no category is kept: gardien does not erase what it cannot name.
        columns = {
            c: m
            for c, m in columns.items()
            if c in table.columns and table.columns[c] not in needed
        }
    return {c: m for c, m in columns.items() if not _column_done(m, row.row.get(c))}


def _ancestors(registry: Registry, system: str, name: str) -> list[str]:
    """From the table up to its subject table (``belongs_to`` links), the table first."""
    tables = registry.systems[system].tables
    chain = [name]
    while (link := tables[chain[-1]].belongs_to) is not None:
        if link.table not in tables or link.table in chain:
            raise ErasureInputError(
                f"{system}.{name}: its parent table {system}.{link.table} is not declared"
            )
        chain.append(link.table)
    return chain


def decide_erasure(
    registry: Registry,
    request_id: str,
    rows: Iterable[LocatedRow],
    now: datetime,
    *,
    key: SubjectKey,
    holds: Sequence[LegalHold] = (),
    language: str = "en",
) -> ErasurePlan:
    """Decide every row of the person: what is erased, how, and what is kept and why."""
    moment = naive_utc(now)
    in_force = [h for h in holds if h.in_force(now, registry.controller.zone)]
    found = list(rows)
    index: dict[tuple[str, str, bool, Any], LocatedRow] = {}
    for row in found:
        if (
            row.system not in registry.systems
            or row.table not in registry.systems[row.system].tables
        ):
            raise ErasureInputError(f"{row.system}.{row.table} is not a table of the registry")
        index[(row.system, row.table, row.archived, row.key)] = row

    decisions: dict[tuple[str, str, bool, Any], RowDecision] = {}

    def decide(row: LocatedRow) -> RowDecision:
        at = (row.system, row.table, row.archived, row.key)
        if at in decisions:
            return decisions[at]
        table = registry.systems[row.system].tables[row.table]
        parent_deleted = False
        if table.belongs_to is None:
            keep, released = _subject_keep(registry, row, moment, in_force, language)
        else:
            link = table.belongs_to
            parent_key = row.row.get(link.column)
            parent = index.get((row.system, link.table, row.archived, parent_key))
            if parent is None:
                raise ErasureInputError(
                    f"{row.where} row {row.key}: its parent {row.system}.{link.table} row "
                    f"{parent_key} is not among the rows found for the person"
                )
            above = decide(parent)
            keep, released = list(above.keep), list(above.released)
            parent_deleted = above.delete
        if not keep and (parent_deleted or _strategy(table).row):
            decision = RowDecision(row, (), delete=True, released=tuple(released))
        else:
            columns = _decide_columns(row, table, keep, registry)
            already = not keep and not columns
            decision = RowDecision(
                row, tuple(keep), columns=columns, already_erased=already, released=tuple(released)
            )
        decisions[at] = decision
        return decision

    for row in found:
        decide(row)
    ordered = [decisions[(r.system, r.table, r.archived, r.key)] for r in found]
    steps = _steps(registry, ordered, key)
    outcome = ErasureOutcome(
        request_id,
        now,
        _tables(registry, ordered),
        tuple(_recipients(registry, ordered)),
    )
    return ErasurePlan(outcome, tuple(steps), tuple(ordered))


def hashed(key: SubjectKey, value: Any) -> str:
    """The keyed hash that replaces a value: same value, same hash (joins survive), no value."""
    return HASH_PREFIX + key.digest("erasure", str(value))


def _steps(
    registry: Registry, decisions: Sequence[RowDecision], key: SubjectKey
) -> list[WriteStep]:
    deletes: dict[tuple[str, str, bool], list[Any]] = defaultdict(list)
    updates: dict[tuple[str, str, bool, tuple[tuple[str, str], ...]], list[RowDecision]] = (
        defaultdict(list)
    )
    for d in decisions:
        where = (d.row.system, d.row.table, d.row.archived)
        if d.delete:
            deletes[where].append(d.row.key)
        elif d.columns:
            shape = tuple(sorted((c, m.value) for c, m in d.columns.items()))
            updates[(*where, shape)].append(d)

    steps: list[tuple[tuple[Any, ...], WriteStep]] = []

    def order(system: str, table: str, archived: bool, action: WriteAction) -> tuple[Any, ...]:
        depth = len(_ancestors(registry, system, table))
        # Children (deepest) first; a table's updates before its deletes.
        return (system, -depth, table, archived, action is WriteAction.DELETE)

    for (system, table, archived), keys in deletes.items():
        spec = registry.systems[system].tables[table]
        steps.append(
            (
                order(system, table, archived, WriteAction.DELETE),
                WriteStep(
                    system,
                    table,
                    archived,
                    spec.key,
                    WriteAction.DELETE,
                    tuple(sorted(keys, key=str)),
                ),
            )
        )
    for (system, table, archived, shape), group in updates.items():
        spec = registry.systems[system].tables[table]
        constants: dict[str, Any] = {}
        per_key: dict[str, dict[Any, Any]] = {}
        for column, method_name in shape:
            method = ErasureMethod(method_name)
            if method is ErasureMethod.NULL or method is ErasureMethod.DELETE:
                constants[column] = None
                continue
            values: dict[Any, Any] = {}
            for d in group:
                value = d.row.row.get(column)
                if method is ErasureMethod.HASH:
                    if not isinstance(value, str):
                        raise ErasureInputError(
                            f"{system}.{table}.{column}: 'hash' erasure needs a text column, "
                            f"but it holds {type(value).__name__} values (use null or anonymise)"
                        )
                    values[d.row.key] = hashed(key, value)
                else:  # anonymise: a neutral placeholder in text, emptiness elsewhere
                    values[d.row.key] = ANONYMISED if isinstance(value, str) else None
            per_key[column] = values
        steps.append(
            (
                order(system, table, archived, WriteAction.UPDATE),
                WriteStep(
                    system,
                    table,
                    archived,
                    spec.key,
                    WriteAction.UPDATE,
                    tuple(sorted((d.row.key for d in group), key=str)),
                    constants,
                    per_key,
                ),
            )
        )
    steps.sort(key=lambda pair: pair[0])
    return [step for _, step in steps]


def _method(table: Table) -> str:
    strategy = _strategy(table)
    if strategy.row:
        return "delete row"
    return "columns: " + ", ".join(f"{c}={m.value}" for c, m in sorted(strategy.columns.items()))


def _tables(registry: Registry, decisions: Sequence[RowDecision]) -> tuple[TableErasure, ...]:
    groups: dict[tuple[str, str, bool], list[RowDecision]] = defaultdict(list)
    for d in decisions:
        groups[(d.row.system, d.row.table, d.row.archived)].append(d)
    out: list[TableErasure] = []
    for (system, name, archived), group in sorted(groups.items()):
        table = registry.systems[system].tables[name]
        method = _method(table)
        if not _strategy(table).row and any(d.delete for d in group):
            method += "; rows whose parent row is deleted are deleted with it"
        kept = [d for d in group if d.kept]
        reasons: dict[KeepReason, int] = defaultdict(int)
        for d in kept:
            for reason in d.keep:
                reasons[reason] += 1
        partly = [d for d in kept if d.columns]
        released = sorted({a for d in kept for a in d.released})
        out.append(
            TableErasure(
                system=system,
                table=name,
                archived=archived,
                method=method,
                found=len(group),
                erased=len(group) - len(kept),
                kept=len(kept),
                partly_erased=len(partly),
                erased_columns=tuple(sorted({c for d in partly for c in d.columns})),
                already_erased=sum(1 for d in group if d.already_erased),
                kept_because=tuple(
                    KeptRows(reason, count)
                    for reason, count in sorted(
                        reasons.items(), key=lambda item: _reason_order(item[0])
                    )
                ),
                no_longer_used_for=tuple(released),
            )
        )
    return tuple(out)


def _reason_order(reason: KeepReason) -> tuple[str, str, str, str]:
    until = "" if reason.until is None else reason.until.isoformat()
    return (reason.article, reason.activity or "", reason.hold or "", until)


def _recipients(registry: Registry, decisions: Sequence[RowDecision]) -> list[str]:
    """Art. 19: recipients of the activities whose data was erased, to be told of it."""
    activities: list[str] = []
    for d in decisions:
        if d.delete or d.columns:
            for activity in registry.table_activities(d.row.system, d.row.table):
                if activity not in activities:
                    activities.append(activity)
    return recipients_to_notify(registry, activities) if activities else []
