"""The Art. 30 record: CNIL columns, one entry per activity, CSV/JSON/XLSX, same bytes twice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from gardien.publish.record import build_record
from gardien.publish.record_formats import RecordFormat, render_record
from gardien.registry.model import Recipient, RecipientKind, Registry
from tests.publish.conftest import check_golden, with_activity, with_controller

FR_COLUMNS = [
    "Responsable du traitement",
    "Coordonnées du responsable",
    "Délégué à la protection des données",
    "Référence",
    "Nom du traitement",
    "Finalité principale",
    "Sous-finalités",
    "Base légale",
    "Catégories de personnes concernées",
    "Catégories de données personnelles",
    "Données sensibles",
    "Catégories de destinataires",
    "Transferts hors UE",
    "Durées de conservation",
    "Mesures de sécurité",
    "Date de création / mise à jour",
]


def rows(registry: Registry, lang: str = "fr") -> list[dict[str, str]]:
    text = render_record(registry, lang, RecordFormat.CSV).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_the_cnil_columns_and_one_row_per_activity(ima_protect: Registry) -> None:
    text = render_record(ima_protect, "fr", RecordFormat.CSV).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == FR_COLUMNS
    entries = rows(ima_protect)
    assert [r["Référence"] for r in entries] == list(ima_protect.activities)
    assert {r["Date de création / mise à jour"] for r in entries} == {"2024-03-28"}
    assert {r["Délégué à la protection des données"].splitlines()[1] for r in entries} == {
        "dpo@ima.eu"
    }


def test_csv_states_retention_per_subject_category_legal_basis_and_security(
    ima_protect: Registry,
) -> None:
    by_id = {r["Référence"]: r for r in rows(ima_protect)}
    assert by_id["contract"]["Durées de conservation"] == (
        "Client\u00a0: Pendant toute la durée du contrat, puis 5 ans en archive intermédiaire "
        "à accès restreint — Suppression"
    )
    assert "2 ans à compter de la collecte" in by_id["prospecting"]["Durées de conservation"]
    assert by_id["call-recording-compliance"]["Base légale"].startswith(
        "Le respect d'une obligation légale"
    )
    assert "Intérêt légitime poursuivi" in by_id["prospecting"]["Base légale"]
    assert by_id["call-recording"]["Sous-finalités"].count("\n") == 4
    assert "Politique générale de sécurité" in by_id["contract"]["Mesures de sécurité"]
    assert by_id["contract"]["Données sensibles"] == "Non"
    assert by_id["contract"]["Transferts hors UE"] == "Aucun"


def test_sensitive_data_and_transfers_are_named(ima_protect: Registry) -> None:
    data = dict(ima_protect.data)
    data["health"] = data["identity"].model_copy(
        update={"label": {"fr": "Données de santé", "en": "Health data"}, "sensitive": True}
    )
    recipients = {
        **ima_protect.recipients,
        "wafa": Recipient(
            label={"fr": "Wafa IMA Assistance", "en": "Wafa IMA Assistance"},
            kind=RecipientKind.GROUP_ENTITY,
            country="MA",
        ),
    }
    registry = ima_protect.model_copy(update={"data": data, "recipients": recipients})
    contract = registry.activities["contract"]
    registry = with_activity(
        registry,
        "contract",
        data=[*contract.data, "health"],
        recipients=[*contract.recipients, "wafa"],
    )
    entry = {r["Référence"]: r for r in rows(registry)}["contract"]
    assert entry["Données sensibles"] == "Oui\u00a0: Données de santé"
    assert entry["Transferts hors UE"] == "Wafa IMA Assistance — Maroc — Garantie non renseignée."


def test_a_missing_dpo_is_recorded_as_not_provided(ima_protect: Registry) -> None:
    registry = with_controller(ima_protect, dpo=None)
    assert {r["Délégué à la protection des données"] for r in rows(registry)} == {
        "Information non renseignée."
    }
    document = json.loads(render_record(registry, "en", RecordFormat.JSON))
    assert document["controller"]["dpo"] is None


def test_json_follows_the_documented_structure(ima_protect: Registry) -> None:
    document = json.loads(render_record(ima_protect, "en", RecordFormat.JSON))
    assert document["format"] == "gardien-record/1"
    assert document["language"] == "en"
    assert document["updated"] == "2024-03-28"
    activity = document["activities"][0]
    assert set(activity) == {
        "id", "name", "purpose", "sub_purposes", "legal_basis", "subjects", "data",
        "sensitive_data", "recipients", "transfers", "retention",
    }  # fmt: skip
    assert activity["legal_basis"]["code"] == "contract"
    retention = activity["retention"][0]
    assert retention["active"] == {"until": "contract_end"}
    assert retention["archive"] == "P5Y"
    assert retention["end_action"] == "delete"
    prospecting = next(a for a in document["activities"] if a["id"] == "prospecting")
    assert prospecting["retention"][0]["active"] == {
        "for": "P2Y",
        "from": "latest(collected_at, last_inbound_contact)",
    }


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", [RecordFormat.CSV, RecordFormat.JSON])
def test_record_matches_golden_file(ima_protect: Registry, lang: str, fmt: RecordFormat) -> None:
    first = render_record(ima_protect, lang, fmt)
    assert render_record(ima_protect, lang, fmt) == first
    check_golden(f"ima-protect.record.{lang}.{fmt.value}", first)


def test_xlsx_is_byte_for_byte_stable_and_dated_by_the_notice(ima_protect: Registry) -> None:
    first = render_record(ima_protect, "fr", RecordFormat.XLSX)
    assert render_record(ima_protect, "fr", RecordFormat.XLSX) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(2024, 3, 28, 0, 0, 0)}
    workbook = load_workbook(io.BytesIO(first))
    assert workbook.properties.created == dt.datetime(2024, 3, 28)
    assert workbook.properties.modified == dt.datetime(2024, 3, 28)


def test_xlsx_has_a_summary_sheet_and_one_fiche_per_activity(ima_protect: Registry) -> None:
    workbook = load_workbook(io.BytesIO(render_record(ima_protect, "fr", RecordFormat.XLSX)))
    record = build_record(ima_protect, "fr")
    assert workbook.sheetnames[0] == "Registre"
    assert len(workbook.sheetnames) == 1 + len(record.entries)
    summary = workbook["Registre"]
    assert [c.value for c in summary[1]] == FR_COLUMNS
    assert all(c.font.bold for c in summary[1])
    assert summary.freeze_panes == "A2"
    assert summary.max_row == 1 + len(record.entries)
    assert summary["N2"].alignment.wrap_text
    assert summary.column_dimensions["N"].width >= 40
    fiche = workbook[workbook.sheetnames[1]]
    values = [c.value for row in fiche.iter_rows() for c in row if c.value]
    assert values[0] == "Fiche de registre — Gestion du contrat de télésurveillance"
    for heading in ("Acteurs", "Finalité(s) du traitement", "Mesures de sécurité",
                    "Transferts hors UE", "Durées de conservation"):  # fmt: skip
        assert heading in values
    assert "Sous-finalité 1" in [
        c.value for row in workbook[workbook.sheetnames[6]].iter_rows() for c in row
    ]


def test_sheet_names_are_unique_and_short_enough(ima_protect: Registry) -> None:
    long_name = {"fr": "Un nom de traitement beaucoup trop long: [v2]", "en": "x"}
    registry = with_activity(ima_protect, "contract", name=long_name)
    registry = with_activity(registry, "contact-handling", name=long_name)
    workbook = load_workbook(io.BytesIO(render_record(registry, "fr", RecordFormat.XLSX)))
    names = workbook.sheetnames
    assert len(set(names)) == len(names)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


@pytest.mark.parametrize("when", [dt.date(1, 1, 1), dt.date(9999, 12, 31)], ids=str)
def test_xlsx_of_a_notice_dated_outside_what_zip_can_date(
    ima_protect: Registry, when: dt.date
) -> None:
    # A zip entry holds a DOS date (1980-2107): 9999-12-31 raised struct.error (issue 9 §6).
    notice = ima_protect.controller.notice.model_copy(update={"date": when})
    registry = with_controller(ima_protect, notice=notice)
    archive = zipfile.ZipFile(io.BytesIO(render_record(registry, "fr", RecordFormat.XLSX)))
    assert {info.date_time[0] for info in archive.infolist()} == {min(max(when.year, 1980), 2107)}


def test_xlsx_cells_starting_with_an_equals_sign_stay_text(ima_protect: Registry) -> None:
    # openpyxl writes a text starting with '=' as a formula the spreadsheet would run.
    purpose = {"fr": '=HYPERLINK("https://evil.example","Cliquez")', "en": "=1+1"}
    registry = with_activity(ima_protect, "contract", purpose=purpose)
    workbook = load_workbook(io.BytesIO(render_record(registry, "fr", RecordFormat.XLSX)))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == purpose["fr"] for c in cells)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
