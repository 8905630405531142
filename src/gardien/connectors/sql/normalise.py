"""The SQL image of an identity column's normaliser (registry/normalisers.py, issue 10 §2).

``lower(trim(email))``, and for a telephone number the separators removed then ``00`` → ``+``
and the national ``0`` → ``+33``, written with constants rather than bound parameters: the
planner uses an expression index only when the query's expression is the indexed one, and a
parameter (``replace(col, $1, $2)``) is not. The same builder writes the advised index
(``gardien systems check``), so the query and the index can never drift apart.

MariaDB 10.x does not use an index on an expression; it uses one on a generated column. When
the table has the generated column the advice creates (``generated_column``), look-ups compare
that column instead of the expression.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from gardien.registry.normalisers import SEPARATORS, ColumnNormaliser, Normaliser

_SAFE_CONSTANT = re.compile(r"^[0-9+ .()/\-\t\u00a0\u202f]*$")
_MAX_NAME = 63  # PostgreSQL's identifier limit (MariaDB's is 64)


def _constant(text: str) -> sa.ColumnElement[str]:
    # Only our own constants (separators, digits, '+') reach here: quoting them inline is safe.
    assert _SAFE_CONSTANT.match(text), text
    return sa.literal_column(f"'{text}'", sa.String())


def _as_text(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    if isinstance(column.type, sa.String):
        return column
    return sa.cast(column, sa.String())  # a number stored as an integer, say


def _compact(text: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    for separator in SEPARATORS:
        text = sa.func.replace(text, _constant(separator), _constant(""), type_=sa.String())
    return text


def _substr(text: sa.ColumnElement[str], start: int, length: int | None = None) -> Any:
    start_at = sa.literal_column(str(start), sa.Integer())
    if length is None:
        return sa.func.substr(text, start_at, type_=sa.String())
    return sa.func.substr(
        text, start_at, sa.literal_column(str(length), sa.Integer()), type_=sa.String()
    )


def _phone(digits: sa.ColumnElement[str], rule: ColumnNormaliser) -> sa.ColumnElement[str]:
    code, prefix = rule.phone.country_code, rule.phone.national_prefix
    # String '+' compiles to || on SQLite and PostgreSQL (immutable, indexable), concat() on
    # MariaDB (where || is OR).
    whens: list[tuple[Any, Any]] = []
    if code and prefix:
        written = f"+{code}{prefix}"
        whens.append(
            (
                _substr(digits, 1, len(written)) == _constant(written),
                _constant(f"+{code}") + _substr(digits, len(written) + 1),
            )
        )
    whens.append((_substr(digits, 1, 2) == _constant("00"), _constant("+") + _substr(digits, 3)))
    if code and prefix:
        whens.append(
            (
                _substr(digits, 1, len(prefix)) == _constant(prefix),
                _constant(f"+{code}") + _substr(digits, len(prefix) + 1),
            )
        )
    return sa.case(*whens, else_=digits)


def expression(column: sa.ColumnElement[Any], rule: ColumnNormaliser) -> sa.ColumnElement[Any]:
    """``column`` in its normalised form, as SQL (the column itself for ``none``)."""
    if rule.name is Normaliser.NONE:
        return column
    text = _as_text(column)
    match rule.name:
        case Normaliser.TRIM:
            return sa.func.trim(text, type_=sa.String())
        case Normaliser.CASEFOLD | Normaliser.EMAIL:
            return sa.func.lower(sa.func.trim(text, type_=sa.String()), type_=sa.String())
        case Normaliser.COMPACT:
            return _compact(text)
        case Normaliser.PHONE:
            return _phone(_compact(text), rule)
    raise AssertionError(rule.name)  # pragma: no cover - the enum is closed


def needs_expression(column: sa.ColumnElement[Any], rule: ColumnNormaliser) -> bool:
    """Whether a look-up must compare the normal form rather than the column itself: not for
    ``none``, nor for trimming or lower-casing a number (an integer customer number keeps its
    plain index)."""
    if rule.name is Normaliser.NONE:
        return False
    textual = isinstance(column.type, sa.String)
    return textual or rule.name in (Normaliser.COMPACT, Normaliser.PHONE)


def generated_column(column: str) -> str:
    """The generated column the MariaDB advice adds for ``column`` (and look-ups then use)."""
    return f"gardien_norm_{column}"[:_MAX_NAME]


def is_generated(column: str) -> bool:
    return column.startswith("gardien_norm_")


def index_name(table: str, column: str) -> str:
    return f"gardien_{table}_{column}_norm"[:_MAX_NAME]


def looked_up(
    table: sa.Table, column: sa.ColumnElement[Any], rule: ColumnNormaliser
) -> sa.ColumnElement[Any]:
    """What a look-up compares for ``column`` of ``table``: the generated column when the
    table has it (MariaDB, see the module's docstring), else the expression."""
    name = getattr(column, "name", None)
    if name is not None and rule.name is not Normaliser.NONE:
        generated = generated_column(str(name))
        if generated in table.c:
            return table.c[generated]
    return expression(column, rule)


def exact(element: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """MariaDB: ``element`` compared character for character, whatever the column's charset
    and collation (utf8mb4_bin; its PAD SPACE is moot once spaces are trimmed)."""
    return sa.collate(sa.cast(element, mysql.CHAR(charset="utf8mb4")), "utf8mb4_bin")


def _sql(dialect: sa.engine.Dialect, element: sa.ColumnElement[Any]) -> str:
    return str(element.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def index_ddl(
    dialect: sa.engine.Dialect, table: str, column: str, rule: ColumnNormaliser, length: int = 320
) -> list[str]:
    """The statements that keep normalised look-ups on ``table.column`` fast on ``dialect``."""
    quote = dialect.identifier_preparer.quote
    bare = sa.column(column, sa.String())
    if rule.name is Normaliser.NONE:
        return [
            f"CREATE INDEX {quote(index_name(table, column))} ON {quote(table)} ({quote(column)});"
        ]
    expr = _sql(dialect, expression(bare, rule))
    if dialect.name in ("mysql", "mariadb"):
        generated = quote(generated_column(column))
        return [
            f"ALTER TABLE {quote(table)} ADD COLUMN {generated} VARCHAR({length}) "
            f"AS ({expr}) VIRTUAL, ADD INDEX {quote(index_name(table, column))} ({generated});"
        ]
    return [f"CREATE INDEX {quote(index_name(table, column))} ON {quote(table)} (({expr}));"]


def index_exists(conn: sa.Connection, table: str, column: str, rule: ColumnNormaliser) -> bool:
    """Whether the advised index is already there: by its name, or for a column compared as
    it is, any index that starts with the column."""
    if rule.name is Normaliser.NONE:
        with warnings.catch_warnings():  # SQLite: expression indexes are not reflected
            warnings.filterwarnings("ignore", "Skipped unsupported reflection")
            indexes = sa.inspect(conn).get_indexes(table)
        if any(ix["column_names"][:1] == [column] for ix in indexes):
            return True
        if any(
            c["constrained_columns"][:1] == [column]
            for c in [sa.inspect(conn).get_pk_constraint(table)]
        ):
            return True
    name = index_name(table, column)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = :name"
    elif dialect == "postgresql":
        query = "SELECT 1 FROM pg_indexes WHERE indexname = :name"
    else:
        query = (
            "SELECT 1 FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND index_name = :name"
        )
    return conn.execute(sa.text(query), {"name": name}).first() is not None
