"""GD5xx: retention (Art. 5(1)(e), 13(2)(a); R-RET-01…09)."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.registry.test_rules import assert_fires, check, findings, good, line_of

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


def test_rule_counted_from_a_date_that_may_be_empty_says_nothing(tmp_path: Path) -> None:
    # issue 10 §5: without the systems' schema, any start column may be empty.
    hits = assert_fires(
        "GD506",
        lambda r: r["activities"]["prospecting"]["retention"]["prospect"].pop("if_unknown"),
        tmp_path,
        at=PROSPECT_RULE,
    )
    assert "crm.prospect.collected_at" in hits[0].message
    assert "kept and listed for review" in hits[0].message


def test_rule_whose_start_columns_are_not_null_needs_no_if_unknown(tmp_path: Path) -> None:
    from gardien.registry.checker import check_path

    registry = good()
    registry["activities"]["prospecting"]["retention"]["prospect"].pop("if_unknown")
    file = tmp_path / "registry.yaml"
    file.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), "utf-8")

    def reflect(nullable: bool) -> dict[tuple[str, str, str], bool]:
        return {
            ("crm", "prospect", "collected_at"): nullable,
            ("crm", "prospect", "last_contact_at"): False,
        }

    not_null = check_path(file, environ={}, reflect=lambda _: reflect(False))
    assert not findings(not_null, "GD506")
    nullable = check_path(file, environ={}, reflect=lambda _: reflect(True))
    [hit] = findings(nullable, "GD506")
    assert "crm.prospect.collected_at is nullable" in hit.message


def test_if_unknown_on_an_until_rule_is_refused_at_its_line(tmp_path: Path) -> None:
    registry = good()
    registry["activities"]["contract"]["retention"]["client"]["if_unknown"] = "delete"
    report = check(registry, tmp_path)
    assert not report.usable
    [finding] = [f for f in report.findings if "if_unknown" in f.message]
    assert finding.line == line_of(report, "activities", "contract", "retention", "client")
    assert "with 'until', an empty date means the event has not happened" in finding.message
