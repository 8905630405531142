"""The Art. 30 record as a workbook: a summary sheet, then one CNIL-style fiche per activity."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from gardien.publish.record import ProcessingRecord, RecordEntry
from gardien.publish.record_formats import (
    join_lines,
    sensitive_text,
    summary_rows,
    updated_text,
)
from gardien.publish.wording import Wording

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14, color="0B2540")
_SECTION_FONT = Font(bold=True, color="FFFFFF")
_SECTION_FILL = PatternFill("solid", fgColor="0A4A80")
_HEADER_FILL = PatternFill("solid", fgColor="E4ECF4")
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="B4C0CC")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# Summary sheet column widths (characters), in the order of record_formats._COLUMNS.
_SUMMARY_WIDTHS = (18, 28, 28, 16, 28, 40, 40, 36, 22, 30, 18, 34, 30, 48, 40, 14)
_FICHE_WIDTHS = (34, 40, 30, 28)


def _sheet_title(name: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _summary(ws: Worksheet, record: ProcessingRecord, w: Wording) -> None:
    headers, rows = summary_rows(record, w)
    ws.append(headers)
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = _WRAP
            cell.border = _BORDER
    for index, width in enumerate(_SUMMARY_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


class _Fiche:
    """Fills one activity's sheet top to bottom: sections, label/value rows, small tables."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        for index, width in enumerate(_FICHE_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width

    def title(self, text: str) -> None:
        cell = self.ws.cell(self.row, 1, text)
        cell.font = _TITLE
        self.row += 2

    def section(self, text: str) -> None:
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=4)
        cell = self.ws.cell(self.row, 1, text)
        cell.font, cell.fill = _SECTION_FONT, _SECTION_FILL
        self.row += 1

    def field(self, label: str, value: str) -> None:
        label_cell = self.ws.cell(self.row, 1, label)
        label_cell.font, label_cell.alignment, label_cell.border = _BOLD, _WRAP, _BORDER
        self.ws.merge_cells(start_row=self.row, start_column=2, end_row=self.row, end_column=4)
        value_cell = self.ws.cell(self.row, 2, value)
        value_cell.alignment, value_cell.border = _WRAP, _BORDER
        self.row += 1

    def table(self, headers: list[str], rows: list[list[str]], empty: str) -> None:
        for column, header in enumerate(headers, start=1):
            cell = self.ws.cell(self.row, column, header)
            cell.font, cell.fill, cell.alignment, cell.border = _BOLD, _HEADER_FILL, _WRAP, _BORDER
        self.row += 1
        for values in rows or [[empty]]:
            for column, value in enumerate(values, start=1):
                cell = self.ws.cell(self.row, column, value)
                cell.alignment, cell.border = _WRAP, _BORDER
            self.row += 1

    def gap(self) -> None:
        self.row += 1


def _fiche(ws: Worksheet, record: ProcessingRecord, e: RecordEntry, w: Wording) -> None:
    f = _Fiche(ws)
    f.title(f"{w['f_title']} — {e.name}")
    f.section(w["f_description"])
    f.field(w["r_name"], e.name)
    f.field(w["r_ref"], e.id)
    f.field(w["r_updated"], updated_text(record, w))
    f.gap()
    f.section(w["f_actors"])
    f.field(w["r_controller"], join_lines(record.controller, record.controller_address))
    f.field(w["r_controller_contact"], join_lines(*record.controller_contact))
    f.field(w["r_dpo"], join_lines(*record.dpo) if record.dpo is not None else w.not_provided)
    if record.representative is not None:
        f.field(w["r_representative"], join_lines(*record.representative))
    f.gap()
    f.section(w["f_purposes"])
    f.field(w["r_purpose"], e.purpose)
    for n, sub in enumerate(e.sub_purposes, start=1):
        f.field(w["r_sub_purpose"].format(n=n), sub)
    f.field(w["r_legal_basis"], join_lines(e.legal_basis_label, e.legal_basis_detail))
    f.gap()
    f.section(w["r_security"])
    for measure in record.security_measures or (w.not_provided,):
        f.field("", measure)
    f.gap()
    f.section(w["r_data"])
    f.table(
        [w["f_category"], w["f_detail"], w["r_sensitive"]],
        [
            [d.label, d.description or "", w.yes if (d.sensitive or d.criminal) else w.no]
            for d in e.data
        ],
        w["r_none"],
    )
    f.field(w["r_sensitive"], sensitive_text(w, e))
    f.gap()
    f.section(w["r_subjects"])
    f.table([w["f_category"]], [[s.label] for s in e.subjects], w["r_none"])
    f.gap()
    f.section(w["r_recipients"])
    f.table(
        [w["th_recipient"], w["f_kind"], w["f_country"]],
        [[r.label, r.kind_label, w.country(r.country) if r.country else ""] for r in e.recipients],
        w["r_none"],
    )
    f.gap()
    f.section(w["r_transfers"])
    f.table(
        [w["th_recipient"], w["f_country"], w["f_safeguard"]],
        [
            [
                t.recipient_label,
                t.country_label + (f" ({w['access_only']})" if t.access_only else ""),
                t.safeguard_label,
            ]
            for t in e.transfers
        ],
        w["r_none"],
    )
    f.gap()
    f.section(w["r_retention"])
    f.table(
        [w["f_category"], w["th_retention"], w["f_end"]],
        [
            [r.subject_label, r.period or w["retention_missing"], r.end_action_label or ""]
            for r in e.retention
        ],
        w["r_none"],
    )


def _texts_stay_texts(wb: Workbook) -> None:
    """Registry texts are data (issue 9 §3): openpyxl turns a text starting with '=' into a
    formula, which a spreadsheet would run (``=HYPERLINK(…)``, ``=WEBSERVICE(…)``); the
    record holds no formula of its own, so every such cell is written back as text."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def workbook_bytes(record: ProcessingRecord, w: Wording, when: dt.date) -> bytes:
    """The workbook, with its document properties dated ``when`` (never the clock)."""
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    taken: set[str] = set()
    summary.title = _sheet_title(w["f_summary"], taken)
    _summary(summary, record, w)
    for entry in record.entries:
        _fiche(wb.create_sheet(_sheet_title(entry.name, taken)), record, entry, w)
    _texts_stay_texts(wb)
    stamp = dt.datetime(when.year, when.month, when.day)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "gardien"
    wb.properties.title = f"{w['f_summary']} — {record.controller}"
    wb.properties.language = record.lang
    buffer = io.BytesIO()
    # ExcelWriter, not Workbook.save: save() stamps 'modified' with the current time.
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()
