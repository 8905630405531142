"""Property: a row leaves the active table iff no activity justifies it and no hold covers it.

The policy's condition trees are evaluated on random rows and compared with an independent
oracle that computes each activity's phase ends with plain date arithmetic.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gardien.holds.model import LegalHold
from gardien.registry.duration import Duration
from gardien.registry.model import Registry
from gardien.retention.conditions import evaluate
from gardien.retention.policy import ActionKind, Stage, plan_retention

EVENTS = ("a", "b", "c")
NOW = datetime(2026, 11, 22, 10, 30)

durations = st.sampled_from(["P6M", "P1Y", "P2Y", "P3Y", "P5Y", "P1M", "P30D", "P1Y6M"])
expressions = st.one_of(
    st.sampled_from(EVENTS),
    st.builds(
        lambda c, evs: f"{c}({', '.join(evs)})",
        st.sampled_from(["latest", "earliest"]),
        st.lists(st.sampled_from(EVENTS), min_size=2, max_size=3, unique=True),
    ),
)


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        active: dict[str, Any] = {"until": draw(expressions)}
    else:
        active = {"for": draw(durations), "from": draw(expressions)}
    rule: dict[str, Any] = {"active": active, "then": "delete"}
    if draw(st.booleans()):
        rule["archive"] = {"for": draw(durations), "reason": {"en": "proof"}}
    return rule


def registry_with(rule_list: list[dict[str, Any]]) -> Registry:
    activities = {
        f"act{i}": {
            "name": {"en": f"Activity {i}"},
            "purpose": {"en": "purpose"},
            "legal_basis": "contract",
            "subjects": ["person"],
            "data": ["identity"],
            "retention": {"person": rule},
        }
        for i, rule in enumerate(rule_list)
    }
    return Registry.model_validate(
        {
            "gardien": 1,
            "controller": {"name": "Test", "notice": {"version": "1", "languages": ["en"]}},
            "subjects": {"person": {"en": "Person"}},
            "data": {"identity": {"en": "Identity"}},
            "activities": activities,
            "systems": {
                "db": {
                    "url": "sqlite://",
                    "tables": {
                        "person": {
                            "subject": "person",
                            "activities": list(activities),
                            "identity": {"email": "email"},
                            "events": {e: e for e in EVENTS},
                            "columns": {"email": "identity"},
                        }
                    },
                }
            },
        }
    )


def _start(expr: str, row: dict[str, Any], *, for_until: bool) -> datetime | None:
    if "(" not in expr:
        return row[expr]
    kind, names = expr.split("(", 1)
    values = [row[n.strip()] for n in names.rstrip(")").split(",")]
    known = [v for v in values if v is not None]
    if kind == "earliest":
        return min(known) if known else None
    if for_until:  # until latest(...): ended only when every event happened
        return max(values) if all(v is not None for v in values) else None
    return max(known) if known else None


def oracle(rule_list: list[dict[str, Any]], row: dict[str, Any]) -> str:
    active_ends, archive_ends = [], []
    for rule in rule_list:
        active = rule["active"]
        if "until" in active:
            end = _start(active["until"], row, for_until=True)
        else:
            start = _start(active["from"], row, for_until=False)
            end = Duration.parse(active["for"]).add_to(start) if start else None
        active_ends.append(end)
        archive = rule.get("archive")
        archive_ends.append(Duration.parse(archive["for"]).add_to(end) if end and archive else end)
    if any(e is None or e > NOW for e in active_ends):
        return "active"
    if any(e is None or e > NOW for e in archive_ends):
        return "archive"
    return "expired"


day = st.one_of(
    st.none(),
    st.dates(min_value=date(2016, 1, 1), max_value=date(2028, 12, 31)).map(
        lambda d: datetime.combine(d, datetime.min.time())
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(rules(), min_size=1, max_size=3),
    st.fixed_dictionaries({e: day for e in EVENTS}),
    st.booleans(),
)
def test_policy_matches_oracle(
    rule_list: list[dict[str, Any]], row: dict[str, Any], held: bool
) -> None:
    registry = registry_with(rule_list)
    row = {**row, "email": "held@example.fr" if held else "free@example.fr"}
    hold = LegalHold(
        "h1",
        "litigation",
        None,
        datetime(2026, 1, 1, tzinfo=UTC),
        "dpo",
        identity_kind="email",
        identity_value="held@example.fr",
    )
    plan = plan_retention(registry, NOW.replace(tzinfo=UTC), [hold])
    expected = oracle(rule_list, row)
    by = {(a.stage, a.kind): a for a in plan.actions}
    end_now = by.get((Stage.ACTIVE, ActionKind.DELETE))
    archive_now = by.get((Stage.ACTIVE, ActionKind.ARCHIVE))
    end_archived = by.get((Stage.ARCHIVE, ActionKind.DELETE))
    deleted = end_now is not None and evaluate(end_now.target, row)
    archived = archive_now is not None and evaluate(archive_now.target, row)
    assert deleted == (expected == "expired" and not held)
    assert archived == (expected == "archive" and not held)
    assert not (deleted and archived)
    if end_archived is not None:  # the same row, sitting in the archive table
        assert evaluate(end_archived.target, row) == (expected == "expired" and not held)
    if held:
        assert not deleted and not archived


def _released_with_appeal_to(appeal_ends: date) -> LegalHold:
    """A hold on a caller, placed in 2025 and released on 2026-06-01 with an appeal period."""
    return LegalHold(
        "h",
        "litigation",
        "RG 1",
        datetime(2025, 1, 1, tzinfo=UTC),
        "dpo",
        identity_kind="phone",
        identity_value="+33600000000",
        released_at=datetime(2026, 6, 1, tzinfo=UTC),
        appeal_ends=appeal_ends,
    )


def test_hold_released_with_appeal_period_protects_until_its_end() -> None:
    released = _released_with_appeal_to(date(2026, 12, 31))
    assert released.in_force(datetime(2026, 11, 22, tzinfo=UTC), "UTC")
    assert not released.in_force(datetime(2027, 1, 1, tzinfo=UTC), "UTC")
    assert not LegalHold(
        "h",
        "r",
        None,
        datetime(2025, 1, 1, tzinfo=UTC),
        "dpo",
        released_at=datetime(2026, 1, 1, tzinfo=UTC),
    ).in_force(datetime(2026, 1, 2, tzinfo=UTC) + timedelta(days=1), "UTC")


def test_appeal_end_is_a_whole_day_in_the_controllers_time_zone() -> None:
    """Kept until 2026-12-31 in Paris: all of that day, which ends at 23:00 UTC (Reg. 1182/71
    art. 3(2)(b)), and not one hour more."""
    released = _released_with_appeal_to(date(2026, 12, 31))
    assert released.in_force(datetime(2026, 12, 31, 22, 59, tzinfo=UTC), "Europe/Paris")
    assert not released.in_force(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "Europe/Paris")
    assert released.in_force(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "UTC")
    # west of UTC the day ends later than midnight UTC
    assert released.in_force(datetime(2027, 1, 1, 4, 59, tzinfo=UTC), "America/New_York")
    assert not released.in_force(datetime(2027, 1, 1, 5, 0, tzinfo=UTC), "America/New_York")
