"""GD3xx: categories, sources, mandatory data, profiling (Art. 13(2)(e)-(f), 14(2)(f), 22)."""

from __future__ import annotations

from pathlib import Path

from tests.registry.test_rules import assert_fires, broken, check, findings, good

CONTRACT = ("activities", "contract")


def test_data_category_never_used(tmp_path: Path) -> None:
    assert_fires(
        "GD301",
        lambda r: r["data"].update(unused={"fr": "Inutile", "en": "Unused"}),
        tmp_path,
        at=("data", "unused"),
    )


def test_subject_category_never_used(tmp_path: Path) -> None:
    assert_fires(
        "GD302",
        lambda r: r["subjects"].update(visitor={"fr": "Visiteur", "en": "Visitor"}),
        tmp_path,
        at=("subjects", "visitor"),
    )


def test_mandatory_data_without_consequence(tmp_path: Path) -> None:
    assert_fires(
        "GD303",
        lambda r: r["activities"]["contract"]["mandatory"].pop("consequence"),
        tmp_path,
        at=(*CONTRACT, "mandatory"),
    )


def test_mandatory_data_without_reason(tmp_path: Path) -> None:
    assert_fires(
        "GD304",
        lambda r: r["activities"]["contract"]["mandatory"].pop("reason"),
        tmp_path,
        at=(*CONTRACT, "mandatory"),
    )


def test_indirect_collection_without_source(tmp_path: Path) -> None:
    assert_fires(
        "GD305",
        lambda r: r["activities"]["prospecting"]["source"]["prospect"].pop("description"),
        tmp_path,
        at=("activities", "prospecting", "source", "prospect", "kind"),
    )


def _profiling(r: dict, **extra: object) -> None:
    r["activities"]["prospecting"]["automated"] = {"profiling": True, **extra}


def test_profiling_without_logic_and_consequences(tmp_path: Path) -> None:
    hits = assert_fires(
        "GD309", _profiling, tmp_path, at=("activities", "prospecting", "automated", "profiling")
    )
    assert "logic and consequences" in hits[0].message
    registry = good()
    text = {"fr": "score", "en": "score"}
    _profiling(registry, logic=text, consequences=text)
    assert not findings(check(registry, tmp_path), "GD309")


def test_automated_decision_without_logic(tmp_path: Path) -> None:
    text = {"fr": "x", "en": "x"}

    def mutate(r: dict) -> None:
        _profiling(r, decision=True, consequences=text, safeguards=text)

    hits = assert_fires("GD306", mutate, tmp_path, at=("activities", "prospecting", "automated"))
    assert hits[0].message.endswith("its logic")
    report = check(broken(mutate), tmp_path)
    assert not findings(report, "GD309")  # the decision rule says it, as an error


def test_automated_decision_without_safeguards(tmp_path: Path) -> None:
    text = {"fr": "x", "en": "x"}

    def mutate(r: dict) -> None:
        _profiling(r, decision=True, logic=text, consequences=text)

    assert_fires(
        "GD307", mutate, tmp_path, at=("activities", "prospecting", "automated", "decision")
    )
    registry = good()
    _profiling(registry, decision=True, logic=text, consequences=text, safeguards=text)
    assert not findings(check(registry, tmp_path), "GD307")


def test_source_not_declared(tmp_path: Path) -> None:
    assert_fires(
        "GD308",
        lambda r: r["activities"]["contract"].pop("source"),
        tmp_path,
        at=(*CONTRACT, "subjects", 0),
    )
