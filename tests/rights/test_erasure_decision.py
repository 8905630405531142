"""The erasure decision on the ima-protect registry, without a database: each scenario is a
person of one subject category asking for erasure (Art. 17, R-RGT-03)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gardien.consent.keys import SubjectKey
from gardien.holds.model import LegalHold
from gardien.law.calendar import local_day
from gardien.registry.duration import Duration
from gardien.registry.loader import load_registry
from gardien.registry.model import ErasureStrategy, Registry
from gardien.rights.erasure import (
    ANONYMISED,
    HASH_PREFIX,
    ErasureInputError,
    LocatedRow,
    decide_erasure,
    hashed,
)
from gardien.rights.erasure_execution import WriteAction, WriteStep

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
KEY = SubjectKey(b"test-key")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(EXAMPLE, environ={})


def crm(table: str, key: int, archived: bool = False, **values: Any) -> LocatedRow:
    return LocatedRow("crm", table, key, archived, {"id": key, **values})


def client_family(ended: date | None, archived: bool = False) -> list[LocatedRow]:
    return [
        crm("client", 1, archived, email="jean@x.fr", contract_ended_on=ended),
        crm("site", 10, archived, client_id=1, site_address="1 rue de la Paix"),
        crm("alarm_event", 20, archived, client_id=1, description="intrusion"),
    ]


def by_table(plan: Any) -> dict[str, Any]:
    return {t.where: t for t in plan.outcome.tables}


def test_client_under_contract_keeps_contract_data_and_ends_analytics(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", client_family(None), NOW, key=KEY)
    tables = by_table(plan)
    client = tables["crm.client"]
    assert (client.found, client.erased, client.kept) == (1, 0, 1)
    [kept] = client.kept_because
    assert kept.reason.activity == "contract"
    assert kept.reason.article == "GDPR Art. 17(1)(a) not met: Art. 6(1)(b)"
    assert kept.reason.until is None and kept.reason.until_event == "contract_end"
    assert "end" in kept.reason.ground
    # The analysis for service improvement (legitimate interest) no longer uses the data.
    assert client.no_longer_used_for == ("service-improvement",)
    # Children follow their client: kept for the same reason.
    assert tables["crm.site"].kept == 1 and tables["crm.alarm_event"].kept == 1
    assert tables["crm.site"].kept_because[0].reason.activity == "contract"
    assert plan.steps == ()
    assert not plan.outcome.complete


def test_former_client_in_the_archive_is_kept_until_the_archive_ends(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", client_family(date(2025, 11, 22), True), NOW, key=KEY)
    client = by_table(plan)["crm.client (archive)"]
    assert client.kept == 1 and client.erased == 0
    [kept] = client.kept_because
    assert kept.reason.article == "GDPR Art. 17(3)(e)"
    assert kept.reason.activity == "contract"
    assert kept.reason.until == date(2030, 11, 22)  # contract end + P5Y
    assert "legal claims" in kept.reason.ground
    assert plan.steps == ()  # an archived row is never touched before its archive phase ends


def test_ended_contract_not_yet_archived_is_kept_as_proof(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", client_family(date(2025, 11, 22)), NOW, key=KEY)
    [kept] = by_table(plan)["crm.client"].kept_because
    assert (kept.reason.article, kept.reason.until) == ("GDPR Art. 17(3)(e)", date(2030, 11, 22))
    assert plan.steps == ()


def test_archive_past_its_end_is_erased_children_first(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", client_family(date(2020, 1, 1), True), NOW, key=KEY)
    assert plan.outcome.complete and plan.outcome.erased == 3
    order = [(s.table, s.archived, s.action) for s in plan.steps]
    assert order == [
        ("alarm_event", True, WriteAction.DELETE),
        ("site", True, WriteAction.DELETE),
        ("client", True, WriteAction.DELETE),
    ]
    assert plan.steps[-1].keys == (1,)


def test_prospect_is_erased_entirely(registry: Registry) -> None:
    prospect = crm("prospect", 5, email="p@x.fr", collected_at=datetime(2026, 1, 1))
    plan = decide_erasure(registry, "r1", [prospect], NOW, key=KEY)
    assert plan.outcome.complete
    assert plan.steps == (WriteStep("crm", "prospect", False, "id", WriteAction.DELETE, (5,)),)


def test_trusted_person_is_erased(registry: Registry) -> None:
    person = crm("trusted_person", 7, phone="+33611111111", removed_at=None)
    plan = decide_erasure(registry, "r1", [person], NOW, key=KEY)
    assert plan.outcome.complete and plan.outcome.erased == 1
    assert [s.table for s in plan.steps] == ["trusted_person"]


def recording(key: int, at: datetime, number: str = "+33699999991") -> LocatedRow:
    return LocatedRow(
        "telephony",
        "call_recording",
        key,
        False,
        {"id": key, "caller_number": number, "recorded_at": at},
    )


def test_recording_under_the_legal_obligation_is_kept_until_six_months(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", [recording(1, datetime(2026, 5, 3, 8, 0))], NOW, key=KEY)
    [table] = plan.outcome.tables
    assert table.kept == 1
    [kept] = table.kept_because
    assert kept.reason.activity == "call-recording-compliance"
    assert kept.reason.article == "GDPR Art. 17(3)(b)"
    assert kept.reason.until == date(2026, 11, 3)
    assert "Sapin II" in kept.reason.ground
    assert table.no_longer_used_for == ("call-recording",)


def test_recording_older_than_six_months_is_erased(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", [recording(2, datetime(2025, 12, 1))], NOW, key=KEY)
    assert plan.outcome.complete and len(plan.steps) == 1


def test_caller_with_a_held_recording_keeps_it_under_legal_claims(registry: Registry) -> None:
    hold = LegalHold(
        "h1", "litigation over a call", "RG 26/001", NOW, "dpo",
        identity_kind="phone", identity_value="+33699999991",
    )  # fmt: skip
    plan = decide_erasure(
        registry, "r1", [recording(3, datetime(2025, 1, 1))], NOW, key=KEY, holds=[hold]
    )
    [table] = plan.outcome.tables
    [kept] = table.kept_because
    assert (kept.reason.article, kept.reason.hold, kept.reason.until) == (
        "GDPR Art. 17(3)(e)",
        "h1",
        None,
    )
    assert "RG 26/001" in kept.reason.ground
    assert plan.steps == ()


def test_released_hold_keeps_until_the_appeal_ends_then_not(registry: Registry) -> None:
    hold = LegalHold(
        "h1", "litigation", None, datetime(2025, 1, 1, tzinfo=UTC), "dpo", system="telephony",
        table="call_recording", keys=("3",), released_at=datetime(2026, 1, 1, tzinfo=UTC),
        appeal_ends=date(2026, 7, 1),
    )  # fmt: skip
    rows = [recording(3, datetime(2025, 1, 1))]
    plan = decide_erasure(registry, "r1", rows, NOW, key=KEY, holds=[hold])
    assert plan.outcome.tables[0].kept_because[0].reason.until == date(2026, 7, 1)
    later = datetime(2026, 7, 2, tzinfo=UTC)
    assert decide_erasure(registry, "r1", rows, later, key=KEY, holds=[hold]).outcome.complete


def with_client_strategy(
    registry: Registry, erase: ErasureStrategy, contract_data: list[str]
) -> Registry:
    crm_system = registry.systems["crm"]
    client = crm_system.tables["client"].model_copy(update={"erase": erase})
    tables = {**crm_system.tables, "client": client}
    systems = {**registry.systems, "crm": crm_system.model_copy(update={"tables": tables})}
    contract = registry.activities["contract"].model_copy(update={"data": contract_data})
    activities = {**registry.activities, "contract": contract}
    return registry.model_copy(update={"systems": systems, "activities": activities})


def test_kept_row_loses_the_columns_no_keeping_activity_needs(registry: Registry) -> None:
    strategy = ErasureStrategy.model_validate(
        {
            "columns": {
                "email": "hash",
                "phone": "null",
                "postal_address": "anonymise",
                "last_name": "null",
            }
        }
    )
    changed = with_client_strategy(registry, strategy, ["identity", "site", "contract"])
    row = crm(
        "client",
        1,
        email="jean@x.fr",
        phone="+33612345678",
        postal_address="1 rue",
        last_name="Martin",
        contract_ended_on=None,
    )
    plan = decide_erasure(changed, "r1", [row], NOW, key=KEY)
    [table] = plan.outcome.tables
    assert (table.kept, table.partly_erased) == (1, 1)
    assert table.erased_columns == ("email", "phone", "postal_address")  # contact, not identity
    [step] = plan.steps
    assert step.action is WriteAction.UPDATE
    assert step.constants == {"phone": None}
    assert step.per_key["email"] == {1: hashed(KEY, "jean@x.fr")}
    assert step.per_key["postal_address"] == {1: ANONYMISED}
    assert (
        step.per_key["email"][1].startswith(HASH_PREFIX) and "jean" not in step.per_key["email"][1]
    )


def test_columns_already_erased_are_not_erased_twice(registry: Registry) -> None:
    strategy = ErasureStrategy.model_validate({"columns": {"email": "hash", "phone": "null"}})
    changed = with_client_strategy(registry, strategy, ["identity"])
    row = crm("client", 1, email=hashed(KEY, "jean@x.fr"), phone=None, contract_ended_on=None)
    plan = decide_erasure(changed, "r1", [row], NOW, key=KEY)
    assert plan.steps == ()
    assert plan.outcome.tables[0].partly_erased == 0


def test_children_of_a_deleted_parent_are_deleted_whatever_their_strategy(
    registry: Registry,
) -> None:
    crm_system = registry.systems["crm"]
    site = crm_system.tables["site"].model_copy(
        update={"erase": ErasureStrategy.model_validate({"columns": {"site_address": "null"}})}
    )
    systems = {
        **registry.systems,
        "crm": crm_system.model_copy(update={"tables": {**crm_system.tables, "site": site}}),
    }
    changed = registry.model_copy(update={"systems": systems})
    plan = decide_erasure(changed, "r1", client_family(date(2019, 1, 1), True), NOW, key=KEY)
    assert all(s.action is WriteAction.DELETE for s in plan.steps)
    assert "parent row is deleted" in {t.table: t for t in plan.outcome.tables}["site"].method


def test_outcome_is_json_and_holds_no_value_of_the_person(registry: Registry) -> None:
    rows = [*client_family(None), crm("prospect", 5, email="jean@x.fr", collected_at=None)]
    plan = decide_erasure(registry, "r1", rows, NOW, key=KEY)
    text = json.dumps(plan.outcome.to_dict())
    assert "jean@x.fr" not in text and "rue de la Paix" not in text
    data = json.loads(text)
    assert [(t["table"], t["found"], t["erased"], t["kept"]) for t in data["tables"]] == [
        ("alarm_event", 1, 0, 1),
        ("client", 1, 0, 1),
        ("prospect", 1, 1, 0),
        ("site", 1, 0, 1),
    ]
    assert data["recipients"] == ["it-processors"]  # Art. 19, prospecting's non-internal recipient


def test_a_child_without_its_parent_is_refused_by_name(registry: Registry) -> None:
    with pytest.raises(ErasureInputError, match=r"crm.site row 10: its parent crm.client row 1"):
        decide_erasure(registry, "r1", client_family(None)[1:2], NOW, key=KEY)


def test_an_unknown_table_is_refused_by_name(registry: Registry) -> None:
    with pytest.raises(ErasureInputError, match=r"crm\.nowhere is not a table"):
        decide_erasure(registry, "r1", [crm("nowhere", 1)], NOW, key=KEY)


def test_steps_survive_the_journal_round_trip(registry: Registry) -> None:
    strategy = ErasureStrategy.model_validate({"columns": {"email": "hash", "phone": "null"}})
    changed = with_client_strategy(registry, strategy, ["identity"])
    rows = [
        crm("client", k, email=f"p{k}@x.fr", phone="+336", contract_ended_on=None) for k in (1, 2)
    ]
    [step] = decide_erasure(changed, "r1", rows, NOW, key=KEY).steps
    again = WriteStep.from_json(json.loads(json.dumps(step.to_json())))
    assert again == step
    assert [c.keys for c in step.chunks(1)] == [(1,), (2,)]
    assert step.chunks(1)[1].per_key["email"] == {2: hashed(KEY, "p2@x.fr")}


# --- the decision agrees with the retention rules, at every date ------------------------------

DAYS = st.integers(min_value=-4000, max_value=400)


@settings(max_examples=200, deadline=None)
@given(offset=DAYS, seconds=st.integers(min_value=0, max_value=86399))
def test_recordings_are_kept_exactly_while_the_obligation_runs(offset: int, seconds: int) -> None:
    registry = load_registry(EXAMPLE, environ={})
    at = NOW.replace(tzinfo=None) + timedelta(days=offset, seconds=seconds)
    plan = decide_erasure(registry, "r", [recording(1, at)], NOW, key=KEY)
    # Issue 10 §1: kept through the last day (local day in Europe/Paris), gone the day after.
    end = Duration(months=6).add_to(local_day(at, "Europe/Paris"))
    [table] = plan.outcome.tables
    assert table.kept == (1 if end >= local_day(NOW, "Europe/Paris") else 0)
    if table.kept:
        assert table.kept_because[0].reason.until == end


@settings(max_examples=200, deadline=None)
@given(offset=DAYS)
def test_archived_contracts_are_kept_exactly_while_the_archive_runs(offset: int) -> None:
    registry = load_registry(EXAMPLE, environ={})
    ended = NOW.date() + timedelta(days=offset)
    plan = decide_erasure(registry, "r", client_family(ended, True), NOW, key=KEY)
    end = Duration(years=5).add_to(ended)
    client = {t.table: t for t in plan.outcome.tables}["client"]
    assert client.kept == (1 if end > NOW.date() else 0)
    if client.kept:
        assert client.kept_because[0].reason.until == end
    # Kept or not, the archived row is never written to before its archive phase ends.
    assert bool(plan.steps) == (end <= NOW.date())


def test_nobody_found_is_a_complete_erasure_with_nothing_to_do(registry: Registry) -> None:
    plan = decide_erasure(registry, "r1", [], NOW, key=KEY)
    assert plan.steps == () and plan.outcome.tables == ()
    assert plan.outcome.complete and plan.outcome.to_dict()["found"] == 0
