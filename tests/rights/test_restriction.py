"""Restriction (Art. 18, R-RGT-07): the flag set and lifted on the person's rows where a table
declares one; other tables named as protected only by gardien's list; Art. 19 recipients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from gardien.clock import FixedClock
from gardien.jobs.restriction import restrict
from gardien.registry.loader import load_registry
from gardien.rights.erasure import LocatedRow
from gardien.rights.outcome import RestrictionOutcome
from gardien.rights.restriction import RestrictionRefused, plan_restriction
from gardien.store import audit
from gardien.store.schema import audit_event
from tests.rights.test_erasure_sql import CLIENT, EXAMPLE, FORMER, NOW, World, build


def test_flagged_tables_are_marked_and_others_named() -> None:
    registry = load_registry(EXAMPLE, environ={})
    rows = [
        LocatedRow("crm", "client", 1, False, {"id": 1}),
        LocatedRow("crm", "client", 9, True, {"id": 9}),
        LocatedRow("crm", "site", 10, False, {"id": 10, "client_id": 1}),
    ]
    plan = plan_restriction(registry, "r", rows)
    assert [(s.table, s.archived, s.keys, dict(s.constants)) for s in plan.steps] == [
        ("client", False, (1,), {"restricted": True}),
        ("client", True, (9,), {"restricted": True}),
    ]
    assert plan.outcome.unflagged == ("crm.site",)
    assert "gardien's restriction list" in plan.outcome.notes[0]
    lifted = plan_restriction(registry, "r", rows, lift=True)
    assert all(dict(s.constants) == {"restricted": False} for s in lifted.steps)
    with pytest.raises(RestrictionRefused, match=r"crm\.nowhere"):
        plan_restriction(registry, "r", [LocatedRow("crm", "nowhere", 1, False, {})])


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    built = build(db_url, tmp_path)
    yield built
    for connector in built.connectors.values():
        connector.dispose()


def run(
    world: World, identity: dict[str, str], *, lift: bool = False, notice: str | None = None
) -> RestrictionOutcome:
    return restrict(
        world.registry,
        world.store,
        FixedClock(NOW),
        "r-restrict",
        world.rows_of("r-restrict", identity),
        world.connectors,
        actor="dpo",
        lift=lift,
        notice=notice,
    )


def flags(world: World, table: str) -> dict[int, bool]:
    with world.connectors["crm"].engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT id, restricted FROM {table}"))
        return {r[0]: bool(r[1]) for r in rows}


def test_restriction_flag_is_set_then_lifted(world: World) -> None:
    person = {**CLIENT, "email": FORMER["email"]}  # the client's phone, the former client's e-mail
    with world.connectors["crm"].engine.begin() as conn:  # someone else, never touched
        conn.execute(
            sa.text("INSERT INTO client (id, email, restricted) VALUES (7, 'x@y.fr', false)")
        )
    outcome = run(world, person)
    assert flags(world, "client") == {1: True, 7: False}
    assert flags(world, "client_gardien_archive") == {2: True, 3: True}
    tables = {f"{t.system}.{t.table}": t for t in outcome.tables}
    assert (tables["crm.client"].flag, tables["crm.client"].marked) == ("restricted", 3)
    assert set(outcome.unflagged) >= {"crm.site", "crm.alarm_event", "crm.prospect"}
    assert "field-providers" in outcome.recipients  # Art. 19, from the contract activity
    assert "staff" not in outcome.recipients  # internal: the controller itself

    again = run(world, person)  # idempotent
    assert again == outcome and flags(world, "client") == {1: True, 7: False}

    with pytest.raises(RestrictionRefused, match=r"Art\. 18\(3\)"):
        run(world, person, lift=True)
    assert flags(world, "client")[1] is True  # a refused lift changes nothing

    lifted = run(world, person, lift=True, notice="letter of 2026-06-15 to jean.martin@x.fr")
    assert lifted.lifted
    assert flags(world, "client") == {1: False, 7: False}
    assert flags(world, "client_gardien_archive") == {2: False, 3: False}
    with world.store.connect() as conn:
        details = [r.details for r in conn.execute(sa.select(audit_event.c.details))]
    assert "jean.martin@x.fr" not in json.dumps(details)
    assert audit.verify_trail(world.store).ok
