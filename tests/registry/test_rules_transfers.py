"""GD4xx: recipients and transfers outside the EEA (Art. 13(1)(e)-(f), 44-49)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.registry.test_rules import assert_fires, check, findings, good

HOSTING = ("recipients", "hosting")


def _move(country: str, **extra: object):  # type: ignore[no-untyped-def]
    def mutate(r: dict) -> None:
        r["recipients"]["hosting"].update(country=country, **extra)

    return mutate


def test_transfer_to_morocco_without_safeguard(tmp_path: Path) -> None:
    # R-XFR-01: Morocco has no adequacy decision.
    hits = assert_fires("GD401", _move("MA"), tmp_path, at=(*HOSTING, "country"))
    assert "MA" in hits[0].message


@pytest.mark.parametrize("country", ["DE", "NO", "CH", "GB", "JP"])
def test_eea_and_adequate_countries_need_no_safeguard(country: str, tmp_path: Path) -> None:
    registry = good()
    _move(country)(registry)
    assert not findings(check(registry, tmp_path), "GD401")


def test_the_us_is_adequate_only_for_certified_recipients(tmp_path: Path) -> None:
    assert_fires("GD401", _move("US"), tmp_path, at=(*HOSTING, "country"))
    registry = good()
    _move("US", safeguard="adequacy")(registry)
    report = check(registry, tmp_path)
    assert not findings(report, "GD401") and not findings(report, "GD402")


def test_a_safeguard_makes_the_transfer_lawful(tmp_path: Path) -> None:
    registry = good()
    _move("MA", safeguard="scc", safeguard_detail={"fr": "sur demande", "en": "on request"})(
        registry
    )
    report = check(registry, tmp_path)
    assert not findings(report, "GD401") and not findings(report, "GD404")


def test_adequacy_claimed_for_a_country_without_decision(tmp_path: Path) -> None:
    assert_fires("GD402", _move("MA", safeguard="adequacy"), tmp_path, at=(*HOSTING, "safeguard"))


def test_recipient_never_used(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["recipients"]["auditor"] = {
            "label": {"fr": "Auditeur", "en": "Auditor"},
            "kind": "third_party",
        }

    assert_fires("GD403", mutate, tmp_path, at=("recipients", "auditor"))


def test_safeguard_without_a_way_to_obtain_a_copy(tmp_path: Path) -> None:
    assert_fires("GD404", _move("IN", safeguard="scc"), tmp_path, at=(*HOSTING, "safeguard"))


def test_third_country_not_named(tmp_path: Path) -> None:
    # R-XFR-02: "accès ... hors de l'Union européenne", no country given.
    mutate = _move("FR", third_country_unnamed=True, safeguard="scc")
    assert_fires("GD405", mutate, tmp_path, at=(*HOSTING, "third_country_unnamed"))
    # An unnamed country cannot be adequate: without a safeguard it is GD401.
    registry = good()
    _move("FR", third_country_unnamed=True)(registry)
    assert findings(check(registry, tmp_path), "GD401")
