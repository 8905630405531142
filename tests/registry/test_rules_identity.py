"""GD608: a normaliser names an identity column (issue 10 §2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.registry.test_rules import assert_fires, check, findings, good

CLIENT = ("systems", "crm", "tables", "client")


def _normalise(registry: dict[str, Any], normalise: dict[str, str]) -> None:
    registry["systems"]["crm"]["tables"]["client"]["normalise"] = normalise


def test_a_normaliser_on_a_column_that_is_not_an_identity_column_is_refused(
    tmp_path: Path,
) -> None:
    hits = assert_fires(
        "GD608",
        lambda r: _normalise(r, {"ended_on": "trim"}),
        tmp_path,
        at=(*CLIENT, "normalise", "ended_on"),
    )
    assert "crm.client.ended_on" in hits[0].message


def test_a_normaliser_on_an_identity_column_is_accepted(tmp_path: Path) -> None:
    registry = good()
    column = registry["systems"]["crm"]["tables"]["client"]["identity"]["email"]
    _normalise(registry, {column: "casefold"})
    report = check(registry, tmp_path)
    assert report.usable
    assert not findings(report, "GD608")


def test_an_unknown_normaliser_is_refused_at_its_line_naming_the_known_ones(
    tmp_path: Path,
) -> None:
    registry = good()
    column = registry["systems"]["crm"]["tables"]["client"]["identity"]["email"]
    _normalise(registry, {column: "lowercase"})
    report = check(registry, tmp_path)
    assert not report.usable
    (hit,) = findings(report, "GD003")
    assert "normalise" in hit.message and "'casefold'" in hit.message and hit.line
