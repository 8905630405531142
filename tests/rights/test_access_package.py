"""The access package: its files, its contents, determinism, and nobody else's data in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest

from gardien.connectors.sql import ARCHIVE_RUN, ARCHIVED_AT
from gardien.rights.access import GARDIEN_COLUMNS, RequestReference
from gardien.rights.locate import PersonLocation, locate
from gardien.rights.package import access_package, portability_package
from tests.rights.conftest import JEAN, JEAN1, OBRIEN, SQL_TRAP, ZOE, ZOE_PLAIN, World

RECEIVED = dt.datetime(2026, 6, 1, 14, 5)
REFERENCE = RequestReference("R-2026-0001", RECEIVED, dt.date(2026, 6, 16))


def entries(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def data_tables(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    return {
        name.removeprefix("data/").removesuffix(".json"): json.loads(content)
        for name, content in files.items()
        if name.startswith("data/") and name.endswith(".json")
    }


def assert_only_theirs(world: World, identity: dict[str, str], tables: dict[str, Any]) -> None:
    """Every row of every table file holds one of the person's identifiers, or hangs from a
    row of the package that does (children: same stage as their parent)."""
    keys: dict[tuple[str, bool], set[Any]] = {}
    for where in sorted(tables, key=lambda w: w.count("_")):  # any order works for ima-protect
        system, table_name = where.split(".")
        table = world.registry.systems[system].tables[table_name]
        for row in tables[where]["rows"]:
            values, archived = row["values"], row["archived"]
            if table.belongs_to is None:
                held = {k: values.get(c) for k, c in table.identity.items()}
                assert any(held.get(k) == v for k, v in identity.items()), (where, values)
                keys.setdefault((table_name, archived), set()).add(values[table.key])
    for where, content in tables.items():
        system, table_name = where.split(".")
        table = world.registry.systems[system].tables[table_name]
        if table.belongs_to is not None:
            for row in content["rows"]:
                parents = keys.get((table.belongs_to.table, row["archived"]), set())
                assert row["values"][table.belongs_to.column] in parents, (where, row)


def _find(world: World, people: list[tuple[str, dict[str, str]]]) -> dict[str, PersonLocation]:
    return locate(world.registry, people, world.connectors)


def test_no_package_ever_holds_another_persons_data(world: World) -> None:
    synthetic = sorted(world.rows("client"), key=lambda r: r["id"])[:20]
    people = [("jean", JEAN), ("jean1", JEAN1), ("zoe", ZOE), ("zoe-plain", ZOE_PLAIN)]
    people += [("obrien", OBRIEN)]
    people += [(f"c{r['id']}", {"email": r["email"], "phone": r["phone"]}) for r in synthetic]
    found = _find(world, people)
    identities = dict(people)
    for rid, location in found.items():
        reference = RequestReference(rid, RECEIVED, REFERENCE.answered_on)
        files = entries(access_package(world.registry, location, reference, pdf=False))
        tables = data_tables(files)
        assert tables, rid  # every one of them is somewhere
        assert_only_theirs(world, identities[rid], tables)
        portable = json.loads(
            entries(portability_package(world.registry, location, reference))["data.json"]
        )
        for table in portable["tables"]:
            spec = world.registry.systems[table["system"]].tables[table["table"]]
            for values in table["rows"]:
                held = {k: values.get(c) for k, c in spec.identity.items() if c in values}
                assert not held or any(held.get(k) == v for k, v in identities[rid].items())
    # Near-identical neighbours: not one byte of theirs in the other's package.
    jean = b"".join(
        entries(access_package(world.registry, found["jean"], REFERENCE, pdf=False)).values()
    )
    for other in (
        b"jean.martin1@x.fr",
        b"+33612345679",
        b"C100002",
        b"3 rue de la Paix",
        b"Jeanne",
    ):
        assert other not in jean
    zoe = b"".join(
        entries(access_package(world.registry, found["zoe-plain"], REFERENCE, pdf=False)).values()
    )
    assert "zoë".encode() not in zoe and b"Chalet" not in zoe
    obrien = data_tables(
        entries(access_package(world.registry, found["obrien"], REFERENCE, pdf=False))
    )
    assert obrien["crm.client"]["rows"][0]["values"]["customer_number"] == SQL_TRAP


def test_files_json_and_csv_per_table_with_labels_and_iso_dates(sqlite_world: World) -> None:
    found = _find(sqlite_world, [("jean", JEAN)])
    files = entries(access_package(sqlite_world.registry, found["jean"], REFERENCE, "en"))
    tables = {
        "crm.client", "crm.site", "crm.alarm_event", "crm.prospect", "crm.trusted_person",
        "telephony.call_recording",
    }  # fmt: skip
    expected = {f"data/{t}.{ext}" for t in tables for ext in ("json", "csv")}
    assert set(files) == expected | {"letter.html", "letter.pdf"}
    assert files["letter.pdf"].startswith(b"%PDF")

    client = json.loads(files["data/crm.client.json"])
    columns = {c["column"]: c for c in client["columns"]}
    assert columns["email"] == {
        "column": "email",
        "category": "contact",
        "label": "Contact details",
    }
    assert columns["id"]["category"] is None
    assert columns["id"]["label"] == "Internal reference of the record"
    assert not GARDIEN_COLUMNS & set(columns)  # bookkeeping is not the person's data
    assert [(r["archived"], r["values"]["id"]) for r in client["rows"]] == [
        (False, 100001),
        (True, 100009),
    ]
    archived = client["rows"][1]["values"]
    assert archived["contract_ended_on"] == "2024-01-31"
    assert archived["restricted"] is False
    call = json.loads(files["data/telephony.call_recording.json"])
    assert call["rows"][0]["values"]["recorded_at"] == "2026-05-03T08:00:00"
    site = json.loads(files["data/crm.site.json"])
    link = next(c for c in site["columns"] if c["column"] == "client_id")
    assert link["label"] == "Reference of the related record (client)"

    text = files["data/crm.client.csv"].decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert "email (Contact details)" in rows[0] and rows[0][-1] == "archived"
    assert len(rows) == 3
    assert rows[2][rows[0].index("contract_ended_on (Contract and billing data)")] == "2024-01-31"
    assert rows[2][-1] == "true"


def test_bookkeeping_columns_are_the_archives() -> None:
    assert {ARCHIVED_AT, ARCHIVE_RUN} == GARDIEN_COLUMNS


def test_same_inputs_same_bytes_dated_by_receipt(sqlite_world: World) -> None:
    found = _find(sqlite_world, [("jean", JEAN)])["jean"]
    first = access_package(sqlite_world.registry, found, REFERENCE, "fr")
    assert access_package(sqlite_world.registry, found, REFERENCE, "fr") == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 6, 1, 0, 0, 0)}
        assert archive.namelist() == sorted(archive.namelist())
    later = RequestReference(REFERENCE.id, RECEIVED, dt.date(2026, 6, 20))
    assert access_package(sqlite_world.registry, found, later, "fr") != first
    portable = portability_package(sqlite_world.registry, found, REFERENCE)
    assert portability_package(sqlite_world.registry, found, REFERENCE) == portable


def test_nobody_found_gets_a_letter_and_no_data(sqlite_world: World) -> None:
    found = _find(sqlite_world, [("x", {"email": "personne@nulle-part.fr"})])["x"]
    files = entries(access_package(sqlite_world.registry, found, REFERENCE))
    assert set(files) == {"letter.html", "letter.pdf"}
    portable = json.loads(
        entries(portability_package(sqlite_world.registry, found, REFERENCE))["data.json"]
    )
    assert portable["tables"] == []


def test_language_must_be_declared(sqlite_world: World) -> None:
    from gardien.errors import UsageError

    found = _find(sqlite_world, [("jean", JEAN)])["jean"]
    with pytest.raises(UsageError, match="does not declare the language 'de'"):
        access_package(sqlite_world.registry, found, REFERENCE, "de", pdf=False)
