"""Streaming rows out of CSV and XLSX exports, so a 1,000,000-row file is read in bounded memory.

Rows come out as lists of strings with their spreadsheet row number; a row that cannot be read comes out with a
reason instead of cells, so the caller can put it in `rejects` and go on.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from collect.documents import OLE_MAGIC, zip_problem
from collect.encoding import FALLBACKS, detect_encoding, redecode

# Far above any real answer, far below memory trouble: a longer cell is rejected, not imported.
MAX_CELL_CHARS = 1_000_000
csv.field_size_limit(min(sys.maxsize, 64 * 1024 * 1024))  # the csv default (128 KiB) would stop the whole file
SURROGATE = re.compile("[\udc80-\udcff]")
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


class SourceError(ValueError):
    """A source file cannot be read at all, or its mapping does not fit; the message names the file."""


class MappingError(SourceError):
    """A form mapping or preset does not fit the export: a configuration mistake, never turned into a reject."""


@dataclass(frozen=True)
class Row:
    """One row of a table: its 1-based line (spreadsheet row) number and cells, or the reason it was unreadable."""

    line: int
    cells: list[str] | None
    reason: str | None = None
    raw: str = ""


def _checked(line: int, cells: list[str], encoding: str) -> Row:
    joined = "\x1f".join(cells)
    if len(joined) > MAX_CELL_CHARS and max(map(len, cells)) > MAX_CELL_CHARS:
        return Row(line, None, f"cell over {MAX_CELL_CHARS:,} characters", joined[:200])
    if SURROGATE.search(joined):
        # Mixed encodings: this row is not in the file's encoding; try the others on its own bytes.
        fixed = [redecode(c, encoding) if SURROGATE.search(c) else c for c in cells]
        if any(c is None for c in fixed):
            shown = joined[:200].encode("utf-8", "backslashreplace").decode("utf-8")  # the bad bytes as \udcXX
            tried = ", ".join(dict.fromkeys([encoding, *FALLBACKS]))
            return Row(line, None, f"undecodable bytes (not {tried})", shown)
        return Row(line, fixed)
    return Row(line, cells)


def iter_csv(path: Path) -> Iterator[Row]:
    """Rows of a CSV/TSV file, decoded with the detected encoding; bad rows come back with a reason.

    Raises:
        SourceError: when the file is empty or not text.

    """
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if not head.strip():
        raise SourceError(f"{path.name}: empty file")
    encoding = detect_encoding(head) or "utf-8"
    if encoding.startswith("utf-8") and b"\x00" in head:
        raise SourceError(f"{path.name}: binary data, not a CSV export")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with open(path, encoding=encoding, errors="surrogateescape", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield Row(reader.line_num, None, f"malformed CSV row ({e})")
                continue
            yield _checked(reader.line_num, cells, encoding)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def iter_xlsx(path: Path, sheet: str | int = 0) -> Iterator[Row]:
    """Rows of one sheet of an XLSX file, streamed by openpyxl in read-only mode.

    Raises:
        SourceError: for a password-protected/legacy file, a ZIP bomb, a truncated file or a missing sheet.

    """
    from openpyxl import load_workbook

    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise SourceError(f"{path.name}: empty file")
    if head.startswith(OLE_MAGIC):
        raise SourceError(f"{path.name}: password-protected or legacy .xls workbook (save as .xlsx, no password)")
    problem = zip_problem(path)
    if problem:
        raise SourceError(f"{path.name}: {problem}")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
    except (KeyError, IndexError) as e:
        raise SourceError(f"{path.name}: no sheet {sheet!r}") from e
    except Exception as e:  # openpyxl raises many types for broken workbooks; the user needs the name
        raise SourceError(f"{path.name}: not a readable XLSX workbook ({type(e).__name__})") from e
    try:
        for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield _checked(line, [_cell(v) for v in values], "utf-8")
    except Exception as e:  # a part truncated after the header still gives a reason, not a crash
        yield Row(-1, None, f"workbook unreadable from here on ({type(e).__name__})")
    finally:
        wb.close()


def iter_table(path: Path, sheet: str | int = 0) -> Iterator[Row]:
    """Rows of a CSV/TSV or XLSX export, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return iter_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES or suffix == ".txt":
        return iter_csv(path)
    raise SourceError(f"{path.name}: unsupported form export type '{suffix}' (use .csv, .tsv or .xlsx)")


def sniff_rows(path: Path, n: int = 4, sheet: str | int = 0) -> list[list[str]]:
    """The first `n` readable rows, for preset detection."""
    rows: list[list[str]] = []
    for row in iter_table(path, sheet):
        if row.cells is not None:
            rows.append(row.cells)
        if len(rows) >= n:
            break
    return rows
