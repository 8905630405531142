"""Fill a declared system with N synthetic people, deterministically and fast.

Each subject table (``subject:``) gets ``people`` rows; each child table (``belongs_to``) gets
0–3 rows per parent row. Rows depend only on the registry, ``seed`` and ``now``: each table
has its own random streams seeded from (seed, system, table) (``values.RandomStreams``), and
keys are assigned here, from the table's current maximum key + 1, so children can point at
their parents without reading them back. Rows go to the database in chunks, one transaction
per chunk (``bulk``)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from gardien.errors import UsageError
from gardien.registry.model import Registry, Table
from gardien.synthetic.bulk import fix_sequences, write_chunk
from gardien.synthetic.pools import Pools
from gardien.synthetic.scenarios import (
    EventWriter,
    Scenario,
    ScenarioMix,
    Timeline,
    scenarios,
    table_timelines,
)
from gardien.synthetic.schema import (
    build_metadata,
    open_engine,
    ordered_tables,
    system_tables,
    system_url,
)
from gardien.synthetic.values import Chunk, Filler, RandomStreams, filler_for

CHILDREN_PER_PARENT = (0, 1, 2, 3)
Method = Literal["auto", "copy", "insert"]


@dataclass(frozen=True)
class TableProgress:
    """How far the filling of one table has gone; the last one of a table is its summary."""

    system: str
    table: str
    rows: int
    total: int
    seconds: float

    @property
    def done(self) -> bool:
        return self.rows >= self.total

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[TableProgress], None]


def normalise_now(now: dt.datetime) -> dt.datetime:
    """Naive UTC to the second: what DATETIME columns store on every database."""
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=0)


@dataclass
class _TablePlan:
    name: str
    spec: Table
    table: sa.Table
    timelines: list[Timeline]
    events: dict[str, str]  # event name → column
    fillers: list[tuple[str, Filler]]
    columns: list[str] = field(default_factory=list)
    start: int = 1  # first key to assign
    count: int = 0
    # many-to-one relation columns, each with the key range of the related table's rows
    # (start, count), or None when that table is not filled in this call
    relations: list[tuple[str, tuple[int, int] | None]] = field(default_factory=list)


def _plan(registry: Registry, system_id: str, name: str, table: sa.Table) -> _TablePlan:
    spec = registry.systems[system_id].tables[name]
    timelines = table_timelines(registry, system_id, name) if spec.subject else []
    events = dict(spec.own_events)
    event_columns = list(dict.fromkeys(events.values()))
    relation_columns = list(
        dict.fromkeys(r.column for r in spec.relations.values() if r.column is not None)
    )
    skip = {spec.key, *event_columns, spec.restriction_flag, *relation_columns}
    if spec.belongs_to is not None:
        skip.add(spec.belongs_to.column)
    categories = dict(spec.columns)
    fillers = [
        (c.name, filler_for(c.name, categories.get(c.name)))
        for c in table.columns
        if c.name not in skip
    ]
    link = [spec.belongs_to.column] if spec.belongs_to is not None else []
    columns = [spec.key, *link, *event_columns, *(c for c, _ in fillers), *relation_columns]
    return _TablePlan(name, spec, table, timelines, events, fillers, columns)


class _Dates:
    """Event dates for the rows of one subject table, scenario by scenario."""

    def __init__(
        self, plan: _TablePlan, streams: RandomStreams, now: dt.datetime, mix: ScenarioMix
    ) -> None:
        self.plan = plan
        self.rng = streams("scenarios")
        self.now = now
        self.writer = EventWriter(streams("events"), now)
        self.per_timeline: list[tuple[list[Scenario], list[float]]] = []
        for timeline in plan.timelines:
            options = scenarios(timeline, now, mix)
            weights, total = [], 0.0
            for option in options:
                total += option.weight
                weights.append(total)
            self.per_timeline.append((options, weights))
        used = {c for t in plan.timelines for e in t.expression.events if (c := plan.events.get(e))}
        self.loose = [c for c in dict.fromkeys(plan.events.values()) if c not in used]

    def row(self, key: int) -> dict[str, object]:
        values: dict[str, object] = {}
        timelines = self.plan.timelines
        if timelines:
            index = key % len(timelines)  # several timelines: each governs rows in turn
            options, weights = self.per_timeline[index]
            [chosen] = self.rng.choices(options, cum_weights=weights)
            governing = timelines[index]
            self.writer.assign(
                values, governing, self.plan.events, chosen.anchor, chosen.date_anchor,
                chosen.jitter_days,
            )  # fmt: skip
            for other in timelines:
                if other is not governing:
                    anchor, day = self._same_end(governing, other, chosen)
                    self.writer.assign(values, other, self.plan.events, anchor, day, 0)
        for column in self.loose:
            past = self.now - dt.timedelta(seconds=int(self.rng.random() * 3 * 365 * 86400))
            values[column] = past.date() if column.endswith("_on") else past
        return values

    def _same_end(
        self, governing: Timeline, other: Timeline, chosen: Scenario
    ) -> tuple[dt.datetime | None, dt.date | None]:
        """The other timeline's anchor that ends its active phase when the governing one's does."""
        if chosen.anchor is None or chosen.date_anchor is None:
            if other.active.for_ is None:
                return None, None
            half = (self.now - other.anchor_for_end(self.now)) / 2  # still running: half-way
            return self.now - half, self.now.date() - dt.timedelta(days=half.days)
        end = governing.active_end(chosen.anchor)
        day = governing.active_end(chosen.date_anchor)
        return other.anchor_for_end(end), other.anchor_for_end(day)


def _chunks(start: int, count: int, size: int) -> Iterator[range]:
    for first in range(start, start + count, size):
        yield range(first, min(first + size, start + count))


def fill_system(
    registry: Registry,
    system_id: str,
    url: str | None = None,
    *,
    people: int,
    seed: int = 0,
    now: dt.datetime,
    mix: ScenarioMix | None = None,
    tables: Collection[str] | None = None,
    chunk_size: int = 10_000,
    method: Method = "auto",
    progress: ProgressCallback | None = None,
) -> list[TableProgress]:
    """Fill the (already created) tables of one system; returns one summary per table.

    ``tables`` limits the filling to some tables (a child needs its parent among them);
    ``method`` "copy" uses PostgreSQL COPY, "insert" SQLAlchemy Core bulk inserts, "auto"
    COPY on PostgreSQL with psycopg and inserts elsewhere.
    """
    if people < 0:
        raise UsageError(f"people must be 0 or more, not {people}", field="people")
    if chunk_size < 1:
        raise UsageError(f"the chunk size must be positive, not {chunk_size}")
    declared = system_tables(registry, system_id)
    chosen = list(declared) if tables is None else list(tables)
    for name in chosen:
        if name not in declared:
            raise UsageError(
                f"no table '{name}' in system '{system_id}' "
                f"(declared: {', '.join(sorted(declared))})"
            )
        link = declared[name].belongs_to
        if link is not None and link.table not in chosen:
            raise UsageError(
                f"{system_id}.{name} belongs to {system_id}.{link.table}: fill both together"
            )
    now = normalise_now(now)
    mix = mix or ScenarioMix()
    metadata = build_metadata(registry, system_id)
    pools = Pools.draw(seed)
    engine = open_engine(system_id, system_url(registry, system_id, url))
    summaries: list[TableProgress] = []
    plans: dict[str, _TablePlan] = {}
    try:
        for name in ordered_tables(registry, system_id):
            if name not in chosen:
                continue
            plan = _plan(registry, system_id, name, metadata.tables[name])
            plans[name] = plan
            streams = RandomStreams(f"{seed}/{system_id}/{name}")
            with engine.connect() as conn:
                key = plan.table.c[plan.spec.key]
                plan.start = (conn.execute(sa.select(sa.func.max(key))).scalar() or 0) + 1
            plan.relations = _relation_ranges(plan, plans)
            if plan.spec.belongs_to is None:
                plan.count = people
                batches = _subject_batches(plan, streams, pools, now, mix, chunk_size)
            else:
                parent = plans[plan.spec.belongs_to.table]
                per_parent = streams("children").choices(CHILDREN_PER_PARENT, k=parent.count)
                plan.count = sum(per_parent)
                batches = _child_batches(plan, parent, per_parent, streams, pools, now, chunk_size)
            summaries.append(_write_table(engine, system_id, plan, batches, method, progress))
        fix_sequences(engine, [p.table for p in plans.values()])
    finally:
        engine.dispose()
    return summaries


def _write_table(
    engine: sa.Engine,
    system_id: str,
    plan: _TablePlan,
    batches: Iterator[list[tuple[object, ...]]],
    method: Method,
    progress: ProgressCallback | None,
) -> TableProgress:
    began = time.perf_counter()
    written = 0
    report = TableProgress(system_id, plan.name, 0, plan.count, 0.0)
    if progress is not None:
        progress(report)
    for rows in batches:
        with engine.begin() as conn:  # one transaction per chunk
            write_chunk(conn, plan.table, plan.columns, rows, method)
        written += len(rows)
        report = TableProgress(
            system_id, plan.name, written, plan.count, time.perf_counter() - began
        )
        if progress is not None:
            progress(report)
    return report


def _relation_ranges(
    plan: _TablePlan, plans: dict[str, _TablePlan]
) -> list[tuple[str, tuple[int, int] | None]]:
    out: list[tuple[str, tuple[int, int] | None]] = []
    for column in plan.columns[len(plan.columns) - _relation_count(plan.spec) :]:
        related = next(r.table for r in plan.spec.relations.values() if r.column == column)
        other = plans.get(related)
        out.append((column, (other.start, other.count) if other and other.count else None))
    return out


def _relation_count(spec: Table) -> int:
    return len({r.column for r in spec.relations.values() if r.column is not None})


def _relation_values(
    plan: _TablePlan, streams: RandomStreams, keys: list[int]
) -> list[list[object]]:
    """A related key for each row (a trusted person's client), drawn among the rows of the
    related table filled in this call; empty when that table is not filled."""
    rng = streams("relations")
    out: list[list[object]] = []
    for _column, span in plan.relations:
        if span is None:
            out.append([None] * len(keys))
        else:
            start, count = span
            out.append([start + int(rng.random() * count) for _ in keys])
    return out


def _offset(streams: RandomStreams) -> int:
    return int(streams("offset").random() * 100_000_000)


def _subject_batches(
    plan: _TablePlan,
    streams: RandomStreams,
    pools: Pools,
    now: dt.datetime,
    mix: ScenarioMix,
    size: int,
) -> Iterator[list[tuple[object, ...]]]:
    offset = _offset(streams)
    dates = _Dates(plan, streams, now, mix)
    event_columns = plan.columns[1 : 1 + len(dict.fromkeys(plan.events.values()))]
    for keys in _chunks(plan.start, plan.count, size):
        chunk = Chunk(keys, streams, pools, now, offset)
        rows = [dates.row(k) for k in keys]
        event_values = [[row.get(c) for row in rows] for c in event_columns]
        values = [fill(chunk.for_column(column)) for column, fill in plan.fillers]
        related = _relation_values(plan, streams, list(keys))
        yield list(zip(keys, *event_values, *values, *related, strict=True))


def _child_batches(
    plan: _TablePlan,
    parent: _TablePlan,
    per_parent: list[int],
    streams: RandomStreams,
    pools: Pools,
    now: dt.datetime,
    size: int,
) -> Iterator[list[tuple[object, ...]]]:
    offset = _offset(streams)
    event_columns = list(dict.fromkeys(plan.events.values()))
    links = (parent.start + i for i, n in enumerate(per_parent) for _ in range(n))
    for keys in _chunks(plan.start, plan.count, size):
        chunk = Chunk(keys, streams, pools, now, offset)
        parent_keys = [next(links) for _ in keys]
        event_values = []
        for column in event_columns:
            seconds = chunk.for_column(column).numbers(0, 2 * 365 * 86400)
            past = [now - dt.timedelta(seconds=s) for s in seconds]
            event_values.append([p.date() for p in past] if column.endswith("_on") else past)
        values = [fill(chunk.for_column(column)) for column, fill in plan.fillers]
        related = _relation_values(plan, streams, list(keys))
        yield list(zip(keys, parent_keys, *event_values, *values, *related, strict=True))


def fill_registry(
    registry: Registry,
    *,
    people: int,
    seed: int = 0,
    now: dt.datetime,
    mix: ScenarioMix | None = None,
    chunk_size: int = 10_000,
    progress: ProgressCallback | None = None,
) -> list[TableProgress]:
    """Fill every declared system at its own URL (tables must exist: see ``create_system``)."""
    summaries: list[TableProgress] = []
    for system_id in registry.systems:
        summaries += fill_system(
            registry, system_id, people=people, seed=seed, now=now, mix=mix,
            chunk_size=chunk_size, progress=progress,
        )  # fmt: skip
    return summaries
