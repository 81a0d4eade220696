"""The brief as a small, format-neutral document: sections of blocks, rendered alike by every writer.

HTML, PDF, DOCX, Markdown and XLSX all render the same blocks, so all formats say the same thing.
Blocks carry fixed text as glossary `Term`s (both languages) and submission text as plain strings that each writer
escapes for its format.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import pandas as pd

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


def cell(value: object) -> object:
    """A table cell as the brief shows it: integers as they are, other numbers rounded, lists joined, missing blank."""
    if hasattr(value, "tolist"):  # numpy scalars and arrays (Parquet list columns)
        value = value.tolist()
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 3)
    return str(value)


def pick_table(df, name: str, caption: Term, columns: list[str]) -> Table:
    """A table of the named columns of `df` that exist (a stage may not have written them all).

    Headings come from the glossary in both languages; only these columns are published, never a whole stage table.
    """
    from analyze.glossary import term

    cols = [c for c in columns if c in df.columns]
    rows = tuple(tuple(cell(v) for v in row) for row in df[cols].itertuples(index=False, name=None))
    return Table(name, caption, tuple(term(c) for c in cols), rows)
