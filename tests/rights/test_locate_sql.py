"""Locating people on SQLite, PostgreSQL and MariaDB: ima-protect filled by the synthetic
generator, plus hand-made people with near-identical identifiers."""

from __future__ import annotations

from typing import Any

from gardien.rights.locate import PersonLocation, locate, plan_locate
from tests.rights.conftest import JEAN, JEAN1, OBRIEN, SQL_TRAP, ZOE, ZOE_PLAIN, World


def _owned(location: PersonLocation, world: World) -> None:
    """Every row found holds one of the request's identifiers, or hangs from such a row."""
    tables = world.registry.systems
    for row in location.all_rows():
        table = tables[row.system].tables[row.table]
        if table.belongs_to is None:
            held = {
                kind: row.values[column]
                for kind, column in table.identity.items()
                if row.values.get(column) is not None
            }
            assert row.matched, row
            for kind in row.matched:
                assert held[kind] == location.identity[kind], row
        else:
            parents = {
                p.key
                for p in location.rows(row.system, table.belongs_to.table)
                if p.archived == row.archived
            }
            assert row.values[table.belongs_to.column] in parents, row


def _keys(location: PersonLocation, table: str, system: str = "crm") -> list[tuple[Any, bool]]:
    return [(r.key, r.archived) for r in location.rows(system, table)]


def test_near_identical_people_never_leak(world: World) -> None:
    people = [
        ("jean", JEAN),
        ("jean1", JEAN1),
        ("zoe", ZOE),
        ("zoe-plain", ZOE_PLAIN),
        ("obrien", OBRIEN),
        ("nobody", {"email": "personne@nulle-part.fr", "phone": "+33600000000"}),
    ]
    found = locate(world.registry, people, world.connectors)

    jean = found["jean"]
    assert _keys(jean, "client") == [(100001, False), (100009, True)]
    assert jean.rows("crm", "client")[0].matched == ("email", "phone")
    assert _keys(jean, "site") == [(200001, False), (200009, True)]
    assert _keys(jean, "alarm_event") == [(300001, False)]
    assert _keys(jean, "prospect") == [(100001, False)]
    assert _keys(jean, "trusted_person") == [(100001, False)]
    assert _keys(jean, "call_recording", "telephony") == [(100001, False)]
    assert _keys(found["jean1"], "client") == [(100002, False)]
    assert _keys(found["jean1"], "site") == [(200002, False)]
    assert _keys(found["jean1"], "call_recording", "telephony") == [(100002, False)]

    assert _keys(found["zoe"], "client") == [(100004, False)]
    assert _keys(found["zoe"], "site") == [(200003, False)]
    assert _keys(found["zoe-plain"], "client") == [(100005, False)]
    assert not found["zoe-plain"].rows("crm", "site")

    obrien = found["obrien"]
    assert _keys(obrien, "client") == [(100006, False)]
    assert obrien.rows("crm", "client")[0].values["customer_number"] == SQL_TRAP
    assert obrien.rows("crm", "client")[0].matched == ("customer_number", "email")

    assert not found["nobody"].found
    for location in found.values():
        _owned(location, world)
    # The table the SQL trap names is still there, whole.
    assert len(world.rows("client")) == 206


def test_synthetic_people_are_found_with_their_children(world: World) -> None:
    clients = sorted(world.rows("client"), key=lambda r: r["id"])[:50]
    sites = world.rows("site")
    people = [(f"c{r['id']}", {"email": r["email"]}) for r in clients]
    people += [(f"p{r['id']}", {"phone": r["phone"]}) for r in clients[:10]]
    found = locate(world.registry, people, world.connectors, batch_size=7)
    for r in clients:
        location = found[f"c{r['id']}"]
        assert _keys(location, "client") == [(r["id"], False)]
        expected_sites = sorted(s["id"] for s in sites if s["client_id"] == r["id"])
        assert [k for k, _ in _keys(location, "site")] == expected_sites
        _owned(location, world)
    for r in clients[:10]:
        location = found[f"p{r['id']}"]
        assert (r["id"], False) in _keys(location, "client")
        _owned(location, world)


def test_a_batch_is_a_handful_of_queries(world: World) -> None:
    clients = world.rows("client")
    people = [
        (f"c{r['id']}", {k: r[k] for k in ("email", "phone") if r[k] is not None}) for r in clients
    ]
    plan = plan_locate(world.registry, people)
    # 5 subject tables and 2 child tables, each active and archived: 14 queries for 206 people.
    assert plan.queries == 14
