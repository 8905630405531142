"""Condition trees (``gardien.retention.conditions``) as SQLAlchemy expressions.

Every value is a bound parameter; every name is a reflected column, quoted by the dialect.
The compiled expression means what ``conditions.evaluate`` means, NULLs included (held by
``tests/connectors/test_sql_semantics.py``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from gardien.connectors.sql import normalise
from gardien.connectors.sql.archive import archive_table_name
from gardien.connectors.sql.database import SqlDatabase
from gardien.law.calendar import local_midnight_utc
from gardien.retention.conditions import (
    All,
    Always,
    AnyNotNull,
    AnyOf,
    Condition,
    IsNull,
    NormalisedIn,
    Not,
    OnOrBefore,
    ParentMatches,
    Related,
    Uncleared,
    ValueIn,
)


def compile_condition(
    db: SqlDatabase, condition: Condition, table: sa.Table
) -> sa.ColumnElement[bool]:
    match condition:
        case Always(value):
            return sa.true() if value else sa.false()
        case IsNull(column):
            return db.column(table, column).is_(None)
        case OnOrBefore(column, day, zone):
            col = db.column(table, column)
            return sa.and_(col.is_not(None), _day_on_or_before(col, day, zone))
        case ValueIn(column, values):
            col = db.column(table, column)
            coerced = db.coerce(col, values)
            # IS NOT NULL keeps the condition two-valued: NOT (NULL IN (…)) would be
            # unknown in SQL and silently exclude rows whose column is empty.
            return sa.and_(col.is_not(None), col.in_(coerced)) if coerced else sa.false()
        case NormalisedIn(column, normaliser, values):
            col = db.column(table, column)
            if not values:
                return sa.false()
            if not normalise.needs_expression(col, normaliser):
                coerced = db.coerce(col, values)
                return sa.and_(col.is_not(None), col.in_(coerced)) if coerced else sa.false()
            # IS NOT NULL as for ValueIn; the expression (or MariaDB's generated column) is
            # the one the advised index covers (connectors/sql/normalise.py).
            compared = normalise.looked_up(table, col, normaliser)
            if db.dialect in ("mysql", "mariadb"):
                # No Python check follows a hold's condition: MariaDB's collation would hold
                # "jose@x.fr" for a hold on "josé@x.fr"; compare the bytes of the normal form.
                compared = normalise.exact(compared)
            return sa.and_(col.is_not(None), compared.in_(sorted(set(values))))
        case ParentMatches(link, parent, key, inner, archived):
            parent_table = db.table(archive_table_name(parent) if archived else parent)
            subquery = sa.select(db.column(parent_table, key)).where(
                compile_condition(db, inner, parent_table)
            )
            link_column = db.column(table, link)
            return sa.and_(link_column.is_not(None), link_column.in_(subquery))
        case Related():
            return _related(db, table, condition)
        case AnyNotNull(columns):
            return sa.or_(*(db.column(table, c).is_not(None) for c in columns))
        case Uncleared(columns, placeholder):
            still: list[sa.ColumnElement[bool]] = []
            for name in columns:
                col = db.column(table, name)
                if placeholder is not None and isinstance(col.type, sa.String):
                    still.append(sa.and_(col.is_not(None), col != placeholder))
                else:  # a number or a date is anonymised as NULL, as erasure does
                    still.append(col.is_not(None))
            return sa.or_(*still)
        case Not(inner):
            return sa.not_(compile_condition(db, inner, table))
        case All(operands):
            return sa.and_(*(compile_condition(db, o, table) for o in operands))
        case AnyOf(operands):
            return sa.or_(*(compile_condition(db, o, table) for o in operands))
    raise TypeError(f"unknown condition {condition!r}")


def _day_on_or_before(
    col: sa.ColumnElement[object], day: date, zone: str
) -> sa.ColumnElement[bool]:
    """``local_day(col) <= day`` as a range on the bare column, so its index stays usable.

    The day ends at the local midnight that starts ``day + 1``; its UTC instant is the bound.
    """
    end = local_midnight_utc(day + timedelta(days=1), zone)  # aware UTC
    if isinstance(col.type, sa.DateTime):
        if col.type.timezone:  # PostgreSQL timestamptz: compare instants
            return col < end
        # TIMESTAMP / DATETIME: naive UTC by gardien's convention (docs/retention.md).
        return col < end.replace(tzinfo=None)
    if isinstance(col.type, sa.Date):
        return col <= day  # a DATE is a day already: no zone applies
    return _text_day_on_or_before(col, day, end)


def _text_day_on_or_before(
    col: sa.ColumnElement[object], day: date, end: datetime
) -> sa.ColumnElement[bool]:
    """The same for ISO 8601 text: '2021-06-15', '2021-06-15 14:00:00', '2021-06-15T14:00:00'.

    Assumes timestamps in text are UTC without an offset (what SQLite stores for gardien) and
    date-only text is a day. ISO text sorts as it reads, so plain string ranges suffice:
    every value whose date part is before the UTC date of ``end`` is in; on that date, a
    timestamp is in if its time is before ``end``'s, and the date alone is in if it is ``day``.
    """
    end_day = end.date().isoformat()
    end_time = end.strftime("%H:%M:%S")
    parts = [col < end_day]
    if end_time != "00:00:00":
        for separator in (" ", "T"):
            parts.append(
                sa.and_(
                    col >= end_day + separator,
                    col < end_day + separator + end_time,
                )
            )
    if end.date() == day:  # a zone ahead of UTC: day D ends on the UTC date D
        parts.append(col == end_day)
    return sa.or_(*parts)


def _related(db: SqlDatabase, table: sa.Table, condition: Related) -> sa.ColumnElement[bool]:
    """``column IN (SELECT their FROM related …)``, over the related table and, when asked and
    created, its archive. Subqueries name only non-null keys, so ``NOT IN`` stays two-valued."""
    ours = db.column(table, condition.column)
    sources = [db.table(condition.table)]
    archive = archive_table_name(condition.table)
    if condition.with_archive and db.exists(archive):
        sources.append(db.table(archive))

    def keys(source: sa.Table, where: sa.ColumnElement[bool]) -> sa.Select[Any]:
        their = db.column(source, condition.related_column)
        return sa.select(their).where(their.is_not(None), where)

    if condition.every:
        some = sa.or_(*(ours.in_(keys(s, sa.true())) for s in sources))
        failing = [
            ours.in_(keys(s, sa.not_(compile_condition(db, condition.condition, s))))
            for s in sources
        ]
        return sa.and_(ours.is_not(None), some, *(sa.not_(f) for f in failing))
    matching = [ours.in_(keys(s, compile_condition(db, condition.condition, s))) for s in sources]
    return sa.and_(ours.is_not(None), sa.or_(*matching))
