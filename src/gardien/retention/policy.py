"""The retention policy: registry + now + legal holds → which rows leave which phase.

For every table, each of its activities keeps a row for as long as that activity's rule for the
table's subject category says (R-RET-01…09). A row is kept while at least one activity still
justifies it:

- while any activity's active phase runs, the row stays in the active table;
- when every active phase has ended and some activity declares an archive phase that is still
  running, the row moves to the restricted archive (R-RET-08);
- when every phase of every activity has ended, the row is deleted or anonymised.

An activity with no rule for the table's subject keeps the row indefinitely: gardien never
deletes on a rule it does not have (the checker reports the gap). Child tables follow their
subject's row and are handled before it, so a parent is never removed under its children.
Legal holds take rows out of every action (R-RET-05).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from gardien.clock import naive_utc
from gardien.holds.model import LegalHold
from gardien.law.calendar import latest_event_day_gone_by, local_day
from gardien.registry.duration import Duration
from gardien.registry.events import Combination, EventExpression
from gardien.registry.model import (
    CategoryRetention,
    ClearMethod,
    EndAction,
    Registry,
    RetentionRule,
    Table,
)
from gardien.registry.normalisers import column_normaliser
from gardien.registry.unknown_dates import IfUnknown
from gardien.retention.conditions import (
    FALSE,
    AnyNotNull,
    Condition,
    IsNull,
    NormalisedIn,
    OnOrBefore,
    ParentMatches,
    Uncleared,
    ValueIn,
    all_of,
    any_of,
    negate,
)
from gardien.retention.constraints import Effect, ForeignKey
from gardien.retention.relations import UnknownRelation, related_tables, through_relations
from gardien.retention.unknown import (
    ReviewAction,
    review_condition,
    review_reasons,
    unknown_under,
)
from gardien.retention.withdrawal import NONE, Withdrawals, withdrawn_rows


class Stage(StrEnum):
    ACTIVE = "active"  # the table the organisation uses
    ARCHIVE = "archive"  # gardien's restricted archive table beside it


class ActionKind(StrEnum):
    ARCHIVE = "archive"  # move from the active table to the archive table
    DELETE = "delete"
    ANONYMISE = "anonymise"
    CLEAR = "clear"  # a category's columns emptied while the row stays (issue 10 §6)


# The placeholder erasure's ``anonymise`` writes in text columns (rights.erasure.ANONYMISED,
# which imports this module; a test holds them equal).
ANONYMISED = "[anonymised]"


@dataclass(frozen=True)
class TableAction:
    """One set-based action on one table: the rows matching ``eligible`` and not ``held``."""

    system: str
    table: str
    stage: Stage
    kind: ActionKind
    key: str
    eligible: Condition
    held: Condition
    personal_columns: tuple[str, ...] = ()
    parent: str | None = None  # for child tables: the parent table, for display
    # CLEAR: the data category whose rule ends, its columns, and anonymise's placeholder
    # (None: the columns are set to NULL).
    category: str | None = None
    cleared: tuple[str, ...] = ()
    placeholder: str | None = None

    effects: tuple[Effect, ...] = ()  # the database's foreign keys acting on this action

    @property
    def blocked(self) -> Condition:
        """Rows a RESTRICT / NO ACTION foreign key still references (constraints.py)."""
        return any_of([e.referenced for e in self.effects if e.blocks])

    @property
    def reached(self) -> Condition:
        """The rows the rule reaches and no legal hold keeps, blocked or not."""
        # A child's ``eligible`` already excludes held parents (see _table_action).
        return self.eligible if self.parent else all_of([self.eligible, negate(self.held)])

    @property
    def target(self) -> Condition:
        if self.kind is ActionKind.CLEAR:
            # Held rows keep their columns (R-RET-05); cleared rows are never touched twice.
            return all_of(
                [self.eligible, negate(self.held), Uncleared(self.cleared, self.placeholder)]
            )
        condition = all_of([self.reached, negate(self.blocked)])
        if self.kind is ActionKind.ANONYMISE:
            # Rows already anonymised have no personal value left: never touched twice.
            condition = all_of([condition, AnyNotNull(self.personal_columns)])
        return condition

    @property
    def label(self) -> str:
        where = f"{self.table} (archive)" if self.stage is Stage.ARCHIVE else self.table
        if self.kind is ActionKind.CLEAR:
            return f"{self.system}.{where}: clear {self.category} ({', '.join(self.cleared)})"
        return f"{self.system}.{where}: {self.kind.value}"


@dataclass(frozen=True)
class RetentionPlan:
    now: datetime
    actions: tuple[TableAction, ...]
    # Rows only an unknown start keeps (issue 10 §5): listed, never acted on.
    reviews: tuple[ReviewAction, ...] = ()
    constraints: tuple[ForeignKey, ...] = ()  # the foreign keys the databases declared


class RetentionPolicyError(ValueError):
    """The registry cannot be enforced as written (named table, event, column)."""


# --- conditions for one rule ----------------------------------------------------------------


def _occurred_by(expr: EventExpression, columns: dict[str, str], day: date, zone: str) -> Condition:
    """The event expression's day is on or before ``day`` (in the controller's zone)."""
    cols = [columns[e] for e in expr.events]
    if expr.combination is Combination.SINGLE:
        return OnOrBefore(cols[0], day, zone)
    if expr.combination is Combination.EARLIEST:
        return any_of([OnOrBefore(c, day, zone) for c in cols])
    # latest: every event has happened (an event still to come keeps it open) …
    return all_of([OnOrBefore(c, day, zone) for c in cols])


def _started_by(
    expr: EventExpression, columns: dict[str, str], cutoff: date, zone: str
) -> Condition:
    """The start of a duration, taken from the expression, is on or before the day ``cutoff``."""
    cols = [columns[e] for e in expr.events]
    if expr.combination is Combination.SINGLE:
        return OnOrBefore(cols[0], cutoff, zone)
    if expr.combination is Combination.EARLIEST:
        return any_of([OnOrBefore(c, cutoff, zone) for c in cols])
    # latest(a, b): the latest known date is the start (R-RET-02 "whichever is later"); unknown
    # dates are ignored, but at least one must be known.
    return all_of(
        [
            all_of([any_of([IsNull(c), OnOrBefore(c, cutoff, zone)]) for c in cols]),
            any_of([negate(IsNull(c)) for c in cols]),
        ]
    )


def phase_ended(
    rule: RetentionRule | None,
    columns: dict[str, str],
    now: datetime,
    *,
    include_archive: bool,
    zone: str = "UTC",
) -> Condition:
    """Rows for which the rule's active phase (and, if asked, its archive phase) has ended.

    Counted in whole days in the controller's time zone ``zone`` (issue 10 §1, Reg. 1182/71
    art. 3): a row is present all of its last day (``law.calendar.last_day``) and gone from
    the next, so the event days gone by today are those up to ``latest_event_day_gone_by``.
    """
    if rule is None:
        return FALSE  # no rule: this activity keeps the row (the checker flags the gap)
    today = local_day(now, zone)
    extra: list[Duration] = []
    if include_archive and rule.archive is not None:
        extra.append(rule.archive.for_)
    active = rule.active
    if active.until is not None:
        # "until" the event: kept all of the event's day, then the archive phase if asked.
        return _occurred_by(active.until, columns, latest_event_day_gone_by(today, extra), zone)
    assert active.for_ is not None and active.from_ is not None  # enforced by the model
    cutoff = latest_event_day_gone_by(today, [active.for_, *extra])
    # if_unknown: delete (issue 10 §5): a row with no start is past the rule, every phase of it.
    return any_of(
        [
            _started_by(active.from_, columns, cutoff, zone),
            unknown_under(rule, columns, IfUnknown.DELETE),
        ]
    )


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Family:
    """A subject table and its descendants, children listed before their parents."""

    system: str
    root: str
    order: tuple[str, ...]  # deepest first, root last


def _families(
    registry: Registry, system_id: str, constraints: Sequence[ForeignKey] = ()
) -> list[_Family]:
    tables = registry.systems[system_id].tables
    children: dict[str, list[str]] = {}
    for name, table in tables.items():
        if table.belongs_to is not None:
            children.setdefault(table.belongs_to.table, []).append(name)

    def post_order(name: str, seen: frozenset[str]) -> list[str]:
        out: list[str] = []
        for child in sorted(children.get(name, [])):
            if child not in seen:
                out.extend(post_order(child, seen | {child}))
        return [*out, name]

    families = [
        _Family(system_id, name, tuple(post_order(name, frozenset({name}))))
        for name, table in tables.items()
        if table.subject is not None
    ]
    return _dependents_first(registry, system_id, families, constraints)


def _dependents_first(
    registry: Registry,
    system_id: str,
    families: list[_Family],
    constraints: Sequence[ForeignKey],
) -> list[_Family]:
    """Families whose tables read dates from, or hold foreign keys to, another family's tables
    come before it: a trusted person is deleted before the client row its end date is read
    from (R-RET-03), a referencing row before the row it references. A circle keeps the
    declared order for the families in it."""
    tables = registry.systems[system_id].tables
    family_of = {name: f.root for f in families for name in f.order}
    first: dict[str, set[str]] = {f.root: set() for f in families}  # root → roots before it
    as_dict = dict(tables)
    for name in tables:
        mine = family_of.get(name)
        for related in related_tables(as_dict, name):
            other = family_of.get(related)
            if mine is not None and other is not None and other != mine:
                first[other].add(mine)
    for fk in constraints:
        if fk.system != system_id:
            continue
        mine, other = family_of.get(fk.table), family_of.get(fk.referred_table)
        if mine is not None and other is not None and other != mine:
            first[other].add(mine)
    ordered: list[_Family] = []
    by_root = {f.root: f for f in families}
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(root: str) -> None:
        if root in done or root in visiting:
            return
        visiting.add(root)
        for other in sorted(first[root]):
            visit(other)
        visiting.discard(root)
        done.add(root)
        ordered.append(by_root[root])

    for family in families:
        visit(family.root)
    return ordered


def _rules(registry: Registry, system_id: str, table_name: str) -> list[RetentionRule | None]:
    subject = registry.table_subject(system_id, table_name)
    rules: list[RetentionRule | None] = []
    for activity_id in registry.table_activities(system_id, table_name):
        activity = registry.activities.get(activity_id)
        if activity is None or subject is None:
            raise RetentionPolicyError(f"{system_id}.{table_name}: unknown activity or subject")
        rules.append(activity.retention.get(subject))
    return rules


def _check_events(
    system_id: str, name: str, table: Table, rules: Sequence[RetentionRule | None]
) -> None:
    for rule in rules:
        if rule is None:
            continue
        for event in rule.events():
            if event not in table.events:
                raise RetentionPolicyError(
                    f"{system_id}.{name}: the retention rule needs the event '{event}', "
                    f"but the table maps no column to it (add events: {{{event}: <column>}})"
                )


def _personal_columns(table: Table) -> tuple[str, ...]:
    """Columns an anonymisation clears: mapped personal data, minus dates that drive retention."""
    personal = set(table.columns) | set(table.identity.values())
    personal -= set(table.own_events.values()) | {table.key}
    if table.belongs_to is not None:
        personal.discard(table.belongs_to.column)
    # A relation's column is a link, not a value about the person: clearing it would lose
    # the dates read through it (events: {contract_end: client.contract_ended_on}).
    personal -= {r.column for r in table.relations.values() if r.column is not None}
    return tuple(sorted(personal))


def _held(
    registry: Registry, system_id: str, table: Table, name: str, holds: Sequence[LegalHold]
) -> Condition:
    conditions: list[Condition] = []
    by_kind: dict[str, list[str]] = {}
    for hold in holds:
        if hold.identity_kind is not None and hold.identity_value is not None:
            # The identifier named and those read from the person's rows when the hold was
            # placed (issue 10 §3): the e-mail's hold protects the recording of the phone.
            for kind, value in hold.identities():
                by_kind.setdefault(kind, []).append(value)
        elif hold.system == system_id and hold.table == name and hold.keys:
            conditions.append(ValueIn(table.key, tuple(hold.keys)))
    for kind, values in sorted(by_kind.items()):
        if kind in table.identity:
            # A hold on a caller's number protects the recording stored as "06 12 34 56 78"
            # (issue 10 §2, R-RET-05): both sides are compared in the column's normal form.
            column = table.identity[kind]
            rule = column_normaliser(kind, column, table.normalise, registry.controller.country)
            if rule.exact:
                conditions.append(ValueIn(column, tuple(sorted(set(values)))))
            else:
                normalised = tuple(sorted({rule.apply(v) for v in values}))
                conditions.append(NormalisedIn(column, rule, normalised))
    return any_of(conditions)


def plan_retention(
    registry: Registry,
    now: datetime,
    holds: Sequence[LegalHold] = (),
    withdrawals: Withdrawals = NONE,
    constraints: Sequence[ForeignKey] = (),
) -> RetentionPlan:
    """Every action a retention run takes at ``now``, in a safe order (children first, and
    tables that read dates from or reference another table before it).

    ``withdrawals``: the consents withdrawn as of ``now`` (Art. 7(3)): a consent-based activity
    no longer keeps the rows of the people who withdrew (``retention.withdrawal``).
    ``constraints``: the databases' foreign keys, which leave referenced rows out
    (constraints.py).
    """
    moment = naive_utc(now)
    zone = registry.controller.zone
    in_force = [h for h in holds if h.in_force(now, zone)]
    actions: list[TableAction] = []
    reviews: list[ReviewAction] = []
    for system_id in sorted(registry.systems):
        tables = registry.systems[system_id].tables
        for family in _families(registry, system_id, constraints):
            root = tables[family.root]
            rules = _rules(registry, system_id, family.root)
            _check_events(system_id, family.root, root, rules)
            # A withdrawal ends every phase of a consent-based activity (Art. 7(3)).
            withdrawn = [
                withdrawn_rows(registry, root, a, withdrawals)
                for a in registry.table_activities(system_id, family.root)
            ]

            def own(
                condition: Condition, system: str = system_id, name: str = family.root
            ) -> Condition:
                # Dates read through relations are compared on the related rows (§4).
                return _on_own_rows(condition, registry, system, name)

            active_over = own(
                all_of(
                    [
                        any_of(
                            [
                                phase_ended(
                                    r, root.events, moment, include_archive=False, zone=zone
                                ),
                                w,
                            ]
                        )
                        for r, w in zip(rules, withdrawn, strict=True)
                    ]
                )
            )
            ended = [
                any_of([phase_ended(r, root.events, moment, include_archive=True, zone=zone), w])
                for r, w in zip(rules, withdrawn, strict=True)
            ]
            all_over = own(all_of(ended))
            under_review = own(review_condition(rules, ended, root.events))
            if under_review != FALSE:
                activities = registry.table_activities(system_id, family.root)
                reviews.append(
                    ReviewAction(
                        system_id,
                        family.root,
                        root.key,
                        under_review,
                        review_reasons(activities, rules),
                    )
                )
            has_archive = any(r is not None and r.archive is not None for r in rules)
            end = (
                ActionKind.ANONYMISE
                if any(r is not None and r.then is EndAction.ANONYMISE for r in rules)
                else ActionKind.DELETE
            )
            holds_apply = any(r is None or r.legal_holds for r in rules)
            root_held = (
                _held(registry, system_id, root, family.root, in_force) if holds_apply else FALSE
            )
            if not rules or all_over == FALSE:
                continue
            steps: list[tuple[Stage, ActionKind, Condition]] = [(Stage.ACTIVE, end, all_over)]
            if has_archive:
                archive_only = all_of([active_over, negate(all_over)])
                steps.append((Stage.ACTIVE, ActionKind.ARCHIVE, archive_only))
                steps.append((Stage.ARCHIVE, end, all_over))
            for stage, kind, root_condition in steps:
                for name in family.order:
                    action = _table_action(
                        registry,
                        system_id,
                        name,
                        stage,
                        kind,
                        root_condition,
                        root_held,
                        family.root,
                    )
                    actions.append(_with_effects(action, constraints, actions))
        actions.extend(_category_actions(registry, system_id, moment, in_force))
    return RetentionPlan(
        now=now,
        actions=tuple(actions),
        reviews=tuple(reviews),
        constraints=tuple(constraints),
    )


def _on_own_rows(condition: Condition, registry: Registry, system_id: str, name: str) -> Condition:
    """The rule's condition with dates read through relations moved onto the related rows."""
    try:
        return through_relations(condition, dict(registry.systems[system_id].tables), name)
    except UnknownRelation as exc:
        raise RetentionPolicyError(f"{system_id}.{exc}") from exc


def _removes(action: TableAction) -> bool:
    """Whether the action takes rows out of the active table (deleting or moving them to the
    archive; an anonymisation keeps the row and its key)."""
    return action.stage is Stage.ACTIVE and action.kind is not ActionKind.ANONYMISE


def _with_effects(
    action: TableAction, constraints: Sequence[ForeignKey], earlier: Sequence[TableAction]
) -> TableAction:
    """The foreign keys that act when this action removes rows; each knows which referencing
    rows are still there by then (the earlier actions on that table have run), so that the
    plan counts what the run will meet."""
    if not _removes(action):
        return action
    effects = []
    for fk in constraints:
        if fk.system != action.system or fk.referred_table != action.table:
            continue
        gone = [a.target for a in earlier if a.table == fk.table and _removes(a)]
        effects.append(Effect(fk, fk.blocks, negate(any_of(gone))))
    return replace(action, effects=tuple(effects)) if effects else action


def _table_action(
    registry: Registry,
    system_id: str,
    name: str,
    stage: Stage,
    kind: ActionKind,
    root_condition: Condition,
    root_held: Condition,
    root: str,
) -> TableAction:
    tables = registry.systems[system_id].tables
    table = tables[name]
    if name == root:
        return TableAction(
            system_id,
            name,
            stage,
            kind,
            table.key,
            root_condition,
            root_held,
            _personal_columns(table),
        )
    # A child follows its parent: wrap the root's conditions in one ParentMatches per level.
    chain: list[str] = []
    current: str | None = name
    while current is not None and current != root:
        chain.append(current)
        link = tables[current].belongs_to
        current = link.table if link else None
    eligible = all_of([root_condition, negate(root_held)])
    held = all_of([root_condition, root_held])
    for level_name in reversed(chain):  # from the root's child down to ``name``
        link = tables[level_name].belongs_to
        assert link is not None
        parent = tables[link.table]
        archived = stage is Stage.ARCHIVE
        eligible = ParentMatches(link.column, link.table, parent.key, eligible, archived)
        held = ParentMatches(link.column, link.table, parent.key, held, archived)
    parent_name = table.belongs_to.table if table.belongs_to else None
    return TableAction(
        system_id,
        name,
        stage,
        kind,
        table.key,
        eligible,
        held,
        _personal_columns(table),
        parent_name,
    )


# --- per-category rules: columns cleared while the row stays (issue 10 §6) ------------------


def category_columns(registry: Registry, table: Table) -> dict[str, tuple[str, ...]]:
    """Data category with its own retention → the table's columns that hold it. Not the key,
    the parent link nor the dates that drive retention (as ``_personal_columns``): a cleared
    row must still be found, followed and recognised as cleared."""
    kept = {table.key, *table.events.values()}
    if table.belongs_to is not None:
        kept.add(table.belongs_to.column)
    found: dict[str, list[str]] = {}
    for column, category in sorted(table.columns.items()):
        spec = registry.data.get(category)
        if spec is not None and spec.retention is not None and column not in kept:
            found.setdefault(category, []).append(column)
    return {category: tuple(columns) for category, columns in sorted(found.items())}


def category_ended(
    rule: CategoryRetention, columns: dict[str, str], now: datetime, zone: str = "UTC"
) -> Condition:
    """Rows whose category period has ended: the same reading as an active phase."""
    # A category rule is an active phase (its subclass); an empty start clears nothing
    # (if_unknown keep): the row's own rule still bounds it.
    as_rule = RetentionRule(active=rule, if_unknown=IfUnknown.KEEP if rule.from_ else None)
    return phase_ended(as_rule, columns, now, include_archive=False, zone=zone)


def _held_with_parents(
    registry: Registry,
    system_id: str,
    name: str,
    holds: Sequence[LegalHold],
    archived: bool,
) -> Condition:
    """A table's rows a hold keeps: held themselves, or through any parent up the chain."""
    tables = registry.systems[system_id].tables
    table = tables[name]
    own = _held(registry, system_id, table, name, holds)
    link = table.belongs_to
    if link is None or link.table not in tables:
        return own
    parent = tables[link.table]
    above = _held_with_parents(registry, system_id, link.table, holds, archived)
    if above == FALSE:
        return own
    return any_of([own, ParentMatches(link.column, link.table, parent.key, above, archived)])


def _category_actions(
    registry: Registry, system_id: str, moment: datetime, holds: Sequence[LegalHold]
) -> list[TableAction]:
    """One CLEAR action per table, category and stage: the columns of a category whose own
    period has ended are emptied by one set-based UPDATE per batch, the row staying
    (C. com. L.123-22 keeps the invoice 10 years, CNIL 2018-303 the card number 13 months)."""
    actions: list[TableAction] = []
    tables = registry.systems[system_id].tables
    for name in sorted(tables):
        table = tables[name]
        by_category = category_columns(registry, table)
        if not by_category:
            continue
        archived = _family_archives(registry, system_id, name)
        for category, columns in by_category.items():
            rule = registry.data[category].retention
            assert rule is not None
            for event in rule.events():
                if event not in table.events:
                    raise RetentionPolicyError(
                        f"{system_id}.{name}: the retention of data category '{category}' "
                        f"needs the event '{event}', but the table maps no column to it "
                        f"(add events: {{{event}: <column>}})"
                    )
            eligible = category_ended(rule, table.events, moment, registry.controller.zone)
            if eligible == FALSE:
                continue
            placeholder = ANONYMISED if rule.then is ClearMethod.ANONYMISE else None
            parent = table.belongs_to.table if table.belongs_to else None
            stages = [Stage.ACTIVE, Stage.ARCHIVE] if archived else [Stage.ACTIVE]
            for stage in stages:
                held = (
                    _held_with_parents(
                        registry, system_id, name, holds, archived=stage is Stage.ARCHIVE
                    )
                    if rule.legal_holds
                    else FALSE
                )
                actions.append(
                    TableAction(
                        system_id,
                        name,
                        stage,
                        ActionKind.CLEAR,
                        table.key,
                        eligible,
                        held,
                        parent=parent,
                        category=category,
                        cleared=columns,
                        placeholder=placeholder,
                    )
                )
    return actions


def _family_archives(registry: Registry, system_id: str, name: str) -> bool:
    """Whether the table's rows can be in the restricted archive (a rule with an archive)."""
    try:
        rules = _rules(registry, system_id, name)
    except RetentionPolicyError:
        return False
    return any(r is not None and r.archive is not None for r in rules)
