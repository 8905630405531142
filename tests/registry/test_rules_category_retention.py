"""GD310 and GD311: data never stored, and a category's own period (issue 10 §6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.registry.test_rules import assert_fires

CLIENT = ("systems", "crm", "tables", "client")


def _category(registry: dict[str, Any], name: str, spec: dict[str, Any]) -> None:
    registry["data"][name] = {"label": {"fr": name, "en": name}, **spec}
    registry["activities"]["contract"]["data"].append(name)
    registry["systems"]["crm"]["tables"]["client"]["columns"]["card_cvv"] = name


def test_a_column_holding_a_category_never_stored_is_refused_at_its_line(
    tmp_path: Path,
) -> None:
    hits = assert_fires(
        "GD310",
        lambda r: _category(r, "card_security_code", {"store": "never"}),
        tmp_path,
        at=(*CLIENT, "columns", "card_cvv"),
    )
    assert "crm.client.card_cvv" in hits[0].message and "never stored" in hits[0].message


def test_a_category_period_from_an_event_the_table_does_not_map_is_refused(
    tmp_path: Path,
) -> None:
    hits = assert_fires(
        "GD311",
        lambda r: _category(r, "card", {"retention": {"for": "P13M", "from": "transaction"}}),
        tmp_path,
        at=(*CLIENT, "columns", "card_cvv"),
    )
    assert "'transaction'" in hits[0].message
