"""GD2xx: legal bases (Art. 6, 7, 9, 10, 21)."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires, check, findings, good

PROSPECTING = ("activities", "prospecting")


def test_legitimate_interest_without_the_interest(tmp_path: Path) -> None:
    assert_fires(
        "GD201",
        lambda r: r["activities"]["prospecting"].pop("legitimate_interest"),
        tmp_path,
        at=(*PROSPECTING, "legal_basis"),
    )


def _consent(r: dict) -> None:
    r["activities"]["prospecting"].pop("legitimate_interest")
    r["activities"]["prospecting"]["legal_basis"] = "consent"


def test_consent_without_withdrawal_channel(tmp_path: Path) -> None:
    assert_fires("GD202", _consent, tmp_path, at=(*PROSPECTING, "legal_basis"))


def test_consent_with_withdrawal_channel(tmp_path: Path) -> None:
    registry = good()
    _consent(registry)
    registry["activities"]["prospecting"]["consent"] = {
        "withdrawal": {"fr": "lien de désinscription", "en": "unsubscribe link"}
    }
    assert not findings(check(registry, tmp_path), "GD202")


def test_consent_settings_without_withdrawal_point_at_consent(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        _consent(r)
        r["activities"]["prospecting"]["consent"] = {}

    assert_fires("GD202", mutate, tmp_path, at=(*PROSPECTING, "consent"))


def test_special_category_without_art9_condition(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["data"]["health"] = {"label": {"fr": "Santé", "en": "Health"}, "sensitive": True}
        r["activities"]["contract"]["data"].append("health")

    assert_fires("GD203", mutate, tmp_path, at=("activities", "contract", "data", 3))
    registry = good()
    mutate(registry)
    registry["activities"]["contract"]["special_category_condition"] = "explicit_consent"
    assert not findings(check(registry, tmp_path), "GD203")


def test_offence_data_without_a_legal_ground(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["data"]["offences"] = {"label": {"fr": "Infractions", "en": "Offences"}, "criminal": True}
        r["activities"]["contract"]["data"].append("offences")

    assert_fires("GD204", mutate, tmp_path, at=("activities", "contract", "data", 3))
    registry = good()
    mutate(registry)
    registry["activities"]["contract"]["legal_basis"] = "legal_obligation"
    registry["activities"]["contract"]["legal_obligation"] = {"fr": "Code X", "en": "Code X"}
    assert not findings(check(registry, tmp_path), "GD204")


def test_direct_marketing_on_a_contract_basis(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["activities"]["prospecting"]["legal_basis"] = "contract"
        r["activities"]["prospecting"].pop("legitimate_interest")

    assert_fires("GD205", mutate, tmp_path, at=(*PROSPECTING, "legal_basis"))


def test_legal_obligation_not_named(tmp_path: Path) -> None:
    assert_fires(
        "GD206",
        lambda r: r["activities"]["contract"].update(legal_basis="legal_obligation"),
        tmp_path,
        at=("activities", "contract", "legal_basis"),
    )
