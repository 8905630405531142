"""Portability (Art. 20, R-RGT-08): only provided data, only consent/contract activities, JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from gardien.registry.model import LegalBasis
from gardien.rights.access import RequestReference, portable, provided_columns
from gardien.rights.locate import locate
from gardien.rights.package import portability_data, portability_package
from tests.rights.conftest import JEAN, World

REFERENCE = RequestReference("R-7", dt.datetime(2026, 6, 1, 9, 0), dt.date(2026, 6, 2))


def test_only_consent_or_contract_tables(sqlite_world: World) -> None:
    registry = sqlite_world.registry
    assert portable(registry, "crm", "client")  # contract (and a legitimate interest)
    assert portable(registry, "crm", "site")  # inherits the client's activities
    assert portable(registry, "crm", "other_contact")  # contract
    assert not portable(registry, "crm", "prospect")  # legitimate interest
    assert not portable(registry, "crm", "trusted_person")  # legitimate interest
    assert not portable(registry, "telephony", "call_recording")  # interest, legal obligation


def test_only_provided_columns_of_active_rows(sqlite_world: World) -> None:
    location = locate(sqlite_world.registry, [("jean", JEAN)], sqlite_world.connectors)["jean"]
    data = portability_data(sqlite_world.registry, location, REFERENCE, "en")
    assert data["format"] == "gardien-portability/1"
    tables = {f"{t['system']}.{t['table']}": t for t in data["tables"]}
    assert set(tables) == {"crm.client", "crm.site", "crm.alarm_event"}
    client = tables["crm.client"]
    assert [c["column"] for c in client["columns"]] == [
        "email", "phone", "customer_number", "title", "last_name", "first_name", "postal_address",
    ]  # fmt: skip
    # The archived contract (kept as evidence) and the dates the company records are not in it.
    assert client["rows"] == [
        {
            "email": "jean.martin@x.fr",
            "phone": "+33612345678",
            "customer_number": "C100001",
            "title": "M.",
            "last_name": "Martin",
            "first_name": "Jean",
            "postal_address": "1 rue de la Paix, Niort",
        }
    ]
    assert tables["crm.site"]["rows"] == [
        {"site_address": "1 rue de la Paix, Niort", "equipment": "sirène extérieure"}
    ]
    with zipfile.ZipFile(
        io.BytesIO(portability_package(sqlite_world.registry, location, REFERENCE))
    ) as z:
        assert z.namelist() == ["data.json"]
        assert json.loads(z.read("data.json"))["tables"][1]["rows"] == client["rows"]


def test_declared_provided_columns_win(sqlite_world: World) -> None:
    registry = sqlite_world.registry
    crm = registry.systems["crm"]
    client = crm.tables["client"].model_copy(
        update={"provided_by_subject": ["email", "first_name"]}
    )
    narrowed = registry.model_copy(
        update={
            "systems": {
                **registry.systems,
                "crm": crm.model_copy(update={"tables": {**crm.tables, "client": client}}),
            }
        }
    )
    assert provided_columns(client) == {"email", "first_name"}
    location = locate(narrowed, [("jean", JEAN)], sqlite_world.connectors)["jean"]
    data = portability_data(narrowed, location, REFERENCE)
    first = next(t for t in data["tables"] if t["table"] == "client")
    assert first["rows"] == [{"email": "jean.martin@x.fr", "first_name": "Jean"}]


def test_a_consent_based_table_is_portable(sqlite_world: World) -> None:
    registry = sqlite_world.registry
    prospecting = registry.activities["prospecting"].model_copy(
        update={"legal_basis": LegalBasis.CONSENT}
    )
    consenting = registry.model_copy(
        update={"activities": {**registry.activities, "prospecting": prospecting}}
    )
    assert portable(consenting, "crm", "prospect")
    location = locate(consenting, [("jean", JEAN)], sqlite_world.connectors)["jean"]
    tables = {t["table"]: t for t in portability_data(consenting, location, REFERENCE)["tables"]}
    assert "prospect" in tables
    # collected_at and last_contact_at are event dates the company records, not provided data
    assert {c["column"] for c in tables["prospect"]["columns"]} == {
        "email", "phone", "last_name", "first_name", "site_address",
    }  # fmt: skip
