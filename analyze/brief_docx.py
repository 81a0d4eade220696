"""The brief as a Word document (python-docx) that officers can edit: headings, tables, charts and quotes."""

from __future__ import annotations

import io
import re

from analyze.document import Section
from analyze.glossary import Term, term

CJK_FONT = "Noto Sans CJK TC"
# XML 1.0 forbids most control characters; python-docx would raise on them, so they are dropped from text.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value: object) -> str:
    return _XML_ILLEGAL.sub("", str(value))


def _bi(t: Term) -> str:
    return _clean(t.show(sep=" / "))


def _add_section(doc, s: Section) -> None:
    from docx.shared import Cm

    doc.add_heading(_bi(s.heading), level=1)
    for b in s.blocks:
        if b.kind == "text":
            doc.add_paragraph(_clean(b.text.en))
            if b.text.zh != b.text.en:
                doc.add_paragraph(_clean(b.text.zh))
        elif b.kind == "subheading":
            doc.add_heading(_bi(b.text), level=2)
        elif b.kind == "figure":
            doc.add_picture(io.BytesIO(b.chart.png), width=Cm(16))
            doc.add_paragraph(_bi(b.chart.alt), style="Caption")
        elif b.kind == "quote":
            doc.add_paragraph(f"{_clean(b.text)} [{b.response_id}]", style="Quote")
        elif b.kind == "table":
            doc.add_paragraph(_bi(b.caption), style="Caption")
            table = doc.add_table(rows=1, cols=len(b.columns), style="Table Grid")
            for cell, c in zip(table.rows[0].cells, b.columns, strict=True):
                cell.text = _bi(c)
            for row in b.rows:
                for cell, v in zip(table.add_row().cells, row, strict=True):
                    cell.text = _clean(v)


def render_brief_docx(context: dict) -> bytes:
    """The brief as .docx bytes. Text is added as text runs, so nothing in a submission becomes a field or link."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document()
    for style in ("Normal", "Heading 1", "Heading 2", "Title", "Caption", "Quote"):
        doc.styles[style].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    doc.core_properties.title = _bi(context["title"])
    doc.add_heading(_clean(context["title"].en), level=0)
    doc.add_paragraph(_clean(context["title"].zh), style="Title")
    for s in context["sections"]:
        _add_section(doc, s)
    doc.add_paragraph(_bi(term("generated", version=context["version"])))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
