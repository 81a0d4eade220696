"""The brief's tables as an XLSX workbook: one sheet per table, every cell inert text or a number."""

from __future__ import annotations

import io
import re

from analyze.glossary import term

# A cell starting with one of these is a formula (or DDE payload) to a spreadsheet: prefix it with an apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """A cell value that cannot run: numbers stay numbers; text starting with = + - @ (or tab/CR) gets a leading '."""
    if isinstance(value, bool | int | float):
        return value
    text = _XML_ILLEGAL.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def _append(ws, values) -> None:
    ws.append([neutralise(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever the text


def _quotes_sheet(ws, context: dict) -> None:
    """Every quote of the brief with the section and theme it appears under."""
    _append(ws, [term(k).show(sep=" / ") for k in ("section", "theme", "response_id", "quote")])
    for section in context["sections"]:
        theme = ""
        for b in section.blocks:
            if b.kind == "subheading":
                theme = b.text.show(sep=" / ")
            elif b.kind == "quote":
                _append(ws, [section.heading.show(sep=" / "), theme, b.response_id, b.text])


def render_workbook(context: dict) -> bytes:
    """XLSX bytes: one sheet per table of the brief (bilingual headers), in the brief's order, and the quotes."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for section in context["sections"]:
        for table in section.tables():
            name = _SHEET_CHARS.sub("_", table.name)[:31]
            while name in used:
                name = name[:28] + f"_{len(used)}"
            used.add(name)
            ws = wb.create_sheet(name)
            _append(ws, [c.show(sep=" / ") for c in table.columns])
            for row in table.rows:
                _append(ws, row)
    _quotes_sheet(wb.create_sheet("quotes"), context)
    about = wb.create_sheet("about", 0)
    _append(about, [context["title"].en, context["title"].zh])
    _append(about, [term("generated", version=context["version"]).show(sep=" / ")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
