"""GD5xx: retention (Art. 5(1)(e), 13(2)(a); R-RET-01…09)."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires, check, findings, good

PROSPECT_RULE = ("activities", "prospecting", "retention", "prospect")


def test_activity_without_retention_for_a_subject(tmp_path: Path) -> None:
    assert_fires(
        "GD501",
        lambda r: r["activities"]["contract"].pop("retention"),
        tmp_path,
        at=("activities", "contract", "subjects", 0),
    )


def test_table_whose_subject_has_no_retention(tmp_path: Path) -> None:
    assert_fires(
        "GD502",
        lambda r: r["activities"]["contract"].pop("retention"),
        tmp_path,
        at=("systems", "crm", "tables", "client", "activities"),
    )


def test_child_tables_follow_their_parent(tmp_path: Path) -> None:
    registry = good()
    registry["activities"]["contract"].pop("retention")
    hits = findings(check(registry, tmp_path), "GD502")
    assert [h.message.split()[1] for h in hits] == ["crm.client"]


def test_retention_event_not_mapped_to_a_column(tmp_path: Path) -> None:
    hits = assert_fires(
        "GD503",
        lambda r: r["systems"]["crm"]["tables"]["prospect"]["events"].pop("last_contact_at"),
        tmp_path,
        at=("systems", "crm", "tables", "prospect", "events"),
    )
    assert "'last_contact_at'" in hits[0].message


def test_child_table_with_own_activities_inherits_parent_events(tmp_path: Path) -> None:
    registry = good()
    registry["systems"]["crm"]["tables"]["order"]["activities"] = ["contract"]
    assert not findings(check(registry, tmp_path), "GD503")


def test_archive_without_reason(tmp_path: Path) -> None:
    assert_fires(
        "GD504",
        lambda r: r["activities"]["contract"]["retention"]["client"]["archive"].pop("reason"),
        tmp_path,
        at=("activities", "contract", "retention", "client", "archive"),
    )


def test_prospects_kept_beyond_three_years(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["activities"]["prospecting"]["retention"]["prospect"]["active"]["for"] = "P4Y"

    hits = assert_fires("GD505", mutate, tmp_path, at=(*PROSPECT_RULE, "active", "for"))
    assert "P3Y" in hits[0].message


def test_thirty_six_months_is_not_beyond_three_years(tmp_path: Path) -> None:
    registry = good()
    registry["activities"]["prospecting"]["retention"]["prospect"]["active"]["for"] = "P36M"
    assert not findings(check(registry, tmp_path), "GD505")


def test_call_recordings_kept_beyond_six_months(tmp_path: Path) -> None:
    def mutate(r: dict) -> None:
        r["data"]["identity"] = {
            "label": {"fr": "Enregistrement", "en": "Recording"},
            "retention_reference": "call_recording",
        }
        r["activities"]["prospecting"]["retention"]["prospect"]["active"]["for"] = "P1Y"

    hits = assert_fires("GD505", mutate, tmp_path, at=(*PROSPECT_RULE, "active", "for"))
    assert "call recording" in hits[0].message
    registry = good()
    mutate(registry)
    registry["activities"]["prospecting"]["retention"]["prospect"]["note"] = {
        "fr": "contentieux en cours",
        "en": "ongoing litigation",
    }
    assert not findings(check(registry, tmp_path), "GD505")
