"""Dates that put each synthetic person at a known point of their retention timeline.

For each retention rule of a table (the subject's ``RetentionRule`` in each of the table's
activities: R-RET-01…08), rows are spread over scenarios relative to ``now``:

    running            active phase not over (``until`` event not happened; ``for`` half-way)
    active_edge        active phase ends 1 day after now (still active)
    ended_edge         active phase ended 1 day before now (archive if declared, else expired)
    archived_early     20 % into the archive phase            (only with an archive phase)
    archived_late      80 % into the archive phase            (only with an archive phase)
    archive_edge_in    archive phase ends 1 day after now     (only with an archive phase)
    archive_edge_out   archive phase ended 1 day before now   (only with an archive phase)
    expired            long past every phase

For ima-protect this gives contracts running, ended 1 day, 1 year, 4 years, 5 years ± 1 day and
6 years ago; prospects whose later date is 1 year (active) or 3 years (expired) old; trusted
persons designated, removed, or whose client's contract ended; recordings 3 and 9 months old.
A row's scenario is visible only in its dates, as in production: the engine must find it.

Rules of a table that share the same active phase are one timeline (the longest archive wins);
a table with several timelines takes them in turn, row by row, and gives the other timelines'
events the same end moment, so that every rule is exercised at its own edges.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from gardien.registry.duration import Duration
from gardien.registry.events import Combination, EventExpression
from gardien.registry.model import ActivePhase, Registry

When = TypeVar("When", dt.date, dt.datetime)
DAY = dt.timedelta(days=1)
YEAR_DAYS = 365


@dataclass(frozen=True)
class ScenarioMix:
    """The share of rows per outcome at ``now``, for each timeline of a table.

    ``active``, ``archived`` and ``expired`` are relative weights of the rows away from any
    edge; ``boundary`` is the fraction of all rows placed 1 day before or after an edge, split
    evenly over the edges of the timeline (2 without an archive phase, 4 with one). Without an
    archive phase, the ``archived`` weight is shared between active and expired in proportion.

    The default gives about half of the rows expired for a rule without an archive phase
    (the benchmark's "~half expired"), and 43 % expired, 13 % archived for one with an archive.
    ``ScenarioMix(active=1, archived=0, expired=0, boundary=0)`` keeps every row active.
    """

    active: float = 0.45
    archived: float = 0.10
    expired: float = 0.45
    boundary: float = 0.08

    def __post_init__(self) -> None:
        shares = (self.active, self.archived, self.expired, self.boundary)
        if any(share < 0 for share in shares):
            raise ValueError("scenario shares cannot be negative")
        if self.active + self.archived + self.expired <= 0:
            raise ValueError("at least one of active, archived, expired must be positive")
        if self.boundary > 1:
            raise ValueError("boundary is a fraction of all rows, at most 1")


class Outcome(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Timeline:
    """One distinct active phase of a table's rules, followed by the longest archive phase."""

    activity: str
    active: ActivePhase
    archive: Duration | None

    @property
    def expression(self) -> EventExpression:
        expr = self.active.until if self.active.until is not None else self.active.from_
        assert expr is not None  # ActivePhase validates that one of them is set
        return expr

    def active_end(self, anchor: When) -> When:
        """When the active phase ends: the ``until`` event itself, or the start + duration."""
        if self.active.for_ is None:
            return anchor
        return self.active.for_.add_to(anchor)

    def anchor_for_end(self, end: When) -> When:
        """The anchor (event date) whose active phase ends at ``end`` (or just before)."""
        if self.active.for_ is None:
            return end
        return self.active.for_.latest_start_ended_by(end)

    def archive_end(self, anchor: When) -> When:
        end = self.active_end(anchor)
        return self.archive.add_to(end) if self.archive is not None else end


def table_timelines(registry: Registry, system_id: str, table: str) -> list[Timeline]:
    """The distinct timelines of a subject table, from its activities' retention rules."""
    subject = registry.table_subject(system_id, table)
    found: dict[ActivePhase, Timeline] = {}
    for activity_id in registry.table_activities(system_id, table):
        activity = registry.activities.get(activity_id)
        rule = activity.retention.get(subject) if activity and subject else None
        if rule is None:
            continue
        archive = rule.archive.for_ if rule.archive is not None else None
        known = found.get(rule.active)
        if known is None or _longer(archive, known.archive):
            found[rule.active] = Timeline(activity_id, rule.active, archive)
    return list(found.values())


def _longer(a: Duration | None, b: Duration | None) -> bool:
    if a is None:
        return False
    if b is None:
        return True
    probe = dt.date(2000, 1, 1)
    return a.add_to(probe) > b.add_to(probe)


def _days(duration: Duration | None, now: dt.datetime) -> int:
    return (duration.add_to(now) - now).days if duration is not None else 0


def _first(start: When, f: Callable[[When], When], bound: When) -> When:
    """The smallest anchor, in whole days from ``start``, with ``f(anchor) >= bound``."""
    x = start
    while f(x) < bound:
        x += DAY
    while f(x - DAY) >= bound:
        x -= DAY
    return x


def _last(start: When, f: Callable[[When], When], bound: When) -> When:
    """The largest anchor, in whole days from ``start``, with ``f(anchor) <= bound``."""
    x = start
    while f(x) > bound:
        x -= DAY
    while f(x + DAY) <= bound:
        x += DAY
    return x


@dataclass(frozen=True)
class Scenario:
    """Where a row stands at ``now`` on its governing timeline, and the anchor that puts it there.

    ``anchor`` is the date of the event that ends the active phase (``until`` rules) or that
    starts it (``for … from`` rules); ``None`` for an ``until`` event that has not happened.
    ``date_anchor`` is the same for ``*_on`` (DATE) columns, computed on days, so that edges
    stay 1 day away from ``now`` whatever the column type. ``jitter_days`` spreads the rows
    that are not on an edge.
    """

    name: str
    outcome: Outcome
    weight: float
    anchor: dt.datetime | None
    date_anchor: dt.date | None
    jitter_days: int = 0


def scenarios(timeline: Timeline, now: dt.datetime, mix: ScenarioMix) -> list[Scenario]:
    """The scenarios of one timeline at ``now`` with their weights (summing to 1)."""
    today = now.date()
    active_days = _days(timeline.active.for_, now)
    archive_days = _days(timeline.archive, now)
    has_archive = timeline.archive is not None
    is_for = timeline.active.for_ is not None

    def anchor_ending(days_ago: int) -> dt.datetime:
        return timeline.anchor_for_end(now - dt.timedelta(days=days_ago))

    active_w, archived_w, expired_w = mix.active, mix.archived, mix.expired
    if not has_archive:
        alive = active_w + expired_w
        share = active_w / alive if alive else 0.5
        active_w, expired_w = active_w + archived_w * share, expired_w + archived_w * (1 - share)
        archived_w = 0.0
    total = active_w + archived_w + expired_w
    body = (1 - mix.boundary) / total
    edges = 4 if has_archive else 2
    edge_w = mix.boundary / edges

    result: list[Scenario] = []

    def add(name: str, outcome: Outcome, weight: float, at: dt.datetime | None, **kw: int) -> None:
        if weight > 0:
            result.append(Scenario(name, outcome, weight, at, at.date() if at else None, **kw))

    def add_edge(name: str, outcome: Outcome, at: dt.datetime, at_day: dt.date) -> None:
        if edge_w > 0:
            result.append(Scenario(name, outcome, edge_w, at, at_day))

    if is_for:
        add(
            "running",
            Outcome.ACTIVE,
            active_w * body,
            now - dt.timedelta(days=active_days // 2),
            jitter_days=active_days // 20,
        )
    else:
        add("running", Outcome.ACTIVE, active_w * body, None)
    add_edge(
        "active_edge",
        Outcome.ACTIVE,
        _first(timeline.anchor_for_end(now), timeline.active_end, now + DAY),
        _first(timeline.anchor_for_end(today), timeline.active_end, today + DAY),
    )
    add_edge(
        "ended_edge",
        Outcome.ARCHIVED if has_archive else Outcome.EXPIRED,
        _last(timeline.anchor_for_end(now), timeline.active_end, now - DAY),
        _last(timeline.anchor_for_end(today), timeline.active_end, today - DAY),
    )
    if has_archive:
        assert timeline.archive is not None
        for name, fraction in (("archived_early", 0.2), ("archived_late", 0.8)):
            add(
                name,
                Outcome.ARCHIVED,
                archived_w * body / 2,
                anchor_ending(int(archive_days * fraction)),
                jitter_days=archive_days // 20,
            )
        start = timeline.anchor_for_end(timeline.archive.latest_start_ended_by(now))
        start_day = timeline.anchor_for_end(timeline.archive.latest_start_ended_by(today))
        add_edge(
            "archive_edge_in",
            Outcome.ARCHIVED,
            _first(start, timeline.archive_end, now + DAY),
            _first(start_day, timeline.archive_end, today + DAY),
        )
        add_edge(
            "archive_edge_out",
            Outcome.EXPIRED,
            _last(start, timeline.archive_end, now - DAY),
            _last(start_day, timeline.archive_end, today - DAY),
        )
    # Long expired: half an active period past the end for ``for`` rules (prospects 3 years,
    # recordings 9 months), a year past it for ``until`` rules (contracts ended 6 years ago).
    extra = active_days // 2 if is_for else YEAR_DAYS
    add(
        "expired",
        Outcome.EXPIRED,
        expired_w * body,
        anchor_ending(archive_days + extra),
        jitter_days=min(extra // 8, 30),
    )
    return result


class EventWriter:
    """Sets the event values of one row so that an expression resolves to a chosen anchor.

    ``latest(a, b)``: the determining event (drawn in turn) gets the anchor, the others are
    older — both orders occur, so that "whichever is later" matters (R-RET-02).
    ``earliest(a, b)``: the determining event gets the anchor, the others have not happened or
    happened later (R-RET-03: removed, or the client's contract ended).
    """

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now

    def assign(
        self,
        row: dict[str, object],
        timeline: Timeline,
        columns: dict[str, str],
        anchor: dt.datetime | None,
        date_anchor: dt.date | None,
        jitter: int,
    ) -> None:
        expr = timeline.expression
        names = [e for e in expr.events if e in columns]
        if not names:
            return
        rng = self.rng
        shift = dt.timedelta(days=int(rng.random() * (2 * jitter + 1)) - jitter) if jitter else None
        seconds = dt.timedelta(seconds=int(rng.random() * 86400)) if jitter else None
        lead = names[int(rng.random() * len(names))]
        for name in names:
            column = columns[name]
            if column in row:
                continue
            dated = column.endswith("_on")
            value: dt.date | dt.datetime | None = date_anchor if dated else anchor
            if value is not None:
                if shift is not None:
                    value = value + shift
                if seconds is not None and not dated:
                    value = value - seconds  # a time of day; edges (no jitter) keep now's
            if name != lead and len(names) > 1:
                value = self._other(expr, timeline, value, dated)
            row[column] = value

    def _other(
        self,
        expr: EventExpression,
        timeline: Timeline,
        value: dt.date | dt.datetime | None,
        dated: bool,
    ) -> dt.date | dt.datetime | None:
        rng = self.rng
        now: dt.date | dt.datetime = self.now.date() if dated else self.now
        if expr.combination is Combination.LATEST:
            # Older than the determining event; if that one has not happened, any past date.
            base = value if value is not None else now
            return base - dt.timedelta(days=30 + int(rng.random() * 700))
        # EARLIEST: not happened yet, or happened after the determining event.
        if value is None or value >= now or rng.random() < 0.5:
            return None if timeline.active.until is not None else value
        room = now.toordinal() - value.toordinal()
        return value + dt.timedelta(days=1 + int(rng.random() * max(room - 1, 1)))
