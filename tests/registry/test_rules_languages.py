"""GD7xx: every text of the notice in each declared language (Art. 12(1))."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires


def test_subject_label_missing_in_english(tmp_path: Path) -> None:
    assert_fires(
        "GD701",
        lambda r: r["subjects"]["client"].pop("en"),
        tmp_path,
        at=("subjects", "client"),
    )


def test_data_label_missing_in_french(tmp_path: Path) -> None:
    hits = assert_fires(
        "GD702", lambda r: r["data"]["contact"].pop("fr"), tmp_path, at=("data", "contact")
    )
    assert "fr" in hits[0].message


def test_activity_purpose_missing_in_english(tmp_path: Path) -> None:
    assert_fires(
        "GD703",
        lambda r: r["activities"]["contract"]["purpose"].pop("en"),
        tmp_path,
        at=("activities", "contract", "purpose"),
    )


def test_activity_nested_text_missing(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["activities"]["contract"]["retention"]["client"]["archive"]["reason"]["en"] = " "

    assert_fires(
        "GD703",
        mutate,
        tmp_path,
        at=("activities", "contract", "retention", "client", "archive", "reason"),
    )


def test_recipient_label_missing(tmp_path: Path) -> None:
    assert_fires(
        "GD704",
        lambda r: r["recipients"]["hosting"]["label"].pop("en"),
        tmp_path,
        at=("recipients", "hosting", "label"),
    )


def test_other_text_missing(tmp_path: Path) -> None:
    assert_fires(
        "GD705",
        lambda r: r["controller"]["security_measures"][0].pop("en"),
        tmp_path,
        at=("controller", "security_measures", 0),
    )


def test_text_in_an_undeclared_language(tmp_path: Path) -> None:
    assert_fires(
        "GD706",
        lambda r: r["subjects"]["client"].update(de="Kunde"),
        tmp_path,
        at=("subjects", "client", "de"),
    )
