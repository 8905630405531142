"""GD1xx: the controller, its contacts and the notice settings (Art. 13(1)(a)-(b), 13(2)(d))."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires, check, findings, good, line_of


def test_no_dpo_contact(tmp_path: Path) -> None:
    assert_fires("GD101", lambda r: r["controller"].pop("dpo"), tmp_path, at=("controller",))


def test_no_authority(tmp_path: Path) -> None:
    assert_fires("GD102", lambda r: r["controller"].pop("authority"), tmp_path)


def test_controller_without_address_or_contact(tmp_path: Path) -> None:
    def strip(r: dict) -> None:
        r["controller"].pop("address")
        r["controller"].pop("contact")

    assert_fires("GD103", strip, tmp_path, at=("controller", "name"))


def test_controller_with_only_an_address_is_reachable(tmp_path: Path) -> None:
    registry = good()
    registry["controller"].pop("contact")
    assert not findings(check(registry, tmp_path), "GD103")


def test_no_rights_channel_at_all(tmp_path: Path) -> None:
    def strip(r: dict) -> None:
        for key in ("dpo", "contact"):
            r["controller"].pop(key)

    assert_fires("GD104", strip, tmp_path, at=("controller",))


def test_a_rights_channel_without_dpo_is_a_channel(tmp_path: Path) -> None:
    registry = good()
    registry["controller"].pop("dpo")
    registry["controller"].pop("contact")
    registry["controller"]["rights_channel"] = {"url": "https://exemple.fr/droits"}
    assert not findings(check(registry, tmp_path), "GD104")


def test_notice_without_date(tmp_path: Path) -> None:
    assert_fires(
        "GD105",
        lambda r: r["controller"]["notice"].pop("date"),
        tmp_path,
        at=("controller", "notice", "version"),
    )


def test_notice_without_version_is_a_schema_error(tmp_path: Path) -> None:
    registry = good()
    registry["controller"]["notice"].pop("version")
    assert [f.code for f in check(registry, tmp_path).findings] == ["GD004"]


def test_controller_outside_the_eea_without_representative(tmp_path: Path) -> None:
    hits = assert_fires(
        "GD106",
        lambda r: r["controller"].update(country="US"),
        tmp_path,
        at=("controller", "country"),
    )
    assert "US" in hits[0].message
    registry = good()
    registry["controller"].update(country="US", representative={"email": "eu@exemple.fr"})
    assert not findings(check(registry, tmp_path), "GD106")


def test_no_security_measures(tmp_path: Path) -> None:
    assert_fires(
        "GD107",
        lambda r: r["controller"].update(security_measures=[]),
        tmp_path,
        at=("controller", "security_measures"),
    )


def test_an_email_longer_than_254_characters_is_refused_before_matching(tmp_path: Path) -> None:
    # RFC 5321 caps an address at 254 characters; checking the length first also bounds the
    # pattern's work (an address of 50,000 dots took 17 s with a backtracking pattern).
    registry = good()
    registry["controller"]["dpo"] = {"email": "a" * 244 + "@exemple.fr"}  # 255 characters
    report = check(registry, tmp_path)
    [finding] = findings(report, "GD003")
    assert "is not an e-mail address" in finding.message
    assert finding.line == line_of(report, "controller", "dpo", "email")
