"""Import a CSV or XLSX form export: one row per respondent becomes one row per answered question.

Rows stream through in blocks, column by column as Arrow arrays, so a 1,000,000-row export is imported in bounded
memory, and the only per-row Python work is hashing the ids and remembering respondent ids already seen.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collect.columns import blank, concat, filled, json_strings, pick, strip
from collect.limits import cap_blocks
from collect.presets import Layout, NoAnswerColumns, detect_preset, mapping_layout, preset_layout
from collect.respondent import respondent_type
from collect.roundfile import FormMapping
from collect.schema import RESPONSE_COLUMNS, empty_responses, excerpt, make_ids, make_rejects
from collect.tables import Block, MappingError, Row, SourceError, iter_blocks, rows_to_block, sniff_rows

__all__ = ["SourceError", "import_form", "import_form_file", "import_blocks", "respondent_type"]

CHUNK_ROWS = 50_000
SNIFF_ROWS = 23  # header rows plus about 20 data rows to judge which columns hold free text
STRING_DTYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}


def _parse_times(raw: pd.Series) -> pd.Series:
    """UTC timestamps: ISO 8601 fast, then any other common form; naive times are taken as UTC."""
    parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    retry = parsed.isna() & raw.str.strip().ne("")
    if retry.any():
        parsed[retry] = pd.to_datetime(raw[retry], utc=True, errors="coerce", format="mixed")
    return parsed


def _received(raw: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """UTC times of a column of stripped texts (each distinct text parsed once), and which non-blank ones failed."""
    coded = raw.dictionary_encode()
    texts = coded.dictionary.to_pandas(types_mapper=STRING_DTYPES.get)
    parsed = _parse_times(texts)
    failed = pa.array((parsed.isna() & texts.ne("")).to_numpy()).take(coded.indices)
    return pa.array(parsed).take(coded.indices), failed.to_numpy(zero_copy_only=False)


def _rejects(source: str, items: list[tuple[str, str, object]]) -> list[dict]:
    return [{"source": source, "source_key": k, "reason": why, "raw_excerpt": excerpt(raw)} for k, why, raw in items]


class _FormImport:
    """Column-at-a-time conversion of blocks of export rows; holds the ids seen so far to catch repeats."""

    def __init__(self, layout: Layout, *, round_id: str, source: str, channel: str) -> None:
        self.layout, self.round_id, self.source, self.channel = layout, round_id, source, channel
        roles = (layout.id_col, layout.org_col, layout.type_col, layout.received_col)
        self.width = 1 + max([a.col for a in layout.answers] + list(layout.meta) + [c for c in roles if c is not None])
        self.seen: set[str] = set()
        # `meta` is JSON with sorted keys (as json.dumps(sort_keys=True) writes it), built from pre-encoded parts.
        names = {**{n: i for i, n in layout.meta.items()}, "question": -1}
        self.meta_keys = [(json.dumps(k, ensure_ascii=False), names[k]) for k in sorted(names)]

    def frames(self, block: Block) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Responses and rejects of one block of data rows."""
        lay, n = self.layout, len(block.lines)
        cols = block.columns + [blank(n)] * (self.width - len(block.columns))
        ids = strip(cols[lay.id_col]) if lay.id_col is not None else blank(n)
        keys = self._keys(ids, block.lines)
        answers = [strip(cols[a.col]) for a in lay.answers]
        answered = np.logical_or.reduce([filled(a) for a in answers])
        repeats = self._repeats(ids.to_pylist())
        bad = [(f"row {r.line}", r.reason or "unreadable row", r.raw) for r in block.rejects]
        for i in sorted(repeats.keys() | set(np.flatnonzero(~answered).tolist())):
            if i in repeats:
                bad.append((f"row {block.lines[i]}", f"duplicate respondent id {repeats[i]!r}", self._raw(cols, i)))
            else:
                bad.append((keys[i].as_py(), "no answer text", self._raw(cols, i)))
        keep = answered.copy()
        keep[list(repeats)] = False
        responses = self._responses(keep, cols, keys, answers) if keep.any() else empty_responses()
        return responses, make_rejects(_rejects(self.source, bad))

    @staticmethod
    def _keys(ids: pa.Array, lines: list[int]) -> pa.Array:
        """`source_key` of each row: its respondent id, or "row N" where it has none."""
        named = filled(ids)
        if named.all():
            return ids
        row_keys = concat("row ", pa.array(lines, pa.int64()).cast(pa.string()))
        return pc.if_else(pa.array(named), ids, row_keys)

    def _repeats(self, ids: list[str]) -> dict[int, str]:
        """Rows whose respondent id was seen before, in this block or an earlier one (row -> id); remembers the rest."""
        fresh = set(ids)
        fresh.discard("")
        if len(fresh) == len(ids) - ids.count("") and self.seen.isdisjoint(fresh):  # the usual case, at C speed
            self.seen |= fresh
            return {}
        repeats = {}
        for i, key in enumerate(ids):
            if key in self.seen:
                repeats[i] = key
            elif key:
                self.seen.add(key)
        return repeats

    def _raw(self, cols: list[pa.Array], i: int) -> str:
        return "\x1f".join(c[i].as_py() for c in cols)

    def _responses(
        self, keep: np.ndarray, cols: list[pa.Array], keys: pa.Array, answers: list[pa.Array]
    ) -> pd.DataFrame:
        lay, n_answers = self.layout, len(self.layout.answers)

        def column(col: int | None) -> pa.Array:
            return strip(pick(cols[col], keep)) if col is not None else blank(len(keys))

        keys = pick(keys, keep)
        orgs, received_raw = column(lay.org_col), column(lay.received_col)
        rtypes = self._types(column(lay.type_col), orgs)
        received_at, failed = _received(received_raw)
        unparsed = set(np.flatnonzero(failed).tolist())
        extra = self._extra_cells(cols, keep)
        organisation = pc.if_else(pc.equal(orgs, ""), pa.scalar(None, pa.string()), orgs)
        # '"key": value' pieces per meta column, in sorted key order; the question piece is added per answer column
        pieces = {c: concat(k + ": ", json_strings(pick(cols[c], keep))) for k, c in self.meta_keys if c >= 0}
        subs = make_ids("s-", self.round_id, self.source, keys)
        tables = []
        for a_pos, answer in enumerate(lay.answers):
            texts = pick(answers[a_pos], keep)
            present = filled(texts)
            here = np.flatnonzero(present)
            question = json.dumps("question") + ": " + json.dumps(answer.question, ensure_ascii=False)
            parts = [pa.repeat(question, len(here)) if c < 0 else pick(pieces[c], present) for _, c in self.meta_keys]
            meta = concat("{", *[p for part in parts for p in (", ", part)][1:], "}")  # {part, part, ...}
            meta = self._general_meta(meta, here, answer.question, cols, keep, unparsed, received_raw, extra)
            answer_keys = pick(keys, present)
            tables.append(
                pa.table(
                    {
                        "_pos": here * n_answers + a_pos,
                        "response_id": make_ids("r-", self.round_id, self.source, answer_keys, answer.question_id),
                        "submission_id": pick(subs, present),
                        "source_key": answer_keys,
                        "question_id": pa.repeat(pa.scalar(answer.question_id, pa.string()), len(here)),
                        "received_at": pick(received_at, present),
                        "respondent_type": pick(rtypes, present),
                        "organisation": pick(organisation, present),
                        "text": pick(texts, present),
                        "meta": meta,
                    }
                )
            )
        table = pa.concat_tables(tables)
        if n_answers > 1:  # rows in export order, answers in column order within a row
            table = table.take(np.argsort(table.column("_pos").to_numpy(), kind="stable"))
        fixed = {"round": self.round_id, "channel": self.channel, "source": self.source}
        columns = {c: pa.repeat(pa.scalar(v, pa.string()), table.num_rows) for c, v in fixed.items()}
        columns |= {c: table.column(c) for c in RESPONSE_COLUMNS if c not in fixed}
        return pa.table({c: columns[c] for c in RESPONSE_COLUMNS}).to_pandas(types_mapper=STRING_DTYPES.get)

    def _extra_cells(self, cols: list[pa.Array], keep: np.ndarray) -> dict[int, list[str]]:
        """Non-blank cells past the layout's columns (a ragged row), per kept row that has any."""
        rows = np.flatnonzero(keep).tolist()
        extra_cols = [c.to_pylist() for c in cols[self.width :]]
        found = {n: [c[i] for c in extra_cols if c[i].strip()] for n, i in enumerate(rows)} if extra_cols else {}
        return {n: cells for n, cells in found.items() if cells}

    def _general_meta(
        self,
        meta: pa.Array,
        here: np.ndarray,
        question: str,
        cols: list[pa.Array],
        keep: np.ndarray,
        unparsed: set[int],
        received_raw: pa.Array,
        extra: dict[int, list[str]],
    ) -> pa.Array:
        """`meta` rebuilt the general (slower) way, in the same JSON form, for the rare rows that need more keys."""
        if not unparsed and not extra:
            return meta
        special = [pos for pos, n in enumerate(here.tolist()) if n in unparsed or n in extra]
        rows = np.flatnonzero(keep)
        values = []
        for pos in special:
            n = int(here[pos])
            m = {name: cols[c][rows[n]].as_py() for c, name in self.layout.meta.items()} | {"question": question}
            if n in unparsed:
                m["unparsed_received_at"] = received_raw[n].as_py()  # kept, never guessed
            if n in extra:
                m["extra_cells"] = extra[n]
            values.append(json.dumps(m, ensure_ascii=False, sort_keys=True))
        where = np.zeros(len(meta), bool)
        where[special] = True
        return pc.replace_with_mask(meta, pa.array(where), pa.array(values, pa.string()))

    @staticmethod
    def _types(kinds: pa.Array, orgs: pa.Array) -> pa.Array:
        """`respondent_type` of every row, computed once per distinct (type answer, organisation stated) pair."""
        coded = kinds.dictionary_encode()
        pairs = coded.indices.to_numpy().astype(np.int64) * 2 + filled(orgs)
        distinct, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
        names = [respondent_type(kinds[i].as_py(), orgs[i].as_py()) for i in first.tolist()]
        return pa.array(names, pa.string()).take(pa.array(inverse.ravel()))


def import_blocks(
    blocks: Iterable[Block], layout: Layout, *, round_id: str, source: str, channel: str = "form"
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Turn blocks of export rows into chunks of (`responses`, `rejects`).

    Args:
        blocks: every row of the export in blocks, header rows included (the layout says how many to skip).
        layout: the role of every column (a vendor preset or an explicit mapping).
        round_id: the round the rows belong to (part of every id).
        source: the file path relative to the round folder.
        channel: the channel recorded on every row.

    Yields:
        (responses, rejects) per block. Every data row is kept (one response per non-empty answer, the question text
        in `meta["question"]`) or rejected with a reason: rows in = rows kept + rows rejected.

    """
    work = _FormImport(layout, round_id=round_id, source=source, channel=channel)
    for block in blocks:
        skip = bisect_right(block.lines, layout.header_rows)  # row numbers ascend: header rows come first
        if skip:
            block = Block(block.lines[skip:], [c[skip:] for c in block.columns], block.rejects)
        rejects = [r for r in block.rejects if r.line > layout.header_rows]
        if block.lines or rejects:
            yield work.frames(Block(block.lines, block.columns, rejects))


def file_layout(
    path: Path, *, preset: str = "auto", mapping: FormMapping | None = None, sheet: str | int = 0
) -> Layout:
    """The layout of one export file: an explicit mapping, a named preset, or the detected one.

    Raises:
        MappingError: when the mapping or the named preset does not fit (a configuration mistake).
        SourceError: when the file has no rows, or the detected preset finds no free-text column in it (so a
            folder import rejects that one file, e.g. a lookup table, and imports the rest).

    """
    head = sniff_rows(path, SNIFF_ROWS, sheet)
    if not head:
        raise SourceError(f"{path.name}: no rows")
    chosen = detect_preset(head) if preset == "auto" else preset
    try:
        return mapping_layout(head, mapping, chosen) if mapping else preset_layout(head, chosen)
    except MappingError as e:
        detected = isinstance(e, NoAnswerColumns) and preset == "auto"
        raise (SourceError if detected else MappingError)(f"{path.name}: {e}") from e


def import_form_file(
    path: Path,
    *,
    round_id: str,
    source: str,
    channel: str = "form",
    preset: str = "auto",
    mapping: FormMapping | None = None,
    sheet: str | int = 0,
    max_rows: int | None = None,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream one CSV/XLSX export as chunks of (`responses`, `rejects`); see `import_blocks`.

    Rows past `max_rows` data rows are not read; the first of them is a reject saying so.

    Raises:
        SourceError: when the file cannot be read at all or the mapping does not fit (the message names the file).

    """
    layout = file_layout(path, preset=preset, mapping=mapping, sheet=sheet)
    blocks = iter_blocks(path, sheet, CHUNK_ROWS)
    if max_rows is not None:
        blocks = cap_blocks(blocks, layout.header_rows + max_rows, max_rows)
    return import_blocks(blocks, layout, round_id=round_id, source=source, channel=channel)


def import_form(
    table: pd.DataFrame, *, mapping: FormMapping, round_id: str, source: str, channel: str = "form"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a form export already in memory (all cells strings) into `responses` and `rejects`."""
    header = [str(c) for c in table.columns]
    layout = mapping_layout([header], mapping)
    rows = [Row(1, header)] + [Row(i + 2, [str(v) for v in r]) for i, r in enumerate(table.itertuples(index=False))]
    chunks = list(import_blocks([rows_to_block(rows)], layout, round_id=round_id, source=source, channel=channel))
    if not chunks:
        return empty_responses(), make_rejects([])
    return (
        pd.concat([c[0] for c in chunks], ignore_index=True),
        pd.concat([c[1] for c in chunks], ignore_index=True),
    )
