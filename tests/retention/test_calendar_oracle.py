"""The retention run keeps a row all of its last day and takes it the day after, for every
start and period, exactly as a day-by-day count of the calendar does (issue 10 §1).

The oracle here shares no code with gardien: it counts months on the calendar (the day bearing
the same date, or the month's last day, Reg. 1182/71 art. 3(2)(c)) and days one by one. For
every start of 2020–2032 that matters (every month's 1st, 15th, 28th to 31st, 29 February;
DATE values, naive UTC timestamps at midnight, in the afternoon and late in the evening, which
is the next day in Paris; ISO text; aware timestamps on PostgreSQL), every period P1D…P10Y and
archive pairs, the policy's condition is compiled to SQL and run on SQLite, PostgreSQL and
MariaDB, evaluated in Python, and both must select exactly the rows the oracle says are gone —
on each row's last day (kept) and the day after (gone).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from gardien.connectors.sql import SqlConnector
from gardien.registry.model import Registry
from gardien.retention.conditions import evaluate
from gardien.retention.policy import Stage, TableAction, plan_retention

PARIS = ZoneInfo("Europe/Paris")
# (years, months, days) of each period, and the registry's words for it.
PERIODS = {
    "P1D": (0, 0, 1),
    "P30D": (0, 0, 30),
    "P1M": (0, 1, 0),
    "P6M": (0, 6, 0),
    "P13M": (0, 13, 0),
    "P1Y": (1, 0, 0),
    "P2Y": (2, 0, 0),
    "P5Y": (5, 0, 0),
    "P10Y": (10, 0, 0),
}
# An active period then an archive one: the archive's end is counted from the active one's.
PAIRS = [("P6M", "P1Y"), ("P1Y", "P5Y"), ("P30D", "P6M"), ("P13M", "P10Y")]


def oracle_after(day: date, years: int, months: int, days: int) -> date:
    """The last day of a period begun by an event on ``day``, counted on the calendar."""
    if years or months:
        index = day.year * 12 + (day.month - 1) + years * 12 + months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        day = date(year, month + 1, min(day.day, last))
    for _ in range(days):  # day by day: the event's day is not counted (art. 3(1))
        day += timedelta(days=1)
    return day


def oracle_last_day(event_day: date, periods: tuple[str, ...]) -> date:
    for period in periods:
        event_day = oracle_after(event_day, *PERIODS[period])
    return event_day


def starts() -> list[datetime]:
    """The instants rows start from: month boundaries, 29 February, and the times that move a
    UTC timestamp to another Paris day."""
    out: list[datetime] = []
    for year in range(2020, 2033):
        for month in range(1, 13):
            last = calendar.monthrange(year, month)[1]
            for dom in sorted({1, 15, 28, 29, 30, 31} & set(range(1, last + 1))):
                # 22:00 and 23:00 UTC are Paris midnights (summer, winter): the next day there.
                for at in (time(0, 0), time(14, 30), time(22, 0), time(23, 0)):
                    out.append(datetime.combine(date(year, month, dom), at))
    return out


START = starts()
# Starts whose last day is where a period can go wrong: 29 February, month ends that do not
# exist six or thirteen months on (31 March → 30 September), evenings that are already the next
# day in Paris, year ends.
TRICKY = [
    datetime(2024, 2, 29, 0, 0),
    datetime(2024, 2, 29, 23, 0),
    datetime(2025, 3, 31, 0, 0),
    datetime(2026, 3, 31, 14, 30),
    datetime(2026, 8, 31, 22, 0),
    datetime(2027, 12, 31, 23, 0),
    datetime(2028, 1, 31, 0, 0),
    datetime(2030, 9, 30, 14, 30),
]


def event_day(row: dict[str, Any], column: str) -> date:
    """The oracle's day of a stored value in Paris (naive timestamps are UTC)."""
    value = row[column]
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(PARIS).date()
    assert isinstance(value, date)
    return value


def registry(active: str, archive: str | None) -> Registry:
    rule: dict[str, Any] = {"active": {"for": active, "from": "start"}, "then": "delete"}
    if archive:
        rule["archive"] = {"for": archive, "reason": {"en": "proof"}}
    return Registry.model_validate(
        {
            "gardien": 1,
            "controller": {
                "name": "Test",
                "timezone": "Europe/Paris",
                "notice": {"version": "1", "languages": ["en"]},
            },
            "subjects": {"person": {"en": "Person"}},
            "data": {"identity": {"en": "Identity"}},
            "activities": {
                "act": {
                    "name": {"en": "Activity"},
                    "purpose": {"en": "purpose"},
                    "legal_basis": "contract",
                    "subjects": ["person"],
                    "data": ["identity"],
                    "retention": {"person": rule},
                }
            },
            "systems": {
                "db": {
                    "url": "sqlite://",
                    "tables": {
                        "person": {
                            "subject": "person",
                            "activities": ["act"],
                            "identity": {"email": "email"},
                            "events": {"start": "start"},
                            "columns": {"email": "identity"},
                        }
                    },
                }
            },
        }
    )


def action_for(reg: Registry, now: datetime, stage: Stage) -> TableAction:
    plan = plan_retention(reg, now, [])
    (action,) = [a for a in plan.actions if a.stage is stage]
    return action


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def database(request: pytest.FixtureRequest) -> Iterator[tuple[str, sa.Engine]]:
    if request.param == "sqlite":
        url = "sqlite://"
    else:
        url = request.getfixturevalue(
            "postgres_url" if request.param == "postgresql" else "mariadb_url"
        )
    engine = sa.create_engine(url)
    yield request.param, engine
    engine.dispose()


def typed_columns(kind: str) -> dict[str, Any]:
    """The event column types of the database, each filled from the same instants."""
    cols: dict[str, Any] = {
        "as_date": (sa.Date, lambda s: s.date()),
        "as_timestamp": (sa.DateTime, lambda s: s),
        "as_text": (sa.String(40), lambda s: s.isoformat() if s.hour else s.date().isoformat()),
    }
    if kind == "postgresql":
        cols["as_timestamptz"] = (sa.DateTime(timezone=True), lambda s: s.replace(tzinfo=UTC))
    return cols


def test_every_start_is_kept_all_its_last_day_and_gone_the_next(
    database: tuple[str, sa.Engine],
) -> None:
    kind, engine = database
    columns = typed_columns(kind)
    failures: list[str] = []
    for column, (sa_type, fill) in columns.items():
        metadata = sa.MetaData()
        table = sa.Table(
            f"person_{column}",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("email", sa.String(100)),
            sa.Column("start", sa_type),
        )
        metadata.create_all(engine)
        rows = [{"id": i, "email": None, "start": fill(s)} for i, s in enumerate(START)]
        with engine.begin() as conn:
            conn.execute(table.insert(), rows)
        connector = SqlConnector("db", str(engine.url), engine=engine)
        reflected = connector.table(table.name)
        days = {row["id"]: event_day(row, "start") for row in rows}
        cases = [((active,), active, None, Stage.ACTIVE) for active in PERIODS]
        cases += [((a, b), a, b, Stage.ARCHIVE) for a, b in PAIRS]
        for periods, active, archive, stage in cases:
            reg = registry(active, archive)
            last = {rid: oracle_last_day(d, periods) for rid, d in days.items()}
            # The day each tricky start's period ends, at its last minute (kept), and the
            # next day's first minute (gone): every row of the table is checked each time.
            probes = {oracle_last_day(event_day({"start": t}, "start"), periods) for t in TRICKY}
            for end in sorted(probes):
                for now in (
                    datetime.combine(end, time(23, 59, 30), tzinfo=PARIS),
                    datetime.combine(end + timedelta(days=1), time(0, 0, 30), tzinfo=PARIS),
                ):
                    today = now.date()
                    condition = action_for(reg, now, stage).eligible
                    compiled = connector.compile(condition, reflected)
                    with engine.connect() as conn:
                        query = sa.select(reflected.c.id).where(compiled)
                        got = {r[0] for r in conn.execute(query)}
                    expected = {rid for rid, end_day in last.items() if end_day < today}
                    # The pure policy needs no database: evaluated once, beside SQLite.
                    evaluated = (
                        {row["id"] for row in rows if evaluate(condition, row)}
                        if kind == "sqlite"
                        else expected
                    )
                    if got != expected or evaluated != expected:
                        wrong = sorted((got ^ expected) | (evaluated ^ expected))[:3]
                        failures.append(
                            f"{kind} {column} {'+'.join(periods)} on {now:%Y-%m-%d %H:%M} "
                            f"Paris: rows {[(rows[w]['start'], str(last[w])) for w in wrong]}"
                            f" sql={sorted(got ^ expected)[:3]} python="
                            f"{sorted(evaluated ^ expected)[:3]}"
                        )
    assert not failures, f"{len(failures)} disagreements, e.g.\n" + "\n".join(failures[:10])
