"""Locating people: the plan (which queries) and the mapping of rows back to requests, no database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from gardien.identity import MalformedIdentifier
from gardien.registry.loader import load_registry
from gardien.registry.model import Registry
from gardien.registry.normalisers import ColumnNormaliser
from gardien.rights.locate import (
    ChildLookup,
    FoundRow,
    IdentityLookup,
    PersonLocation,
    UnknownIdentifierKind,
    execute_plan,
    locate,
    pivots,
    plan_locate,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ima-protect.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(EXAMPLE)


class MemoryReader:
    """Rows in lists; ``loose`` compares like MariaDB's default collation (case and accents
    ignored), so the exact check after the query is what keeps near matches out."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]], *, loose: bool = False) -> None:
        self.tables = tables
        self.loose = loose
        self.queries: list[tuple[str, dict[str, tuple[Any, ...]]]] = []

    def _fold(self, value: Any) -> Any:
        if not self.loose or not isinstance(value, str):
            return value
        import unicodedata

        text = unicodedata.normalize("NFKD", value)
        return "".join(c for c in text if not unicodedata.combining(c)).casefold().rstrip()

    def read_matching(
        self,
        table_name: str,
        columns: Mapping[str, Sequence[Any]],
        *,
        archived: bool = False,
        normalisers: Mapping[str, ColumnNormaliser] | None = None,
    ) -> list[dict[str, Any]]:
        name = table_name + ("_gardien_archive" if archived else "")
        self.queries.append((name, {c: tuple(v) for c, v in columns.items()}))
        wanted = {c: {self._fold(v) for v in values} for c, values in columns.items()}
        rules = normalisers or {}

        def stored(row: dict[str, Any], column: str) -> Any:
            value = row.get(column)
            rule = rules.get(column)
            return rule.apply(value) if rule is not None and value is not None else value

        return [
            dict(row)
            for row in self.tables.get(name, [])
            if any(self._fold(stored(row, c)) in values for c, values in wanted.items())
        ]


def test_one_query_per_table_and_stage_for_a_thousand_requests(registry: Registry) -> None:
    people = [
        (f"r{i}", {"email": f"p{i}@example.fr", "phone": f"+336{i:08d}"}) for i in range(1000)
    ]
    plan = plan_locate(registry, people)
    subject_tables = {
        ("crm", "client"),
        ("crm", "prospect"),
        ("crm", "trusted_person"),
        ("crm", "other_contact"),
        ("telephony", "call_recording"),
    }
    assert {(q.system, q.table) for q in plan.identity} == subject_tables
    assert len(plan.identity) == 2 * len(subject_tables)  # active and archive, one chunk each
    client = next(q for q in plan.identity if q.table == "client" and not q.archived)
    assert set(client.values) == {"email", "phone"}  # no customer number was named
    assert len(client.values["email"]) == 1000
    assert {(c.table, c.archived) for c in plan.children} == {
        ("site", False),
        ("site", True),
        ("alarm_event", False),
        ("alarm_event", True),
    }
    assert all(c.parent == "client" and c.link == "client_id" for c in plan.children)
    assert plan.queries == 14


def test_in_lists_are_chunked(registry: Registry) -> None:
    people = [(f"r{i}", {"email": f"p{i}@example.fr"}) for i in range(2500)]
    plan = plan_locate(registry, people, batch_size=1000)
    client = [q for q in plan.identity if q.table == "client" and not q.archived]
    assert [len(q.values["email"]) for q in client] == [1000, 1000, 500]
    every = sorted(v for q in client for v in q.values["email"])
    assert every == sorted(f"p{i}@example.fr" for i in range(2500))
    # A table without an e-mail column is not queried for an e-mail.
    assert not [q for q in plan.identity if q.table in ("trusted_person", "call_recording")]


def test_values_are_normalised_again_and_unknown_kinds_refused(registry: Registry) -> None:
    plan = plan_locate(registry, [("r1", {"email": " Jeanne.Martin@EXAMPLE.fr "})])
    assert plan.people["r1"] == {"email": "jeanne.martin@example.fr"}
    with pytest.raises(UnknownIdentifierKind, match=r"r2.*'passport'.*customer_number, email"):
        plan_locate(registry, [("r2", {"passport": "X1"})])
    with pytest.raises(MalformedIdentifier, match="r3: phone"):
        plan_locate(registry, [("r3", {"phone": "call me"})])
    # An e-mail address holds no space: gardien.identity refuses this one before any query.
    with pytest.raises(MalformedIdentifier, match="r4: email"):
        plan_locate(registry, [("r4", {"email": "o'brien\"; DROP TABLE client;--@x.fr"})])


def test_identical_values_of_two_requests_are_queried_once(registry: Registry) -> None:
    plan = plan_locate(registry, [("a", {"email": "x@x.fr"}), ("b", {"email": "x@x.fr"})])
    client = next(q for q in plan.identity if q.table == "client" and not q.archived)
    assert client.values == {"email": ("x@x.fr",)}


def _world() -> dict[str, list[dict[str, Any]]]:
    return {
        "client": [
            {
                "id": 1,
                "email": "jean.martin@x.fr",
                "phone": "+33612345678",
                "customer_number": "C1",
            },
            {
                "id": 2,
                "email": "jean.martin1@x.fr",
                "phone": "+33612345679",
                "customer_number": "C2",
            },
            {"id": 3, "email": "JÉAN.MARTIN@X.FR ", "phone": None, "customer_number": "C3"},
            {"id": 4, "email": "zoe@example.fr", "phone": None, "customer_number": "C4"},
            {"id": 5, "email": "zoë@exämple.fr", "phone": None, "customer_number": "C5"},
        ],
        "client_gardien_archive": [
            {"id": 9, "email": "jean.martin@x.fr", "phone": None, "customer_number": "C9"},
        ],
        "site": [
            {"id": 10, "client_id": 1, "site_address": "1 rue A"},
            {"id": 11, "client_id": 2, "site_address": "2 rue B"},
            # key 9 is an archived client's key, reused here by an active row of another
            # person: an active child never follows an archived parent's key.
            {"id": 12, "client_id": 9, "site_address": "9 rue reused"},
        ],
        "site_gardien_archive": [{"id": 13, "client_id": 9, "site_address": "9 rue old"}],
        "alarm_event": [{"id": 20, "client_id": 1, "description": "Intrusion"}],
        "prospect": [{"id": 1, "email": "o'brien\";drop%table--@x.fr", "phone": None}],
        "call_recording": [
            {"id": 7, "caller_number": "+33612345678"},
            {"id": 8, "caller_number": "+33612345679"},
        ],
    }


@pytest.mark.parametrize("loose", [False, True], ids=["exact-collation", "loose-collation"])
def test_rows_go_only_to_the_request_that_named_them(registry: Registry, loose: bool) -> None:
    world = _world()
    reader = MemoryReader(world, loose=loose)
    people = [
        ("jean", {"email": "jean.martin@x.fr", "phone": "+33612345678"}),
        ("zoe", {"email": "zoë@exämple.fr"}),
        ("obrien", {"email": "o'brien\";DROP%table--@x.fr"}),
        ("nobody", {"email": "nobody@x.fr"}),
    ]
    found = locate(registry, people, {"crm": reader, "telephony": reader})

    jean = found["jean"]
    client = jean.rows("crm", "client")
    # Row 3 stores the address with an accent, in upper case with a trailing space: a loose
    # collation returns it, the normalised exact comparison drops it (capitals and spaces alone
    # would be Jean's own address, issue 10 §2), so every database finds the same rows.
    assert [(r.key, r.archived) for r in client] == [(1, False), (9, True)]
    assert client[0].matched == ("email", "phone")
    assert [r.key for r in jean.rows("crm", "site")] == [10, 13]
    assert [r.archived for r in jean.rows("crm", "site")] == [False, True]
    assert jean.rows("crm", "site")[0].via == "client"
    assert [r.key for r in jean.rows("crm", "alarm_event")] == [20]
    assert [r.key for r in jean.rows("telephony", "call_recording")] == [7]
    every = [r.values for r in jean.all_rows()]
    assert all("jean.martin1" not in str(v) and "+33612345679" not in str(v) for v in every)

    assert [r.key for r in found["zoe"].rows("crm", "client")] == [5]
    assert [r.key for r in found["obrien"].rows("crm", "prospect")] == [1]
    assert [r.key for r in found["obrien"].all_rows()] == [1]
    assert not found["nobody"].found
    assert found["nobody"].tables == {}
    assert found["nobody"].summary() == {}
    assert jean.summary()["crm.client"] == {"rows": 2, "archived": 1}
    assert "jean" not in str(jean.summary())


def test_two_requests_naming_the_same_row_both_get_it(registry: Registry) -> None:
    reader = MemoryReader(_world())
    found = locate(
        registry,
        [("by-mail", {"email": "jean.martin1@x.fr"}), ("by-phone", {"phone": "+33612345679"})],
        {"crm": reader, "telephony": reader},
    )
    assert [r.key for r in found["by-mail"].rows("crm", "client")] == [2]
    assert found["by-mail"].rows("crm", "client")[0].matched == ("email",)
    assert [r.key for r in found["by-phone"].rows("crm", "client")] == [2]
    assert [r.key for r in found["by-phone"].rows("telephony", "call_recording")] == [8]
    assert not found["by-mail"].rows("telephony", "call_recording")


def test_queries_run_are_the_plan(registry: Registry) -> None:
    reader = MemoryReader(_world())
    people = [("jean", {"email": "jean.martin@x.fr"})]
    plan = plan_locate(registry, people)
    execute_plan(plan, {"crm": reader, "telephony": reader})
    assert all(
        isinstance(q, IdentityLookup | ChildLookup) for q in (*plan.identity, *plan.children)
    )
    names = [name for name, _ in reader.queries]
    # Subject tables with an e-mail column, active and archive; children only where parents were found.
    assert names.count("client") == 1 and names.count("client_gardien_archive") == 1
    assert names.count("site") == 1 and names.count("site_gardien_archive") == 1
    assert "call_recording" not in names  # no phone named, no query there
    site = next(cols for name, cols in reader.queries if name == "site")
    assert site == {"client_id": (1,)}


def test_a_pivot_needs_the_very_value_in_a_row_matched_by_identifier() -> None:
    """R-RGT-11 pivot: only a row found through a proven identifier, holding the unproven
    value exactly in its declared column, proves it; a child row or a near value does not."""
    registry = load_registry(EXAMPLE, environ={})
    client = FoundRow(
        "crm", "client", 1, {"email": "a@x.fr", "phone": "+33612345678"}, ("email",), None, False
    )
    child = FoundRow("crm", "site", 9, {"phone": "+33600000000"}, (), "client", False)
    location = PersonLocation(
        "r", {"email": "a@x.fr"}, {"crm.client": (client,), "crm.site": (child,)}
    )
    assert pivots(registry, location, {"phone": "+33612345678"}) == {"phone"}
    assert pivots(registry, location, {"phone": "+33612345679"}) == set()
    assert pivots(registry, location, {"phone": "+33600000000"}) == set()
    assert pivots(registry, location, {"customer_number": "C1"}) == set()
