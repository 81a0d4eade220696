"""Import a CSV or XLSX form export: one row per respondent becomes one row per answered question.

Rows stream through in chunks, so a 1,000,000-row export is imported in bounded memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from collect.presets import Layout, detect_preset, mapping_layout, preset_layout
from collect.respondent import respondent_type
from collect.roundfile import FormMapping
from collect.schema import RESPONSE_COLUMNS, _digest, empty_responses, excerpt, make_rejects
from collect.tables import MappingError, Row, SourceError, iter_table, sniff_rows

__all__ = ["SourceError", "import_form", "import_form_file", "import_rows", "read_table_file", "respondent_type"]

CHUNK_ROWS = 50_000
SNIFF_ROWS = 23  # header rows plus about 20 data rows to judge which columns hold free text


def _parse_times(values: list[str]) -> pd.Series:
    """UTC timestamps: ISO 8601 fast, then any other common form; naive times are taken as UTC."""
    raw = pd.Series(values, dtype="string")
    parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    retry = parsed.isna() & raw.str.strip().ne("")
    if retry.any():
        parsed[retry] = pd.to_datetime(raw[retry], utc=True, errors="coerce", format="mixed")
    return parsed


class _Chunk:
    """Columnar buffers of one chunk of responses and rejects."""

    def __init__(self) -> None:
        self.cols: dict[str, list] = {c: [] for c in RESPONSE_COLUMNS}
        self.metas: list[dict] = []
        self.rejects: list[dict] = []

    def __len__(self) -> int:
        return len(self.metas) + len(self.rejects)

    def reject(self, source: str, key: str, reason: str, raw: object) -> None:
        self.rejects.append({"source": source, "source_key": key, "reason": reason, "raw_excerpt": excerpt(raw)})

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        if not self.metas:
            return empty_responses(), make_rejects(self.rejects)
        received = _parse_times(self.cols["received_at"])
        for i in (received.isna() & pd.Series(self.cols["received_at"]).str.strip().ne("")).to_numpy().nonzero()[0]:
            self.metas[i]["unparsed_received_at"] = self.cols["received_at"][i]  # kept, never guessed
        self.cols["received_at"] = received
        self.cols["meta"] = [json.dumps(m, ensure_ascii=False, sort_keys=True) for m in self.metas]
        df = pd.DataFrame(self.cols)
        df = df.astype({c: t for c, t in RESPONSE_COLUMNS.items() if c != "received_at"})
        return df, make_rejects(self.rejects)


def import_rows(
    rows: Iterable[Row],
    layout: Layout,
    *,
    round_id: str,
    source: str,
    channel: str = "form",
    chunk_rows: int = CHUNK_ROWS,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Turn streamed export rows into chunks of (`responses`, `rejects`).

    Args:
        rows: every row of the export, header rows included (the layout says how many to skip).
        layout: the role of every column (a vendor preset or an explicit mapping).
        round_id: the round the rows belong to (part of every id).
        source: the file path relative to the round folder.
        channel: the channel recorded on every row.
        chunk_rows: source rows per yielded chunk.

    Yields:
        (responses, rejects) per chunk. Every data row is kept (one response per non-empty answer, the question text
        in `meta["question"]`) or rejected with a reason: rows in = rows kept + rows rejected.

    """
    width = 1 + max([a.col for a in layout.answers] + list(layout.meta) + [layout.id_col or 0, layout.org_col or 0])
    seen: set[str] = set()
    chunk = _Chunk()
    skipped = 0
    for row in rows:
        if skipped < layout.header_rows:
            skipped += 1
            continue
        if row.cells is None:
            chunk.reject(source, f"row {row.line}", row.reason or "unreadable row", row.raw)
        else:
            _add_row(chunk, row, layout, seen, width, round_id=round_id, source=source, channel=channel)
        if len(chunk) >= chunk_rows:
            yield chunk.frames()
            chunk = _Chunk()
    if len(chunk):
        yield chunk.frames()


def _add_row(
    chunk: _Chunk, row: Row, layout: Layout, seen: set[str], width: int, *, round_id: str, source: str, channel: str
) -> None:
    cells = row.cells + [""] * (width - len(row.cells)) if len(row.cells) < width else row.cells
    line = f"row {row.line}"
    key = cells[layout.id_col].strip() if layout.id_col is not None else ""
    key = key or line
    if layout.id_col is not None:
        if key in seen:
            chunk.reject(source, line, f"duplicate respondent id {key!r}", "\x1f".join(cells))
            return
        seen.add(key)
    answers = [(a, cells[a.col].strip()) for a in layout.answers]
    answers = [(a, t) for a, t in answers if t]
    if not answers:
        chunk.reject(source, key, "no answer text", "\x1f".join(cells))
        return
    org = cells[layout.org_col].strip() if layout.org_col is not None else ""
    rtype = respondent_type(cells[layout.type_col] if layout.type_col is not None else "", org)
    received = cells[layout.received_col].strip() if layout.received_col is not None else ""
    meta = {name: cells[i] for i, name in layout.meta.items()}
    extra = [c for c in cells[width:] if c.strip()]
    if extra:
        meta["extra_cells"] = extra
    submission_id = "s-" + _digest(round_id, source, key)
    cols = chunk.cols
    for answer, text in answers:
        cols["response_id"].append("r-" + _digest(round_id, source, key, answer.question_id))
        cols["submission_id"].append(submission_id)
        cols["round"].append(round_id)
        cols["channel"].append(channel)
        cols["source"].append(source)
        cols["source_key"].append(key)
        cols["question_id"].append(answer.question_id)
        cols["received_at"].append(received)
        cols["respondent_type"].append(rtype)
        cols["organisation"].append(org or None)
        cols["text"].append(text)
        chunk.metas.append({**meta, "question": answer.question})


def file_layout(
    path: Path, *, preset: str = "auto", mapping: FormMapping | None = None, sheet: str | int = 0
) -> Layout:
    """The layout of one export file: an explicit mapping, a named preset, or the detected one."""
    head = sniff_rows(path, SNIFF_ROWS, sheet)
    if not head:
        raise SourceError(f"{path.name}: no rows")
    chosen = detect_preset(head) if preset == "auto" else preset
    try:
        return mapping_layout(head, mapping, chosen) if mapping else preset_layout(head, chosen)
    except MappingError as e:
        raise MappingError(f"{path.name}: {e}") from e


def import_form_file(
    path: Path,
    *,
    round_id: str,
    source: str,
    channel: str = "form",
    preset: str = "auto",
    mapping: FormMapping | None = None,
    sheet: str | int = 0,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream one CSV/XLSX export as chunks of (`responses`, `rejects`); see `import_rows`.

    Raises:
        SourceError: when the file cannot be read at all or the mapping does not fit (the message names the file).

    """
    layout = file_layout(path, preset=preset, mapping=mapping, sheet=sheet)
    return import_rows(iter_table(path, sheet), layout, round_id=round_id, source=source, channel=channel)


def import_form(
    table: pd.DataFrame, *, mapping: FormMapping, round_id: str, source: str, channel: str = "form"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a form export already in memory (all cells strings) into `responses` and `rejects`."""
    header = [str(c) for c in table.columns]
    layout = mapping_layout([header], mapping)
    rows = [Row(1, header)] + [Row(i + 2, [str(v) for v in r]) for i, r in enumerate(table.itertuples(index=False))]
    chunks = list(import_rows(rows, layout, round_id=round_id, source=source, channel=channel))
    if not chunks:
        return empty_responses(), make_rejects([])
    return (
        pd.concat([c[0] for c in chunks], ignore_index=True),
        pd.concat([c[1] for c in chunks], ignore_index=True),
    )


def read_table_file(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read a whole CSV or XLSX export as strings (small files; large ones stream through `import_form_file`)."""
    rows = [r.cells for r in iter_table(path, sheet) if r.cells is not None]
    if not rows:
        raise SourceError(f"{path.name}: no rows")
    header = rows[0]
    return pd.DataFrame([r + [""] * (len(header) - len(r)) for r in rows[1:]], columns=header, dtype=str)
