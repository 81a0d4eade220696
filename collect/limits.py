"""Caps on what one source file may hold (size, unpacked size, rows, field length), applied while importing.

The defaults live in `collect.roundfile.LimitSettings` (a round's `limits:`); every cap that is hit becomes a
`rejects` row whose reason names the cap, so nothing over a limit is dropped silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collect.documents import zip_problem
from collect.schema import excerpt, make_rejects
from collect.tables import XLSX_SUFFIXES, Block, Row

ZIP_SUFFIXES = XLSX_SUFFIXES | {".docx", ".docm"}


def file_problem(path: Path, *, max_file_bytes: int, max_unzipped_bytes: int) -> str | None:
    """Why a file must not be read at all under the caps, or None.

    Args:
        path: the file.
        max_file_bytes: the largest file read.
        max_unzipped_bytes: the most an XLSX/DOCX may declare it unpacks to (checked without inflating).

    """
    size = path.stat().st_size
    if size > max_file_bytes:
        return f"file of {size:,} bytes is over limits.max_file_bytes ({max_file_bytes:,})"
    if path.suffix.lower() in ZIP_SUFFIXES:
        problem = zip_problem(path, max_unzipped_bytes)
        if problem and problem.startswith("ZIP bomb"):
            return f"{problem}, over limits.max_unzipped_bytes ({max_unzipped_bytes:,})"
    return None


def cap_blocks(blocks: Iterator[Block], last_line: int, max_rows: int) -> Iterator[Block]:
    """Blocks up to row `last_line`; the first row past it becomes one reject saying the rest was not read."""
    for block in blocks:
        if (not block.lines or block.lines[-1] <= last_line) and all(r.line <= last_line for r in block.rejects):
            yield block
            continue
        keep = sum(1 for line in block.lines if line <= last_line)
        reason = f"more than limits.max_rows ({max_rows:,}) data rows; rows from here on were not read"
        rejects = [r for r in block.rejects if r.line <= last_line] + [Row(last_line + 1, None, reason)]
        yield Block(block.lines[:keep], [c[:keep] for c in block.columns], rejects)
        return


def reject_long_texts(
    responses: pd.DataFrame, rejects: pd.DataFrame, kept: int, *, max_field_chars: int, per_submission: bool
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Move responses whose text is over `max_field_chars` to the rejects.

    Args:
        responses: one chunk of `responses`.
        rejects: the chunk's `rejects`.
        kept: records kept in the chunk.
        max_field_chars: the longest text kept.
        per_submission: True when a record is a submission (a form row): all its answers go with the long one, as
            one reject, so rows in = kept + rejected still holds; False when each response is a record (mail parts).

    Returns:
        (responses, rejects, kept) after the move.

    """
    if (pc.max(pc.binary_length(pa.array(responses["text"]))).as_py() or 0) <= max_field_chars:
        return responses, rejects, kept  # no text has more bytes than the cap, so none has more characters
    long = responses["text"].str.len() > max_field_chars
    if not long.any():
        return responses, rejects, kept
    unit = "submission_id" if per_submission else "response_id"
    out = responses[unit].isin(responses.loc[long, unit])
    first = responses[long].drop_duplicates(unit)
    moved = make_rejects(
        {
            "source": row.source,
            "source_key": row.source_key,
            "reason": f"text of {len(row.text):,} characters is over limits.max_field_chars ({max_field_chars:,})",
            "raw_excerpt": excerpt(row.text),
        }
        for row in first.itertuples(index=False)
    )
    kept_rows = responses[~out].reset_index(drop=True)
    return kept_rows, pd.concat([rejects, moved], ignore_index=True), kept - len(first)
