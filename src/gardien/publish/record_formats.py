"""Writing the Art. 30 record as CSV, JSON or XLSX, byte for byte the same for the same registry.

CSV: UTF-8 with a byte-order mark (so spreadsheet software reads the accents), comma-separated,
CRLF between rows; one header row, one row per activity; a cell holding several items puts one
per line.

JSON (format ``gardien-record/1``)::

    {
      "format": "gardien-record/1",
      "language": "fr",
      "controller": {"name", "address", "contact": [lines], "dpo": [lines] | null,
                     "representative": [lines] | null},
      "notice_version": "2024-03-28",
      "updated": "2024-03-28" | null,          # date of creation/update = the notice's date
      "security_measures": [text, …],           # Art. 30(1)(g), the same for every activity
      "activities": [{
        "id", "name", "purpose", "sub_purposes": [text],
        "legal_basis": {"code": "contract", "label": text, "detail": text | null},
        "subjects": [{"id", "label"}],
        "data": [{"id", "label", "description", "sensitive": bool, "criminal": bool}],
        "sensitive_data": {"present": bool, "categories": [label]},
        "recipients": [{"id", "label", "kind", "kind_label", "country": "FR" | null}],
        "transfers": [{"recipient", "recipient_label", "country": "MA" | null, "country_label",
                       "safeguard": "scc" | null, "safeguard_label", "access_only": bool}],
        "retention": [{"subject", "subject_label", "period": words | null,
                       "active": {"until": event} | {"for": "P2Y", "from": event} | null,
                       "archive": "P5Y" | null, "end_action": "delete" | "anonymise" | null,
                       "end_action_label", "legal_holds": bool | null}]
      }, …]
    }

XLSX: a summary sheet with every activity (the CSV's columns), then one sheet per activity laid
out like a CNIL register fiche. Its created/modified properties are the notice's date and its
zip entries carry that date too, so two renderings are identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from dataclasses import asdict
from enum import StrEnum
from typing import Any

from gardien.publish.record import ProcessingRecord, RecordEntry, build_record
from gardien.publish.wording import Wording, wording_for
from gardien.registry.model import Registry


class RecordFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


# --- the summary table (CSV and the XLSX summary sheet) --------------------------------------

_COLUMNS = (
    "r_controller",
    "r_controller_contact",
    "r_dpo",
    "r_ref",
    "r_name",
    "r_purpose",
    "r_sub_purposes",
    "r_legal_basis",
    "r_subjects",
    "r_data",
    "r_sensitive",
    "r_recipients",
    "r_transfers",
    "r_retention",
    "r_security",
    "r_updated",
)


def join_lines(*lines: str | None) -> str:
    """One item per line, blanks and repeats dropped (an address given as both contact and seat)."""
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _transfer_text(w: Wording, entry: RecordEntry) -> str:
    if not entry.transfers:
        return w["r_none"]
    return join_lines(
        *(
            f"{t.recipient_label} — {t.country_label}"
            + (f" ({w['access_only']})" if t.access_only else "")
            + f" — {t.safeguard_label}"
            for t in entry.transfers
        )
    )


def _retention_text(w: Wording, entry: RecordEntry) -> str:
    return join_lines(
        *(
            f"{r.subject_label}{w.colon} "
            + (
                f"{r.period} — {r.end_action_label}"
                if r.period is not None
                else w["retention_missing"]
            )
            for r in entry.retention
        )
    )


def sensitive_text(w: Wording, entry: RecordEntry) -> str:
    if not entry.sensitive:
        return w.no
    labels = [d.label + (f" ({w['r_criminal']})" if d.criminal else "") for d in entry.sensitive]
    return f"{w.yes}{w.colon} " + ", ".join(labels)


def updated_text(record: ProcessingRecord, w: Wording) -> str:
    return record.updated.isoformat() if record.updated else w.not_provided


def summary_rows(record: ProcessingRecord, w: Wording) -> tuple[list[str], list[list[str]]]:
    headers = [w[c] for c in _COLUMNS]
    contact = join_lines(record.controller_address, *record.controller_contact)
    dpo = join_lines(*record.dpo) if record.dpo is not None else w.not_provided
    rows = []
    for e in record.entries:
        rows.append(
            [
                record.controller,
                contact,
                dpo,
                e.id,
                e.name,
                e.purpose,
                join_lines(*e.sub_purposes) or w["r_none_f"],
                join_lines(e.legal_basis_label, e.legal_basis_detail),
                join_lines(*(s.label for s in e.subjects)),
                join_lines(*(d.label for d in e.data)),
                sensitive_text(w, e),
                join_lines(*(f"{r.label} ({r.kind_label})" for r in e.recipients)) or w["r_none"],
                _transfer_text(w, e),
                _retention_text(w, e),
                join_lines(*record.security_measures) or w.not_provided,
                updated_text(record, w),
            ]
        )
    return headers, rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting as a formula would run (``=HYPERLINK``,
    ``=WEBSERVICE``, DDE) when the CSV is opened, so it gets a leading apostrophe, which
    spreadsheets read as "text follows" (OWASP, CSV injection). The record holds no formula."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def record_csv(record: ProcessingRecord) -> bytes:
    w = wording_for(record.lang)
    headers, rows = summary_rows(record, w)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([inert_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


# --- JSON -------------------------------------------------------------------------------------


def record_json(record: ProcessingRecord) -> bytes:
    document: dict[str, Any] = {
        "format": "gardien-record/1",
        "language": record.lang,
        "controller": {
            "name": record.controller,
            "address": record.controller_address,
            "contact": list(record.controller_contact),
            "dpo": list(record.dpo) if record.dpo is not None else None,
            "representative": (
                list(record.representative) if record.representative is not None else None
            ),
        },
        "notice_version": record.notice_version,
        "updated": record.updated.isoformat() if record.updated else None,
        "security_measures": list(record.security_measures),
        "activities": [
            {
                "id": e.id,
                "name": e.name,
                "purpose": e.purpose,
                "sub_purposes": list(e.sub_purposes),
                "legal_basis": {
                    "code": e.legal_basis,
                    "label": e.legal_basis_label,
                    "detail": e.legal_basis_detail,
                },
                "subjects": [asdict(s) for s in e.subjects],
                "data": [asdict(d) for d in e.data],
                "sensitive_data": {
                    "present": bool(e.sensitive),
                    "categories": [d.label for d in e.sensitive],
                },
                "recipients": [asdict(r) for r in e.recipients],
                "transfers": [asdict(t) for t in e.transfers],
                "retention": [asdict(r) for r in e.retention],
            }
            for e in record.entries
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- XLSX -------------------------------------------------------------------------------------


def _stable_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite the archive with every entry dated ``when``: same workbook, same bytes."""
    # A zip entry's date is a DOS date: years 1980 to 2107 only (a registry may say 9999).
    stamp = (min(max(when.year, 1980), 2107), when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3  # Unix, whatever the platform
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def record_xlsx(record: ProcessingRecord) -> bytes:
    # Imported here: openpyxl is only needed for this format.
    from gardien.publish.record_xlsx import workbook_bytes

    when = record.updated or dt.date(1980, 1, 1)
    return _stable_zip(workbook_bytes(record, wording_for(record.lang), when), when)


def render_record(registry: Registry, lang: str, fmt: RecordFormat) -> bytes:
    """The Art. 30 record of ``registry`` in ``lang`` and ``fmt``, as the bytes to write."""
    record = build_record(registry, lang)
    if fmt is RecordFormat.CSV:
        return record_csv(record)
    if fmt is RecordFormat.JSON:
        return record_json(record)
    return record_xlsx(record)
