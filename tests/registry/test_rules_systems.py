"""GD6xx: systems and tables, mapped to activities and data categories."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires, check, findings, good

CLIENT = ("systems", "crm", "tables", "client")


def test_event_column_mapped_to_no_category(tmp_path: Path) -> None:
    assert_fires(
        "GD601",
        lambda r: r["systems"]["crm"]["tables"]["client"]["columns"].pop("ended_on"),
        tmp_path,
        at=(*CLIENT, "events", "contract_end"),
    )


def test_identity_column_mapped_to_no_category(tmp_path: Path) -> None:
    assert_fires(
        "GD601",
        lambda r: r["systems"]["crm"]["tables"]["client"]["columns"].pop("email"),
        tmp_path,
        at=(*CLIENT, "identity", "email"),
    )


def test_restriction_flag_mapped_to_no_category(tmp_path: Path) -> None:
    assert_fires(
        "GD601",
        lambda r: r["systems"]["crm"]["tables"]["client"]["columns"].pop("restricted"),
        tmp_path,
        at=(*CLIENT, "restriction_flag"),
    )


def test_table_without_activity(tmp_path: Path) -> None:
    assert_fires(
        "GD602",
        lambda r: r["systems"]["crm"]["tables"]["client"].pop("activities"),
        tmp_path,
        at=CLIENT,
    )


def test_table_activity_about_another_subject(tmp_path: Path) -> None:
    assert_fires(
        "GD603",
        lambda r: r["systems"]["crm"]["tables"]["client"]["activities"].append("prospecting"),
        tmp_path,
        at=(*CLIENT, "activities", 1),
    )


def test_activity_whose_subject_is_in_no_table(tmp_path: Path) -> None:
    assert_fires(
        "GD604",
        lambda r: r["systems"]["crm"]["tables"].pop("prospect"),
        tmp_path,
        at=("activities", "prospecting", "subjects", 0),
    )


def test_a_registry_without_systems_is_not_asked_to_locate(tmp_path: Path) -> None:
    registry = good()
    registry.pop("systems")
    assert not findings(check(registry, tmp_path), "GD604")


def test_column_holding_data_no_activity_of_the_table_processes(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["activities"]["contract"]["data"].remove("contact")

    assert_fires("GD605", mutate, tmp_path, at=(*CLIENT, "columns", "email"))


def test_table_without_erasure_strategy(tmp_path: Path) -> None:
    assert_fires(
        "GD606",
        lambda r: r["systems"]["crm"]["tables"]["client"].pop("erase"),
        tmp_path,
        at=CLIENT,
    )


def test_subject_table_without_identity(tmp_path: Path) -> None:
    assert_fires(
        "GD607",
        lambda r: r["systems"]["crm"]["tables"]["client"].pop("identity"),
        tmp_path,
        at=(*CLIENT, "subject"),
    )
    # A child table is reached through its parent: it needs no identity of its own.
    report = check(good(), tmp_path)
    assert not findings(report, "GD607")
