"""Condition trees (``gardien.retention.conditions``) as SQLAlchemy expressions.

Every value is a bound parameter; every name is a reflected column, quoted by the dialect.
The compiled expression means what ``conditions.evaluate`` means, NULLs included (held by
``tests/connectors/test_sql_semantics.py``).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from gardien.connectors.sql import normalise
from gardien.connectors.sql.archive import archive_table_name
from gardien.connectors.sql.database import SqlDatabase
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
        case OnOrBefore(column, moment):
            col = db.column(table, column)
            bound: date | datetime = moment
            if isinstance(col.type, sa.Date) and not isinstance(col.type, sa.DateTime):
                bound = moment.date()  # a date is its midnight: d <= t  ⟺  d <= date(t)
            return sa.and_(col.is_not(None), col <= bound)
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
