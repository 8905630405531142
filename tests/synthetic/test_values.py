from __future__ import annotations

import datetime as dt

from gardien.synthetic.pools import Pools, slug
from gardien.synthetic.values import Chunk, RandomStreams, filler_for


def _values(column: str, category: str | None = None, n: int = 50) -> list[object]:
    chunk = Chunk(range(1, n + 1), RandomStreams("t"), Pools.draw(0), dt.datetime(2026, 1, 1), 0)
    return filler_for(column, category)(chunk.for_column(column))


def test_slug_is_ascii_for_emails() -> None:
    assert slug("Éloïse Le Gall") == "eloise-le-gall"
    assert slug("N'Diaye") == "n-diaye"


def test_columns_are_filled_by_name_then_by_category() -> None:
    assert all("@" in str(v) for v in _values("email"))
    assert all(str(v).startswith("+33") for v in _values("mobile_phone"))
    assert _values("contract_number")[0] == "CN000000001"
    alarms = _values("description", "intervention")
    assert all(" — " in str(v) for v in alarms)
    assert _values("notes") != alarms  # a note outside an alarm's history is prose
    assert all(str(v)[:4].isdigit() and "-" in str(v) for v in _values("occurred_at"))


def test_unknown_columns_get_a_plausible_string() -> None:
    values = _values("zorglub", "mystery")
    assert all(isinstance(v, str) and 0 < len(v) <= 255 for v in values)
    assert len(set(values)) > 1


def test_phone_numbers_are_unique_per_table() -> None:
    values = _values("phone", n=5000)
    assert len(set(values)) == 5000
