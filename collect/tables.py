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
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from collect.documents import OLE_MAGIC, zip_problem
from collect.encoding import FALLBACKS, detect_encoding, redecode

if TYPE_CHECKING:
    import pyarrow as pa

# Far above any real answer, far below memory trouble: a longer cell is rejected, not imported.
MAX_CELL_CHARS = 1_000_000
csv.field_size_limit(min(sys.maxsize, 64 * 1024 * 1024))  # the csv default (128 KiB) would stop the whole file
ARROW_BLOCK_BYTES = 8 << 20  # Arrow reads this much at a time; memory stays near a few of these
CHECK_BLOCK = 2_000  # rows checked together for bad bytes and huge cells
SURROGATE = re.compile("[\udc80-\udcff]")
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


class SourceError(ValueError):
    """A source file cannot be read at all, or its mapping does not fit; the message names the file."""


class MappingError(SourceError):
    """A form mapping or preset does not fit the export: a configuration mistake, never turned into a reject."""


@dataclass(frozen=True, slots=True)
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


def _csv_dialect(path: Path) -> tuple[str, str]:
    """(encoding, delimiter) of a CSV/TSV file.

    Raises:
        SourceError: when the file is empty or binary.

    """
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if not head.strip():
        raise SourceError(f"{path.name}: empty file")
    encoding = detect_encoding(head) or "utf-8"
    if encoding.startswith("utf-8") and b"\x00" in head:
        raise SourceError(f"{path.name}: binary data, not a CSV export")
    return encoding, "\t" if path.suffix.lower() == ".tsv" else ","


def iter_csv(path: Path, skip: int = 0) -> Iterator[Row]:
    """Rows of a CSV/TSV file, decoded with the detected encoding; bad rows come back with a reason.

    Rows are numbered by record (as a spreadsheet numbers them: the header is row 1), so a cell holding a line break
    does not shift the numbers. `skip` leaves out the first records (to resume after the fast path stopped).

    Raises:
        SourceError: when the file is empty or not text.

    """
    encoding, delimiter = _csv_dialect(path)
    with open(path, encoding=encoding, errors="surrogateescape", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter)
        block: list[tuple[int, list[str]]] = []
        record = 0
        while True:
            record += 1
            try:
                cells = next(reader)
            except StopIteration:
                yield from _checked_block(block, encoding)
                return
            except csv.Error as e:
                yield from _checked_block(block, encoding)
                block = []
                yield Row(record, None, f"malformed CSV row ({e})")
                continue
            except UnicodeDecodeError:  # UTF-16 cut mid-character: surrogateescape cannot carry it
                yield from _checked_block(block, encoding)
                yield Row(record, None, f"undecodable {encoding} bytes from this row to the end of the file")
                return
            if not cells:  # a blank line is no record (Arrow's reader skips it too, so numbers agree)
                record -= 1
            elif record > skip:
                block.append((record, cells))
            if len(block) >= CHECK_BLOCK:
                yield from _checked_block(block, encoding)
                block = []


def _checked_block(block: list[tuple[int, list[str]]], encoding: str) -> Iterator[Row]:
    """Rows of a block, checked one by one only when the block as a whole holds a bad byte or a huge cell."""
    joined = "\x1e".join("\x1f".join(cells) for _, cells in block)
    if len(joined) <= MAX_CELL_CHARS and not SURROGATE.search(joined):
        return (Row(line, cells) for line, cells in block)
    return (_checked(line, cells, encoding) for line, cells in block)


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
        line = 0
        for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
            yield _checked(line, [_cell(v) for v in values], "utf-8")
    except Exception as e:  # a part truncated after the header still gives a reason, not a crash
        yield Row(line + 1, None, f"workbook unreadable from here on ({type(e).__name__})")
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
    """The first `n` readable rows, for preset detection.

    Raises:
        SourceError: when no row is readable but some row was there (its reason, e.g. undecodable bytes).

    """
    rows: list[list[str]] = []
    first_reason = None
    for row in iter_table(path, sheet):
        if row.cells is not None:
            rows.append(row.cells)
        first_reason = first_reason or row.reason
        if len(rows) >= n:
            break
    if not rows and first_reason:
        raise SourceError(f"{path.name}: no readable rows ({first_reason})")
    return rows


@dataclass(frozen=True, slots=True)
class Block:
    """Consecutive rows of a table, column by column: row numbers, columns of cells, and unreadable rows."""

    lines: list[int]
    columns: list[pa.Array]  # Arrow strings, so the importer works a column at a time
    rejects: list[Row]


def rows_to_block(rows: list[Row]) -> Block:
    """Transpose rows into a Block, padding short rows with empty cells."""
    import pyarrow as pa

    good = [r for r in rows if r.cells is not None]
    width = max((len(r.cells) for r in good), default=0)
    cells = [r.cells if len(r.cells) == width else r.cells + [""] * (width - len(r.cells)) for r in good]
    bad = [r for r in rows if r.cells is None]
    return Block([r.line for r in good], [pa.array(c, pa.string()) for c in zip(*cells, strict=True)], bad)


def _arrow_blocks(path: Path, delimiter: str, size: int) -> Iterator[Block]:
    """Fast path for well-formed UTF-8 CSV: Arrow's C++ reader. Raises pyarrow's ArrowInvalid on anything odd."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    width = len(sniff_rows(path, 1)[0])
    names = [f"c{i}" for i in range(width)]
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, block_size=ARROW_BLOCK_BYTES),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    line = 1
    for batch in reader:
        for start in range(0, batch.num_rows, size):
            part = batch.slice(start, size)
            # A cell has at least as many bytes as characters: count characters only in a column with a long cell.
            long = [col for col in part.columns if (pc.max(pc.binary_length(col)).as_py() or 0) > MAX_CELL_CHARS]
            if any((pc.max(pc.utf8_length(col)).as_py() or 0) > MAX_CELL_CHARS for col in long):
                raise pa.ArrowInvalid(f"a cell over {MAX_CELL_CHARS:,} characters")  # the row path rejects it
            yield Block(list(range(line, line + part.num_rows)), part.columns, [])
            line += part.num_rows


def iter_blocks(path: Path, sheet: str | int = 0, size: int = 50_000) -> Iterator[Block]:
    """Blocks of up to `size` rows of a CSV/TSV or XLSX export, the header rows included.

    A UTF-8 CSV goes through Arrow's reader; from the first thing it cannot take (a bad byte, a ragged row, a huge
    cell), the rest of the file goes row by row through `iter_csv`, which gives each bad row its reason.
    """
    from pyarrow import ArrowInvalid

    suffix = path.suffix.lower()
    done = 0
    if suffix in CSV_SUFFIXES:
        encoding, delimiter = _csv_dialect(path)
        if encoding.startswith("utf-8"):
            try:
                for block in _arrow_blocks(path, delimiter, size):
                    yield block
                    done = block.lines[-1]
                return
            except ArrowInvalid:
                pass
    rows = iter_csv(path, skip=done) if done else iter_table(path, sheet)
    while chunk := list(islice(rows, size)):
        yield rows_to_block(chunk)
