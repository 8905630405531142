"""suppression_list: {for: …}: the proof of an objection to prospecting is kept at least 3 years
(issue 10 §6, CNIL référentiel gestion commerciale); shorter is refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from gardien.registry.duration import Duration
from gardien.registry.model import Registry
from gardien.registry.suppression_period import shorter_than_minimum
from tests.registry.test_rules import check, good, line_of


def test_default_is_three_years_from_the_objection(tmp_path: Path) -> None:
    report = check(good(), tmp_path)
    assert isinstance(report.reading.registry, Registry)
    assert report.reading.registry.suppression_list.for_ == Duration(years=3)


@pytest.mark.parametrize("period", ["P2Y", "P35M", "P1095D", "P2Y11M30D"])
def test_a_period_shorter_than_three_years_is_refused_at_its_line(
    tmp_path: Path, period: str
) -> None:
    registry = good()
    registry["suppression_list"] = {"for": period}
    report = check(registry, tmp_path)
    assert not report.usable
    [finding] = [f for f in report.findings if "shorter than the P3Y" in f.message]
    assert finding.line == line_of(report, "suppression_list", "for")


@pytest.mark.parametrize("period", ["P3Y", "P36M", "P1096D", "P5Y"])
def test_three_years_or_more_is_accepted(tmp_path: Path, period: str) -> None:
    registry = good()
    registry["suppression_list"] = {"for": period}
    report = check(registry, tmp_path)
    assert report.usable, [f.render() for f in report.findings]
    assert not shorter_than_minimum(Duration.parse(period))
