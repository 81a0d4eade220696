"""The brief as a small, format-neutral document: sections of blocks, rendered alike by every writer.

HTML, PDF, DOCX, Markdown and XLSX all render the same blocks, so all formats say the same thing.
Blocks carry fixed text as glossary `Term`s (both languages) and submission text as plain strings that each writer
escapes for its format.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from analyze.glossary import Term


@dataclass(frozen=True)
class Chart:
    """A rendered chart: file name, PNG bytes and alt text in both languages."""

    name: str
    png: bytes
    alt: Term

    @property
    def data_uri(self) -> str:
        """The PNG embedded in the page, so the brief is one self-contained file."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Text:
    """A paragraph of fixed text in both languages."""

    text: Term
    kind: str = "text"


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section (a theme's name), given in both languages."""

    text: Term
    anchor: str
    kind: str = "subheading"


@dataclass(frozen=True)
class Table:
    """A table; `name` is its sheet name in the workbook. Cells are shown as text, never as markup or formulas."""

    name: str
    caption: Term
    columns: tuple[Term, ...]
    rows: tuple[tuple[object, ...], ...]
    kind: str = "table"


@dataclass(frozen=True)
class Figure:
    """A chart with its alt text."""

    chart: Chart
    kind: str = "figure"


@dataclass(frozen=True)
class Quote:
    """A (redacted) submission text cited by its response_id."""

    text: str
    response_id: str
    lang: str
    kind: str = "quote"

    @property
    def html_lang(self) -> str:
        """The BCP 47 tag for the quote's language."""
        return {"zh": "zh-Hant", "yue": "yue-Hant", "mixed": "zh-Hant"}.get(self.lang, "en")


Block = Text | Subheading | Table | Figure | Quote


@dataclass(frozen=True)
class Section:
    """A top-level section of the brief with its bilingual heading."""

    id: str
    heading: Term
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def tables(self) -> list[Table]:
        """The section's tables, in order."""
        return [b for b in self.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        """The section's charts, in order."""
        return [b.chart for b in self.blocks if isinstance(b, Figure)]
