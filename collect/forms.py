"""Import a CSV or XLSX form export: one row per respondent becomes one row per answered question.

Rows stream through in chunks, so a 1,000,000-row export is imported in bounded memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

from collect.limits import cap_blocks
from collect.presets import Layout, detect_preset, mapping_layout, preset_layout
from collect.respondent import respondent_type
from collect.roundfile import FormMapping
from collect.schema import RESPONSE_COLUMNS, empty_responses, excerpt, make_rejects
from collect.tables import Block, MappingError, Row, SourceError, iter_blocks, rows_to_block, sniff_rows

__all__ = ["SourceError", "import_form", "import_form_file", "import_blocks", "respondent_type"]

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


def _ids(prefix: str, round_id: str, source: str, keys: list[str], question_id: str | None = None) -> list[str]:
    """make_response_id / make_submission_id for many keys at once (the same digests, computed in one pass)."""
    sha = hashlib.sha256
    head = f"{round_id}\x1f{source}\x1f"
    tail = "" if question_id is None else "\x1f" + question_id
    return [prefix + sha((head + k + tail).encode()).hexdigest()[:16] for k in keys]


def _json_values(values: list[str], memo: dict[str, str]) -> list[str]:
    """JSON encodings of string values, memoised: meta columns (district, age group) repeat a few values."""
    out = []
    for v in values:
        enc = memo.get(v)
        if enc is None:
            enc = memo[v] = json.dumps(v, ensure_ascii=False)
        out.append(enc)
    return out


def _rejects(source: str, items: list[tuple[str, str, object]]) -> list[dict]:
    return [{"source": source, "source_key": k, "reason": why, "raw_excerpt": excerpt(raw)} for k, why, raw in items]


class _FormImport:
    """Column-at-a-time conversion of blocks of export rows; holds the ids seen so far to catch repeats."""

    def __init__(self, layout: Layout, *, round_id: str, source: str, channel: str) -> None:
        self.layout, self.round_id, self.source, self.channel = layout, round_id, source, channel
        roles = (layout.id_col, layout.org_col, layout.type_col, layout.received_col)
        self.width = 1 + max([a.col for a in layout.answers] + list(layout.meta) + [c for c in roles if c is not None])
        self.seen: set[str] = set()
        self.memo: dict[str, str] = {}
        self.types: dict[tuple[str, bool], str] = {}
        # `meta` is JSON with sorted keys (as json.dumps(sort_keys=True) writes it), built from pre-encoded parts.
        names = {**{n: i for i, n in layout.meta.items()}, "question": -1}
        self.meta_keys = [(json.dumps(k, ensure_ascii=False), names[k]) for k in sorted(names)]
        self.question_key = json.dumps("question")

    def frames(self, block: Block) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Responses and rejects of one block of data rows."""
        lay, n = self.layout, len(block.lines)
        cols = block.columns + [[""] * n for _ in range(self.width - len(block.columns))]
        bad = [(f"row {r.line}", r.reason or "unreadable row", r.raw) for r in block.rejects]
        ids = [v.strip() for v in cols[lay.id_col]] if lay.id_col is not None else [""] * n
        keys = [k or f"row {line}" for k, line in zip(ids, block.lines, strict=True)]
        answers = [[v.strip() for v in cols[a.col]] for a in lay.answers]
        keep = []
        for i, (key, answered) in enumerate(zip(ids, zip(*answers, strict=True), strict=True)):
            if key and key in self.seen:
                bad.append((f"row {block.lines[i]}", f"duplicate respondent id {key!r}", self._raw(cols, i)))
                continue
            if key:
                self.seen.add(key)
            if any(answered):
                keep.append(i)
            else:
                bad.append((keys[i], "no answer text", self._raw(cols, i)))
        responses = self._responses(keep, cols, keys, answers) if keep else empty_responses()
        return responses, make_rejects(_rejects(self.source, bad))

    def _raw(self, cols: list[list[str]], i: int) -> str:
        return "\x1f".join(c[i] for c in cols)

    def _responses(self, keep: list[int], cols: list[list[str]], keys: list[str], answers: list[list[str]]):
        lay, round_id, source = self.layout, self.round_id, self.source

        def column(col: int | None) -> list[str]:
            return [cols[col][i].strip() for i in keep] if col is not None else [""] * len(keep)

        keys = [keys[i] for i in keep]
        orgs, kinds, received_raw = column(lay.org_col), column(lay.type_col), column(lay.received_col)
        rtypes = [self._rtype(k, o) for k, o in zip(kinds, orgs, strict=True)]
        received = _parse_times(received_raw)
        received_utc = received.dt.tz_convert(None).to_numpy()  # naive UTC datetime64: fast to index
        unparsed = set((received.isna() & pd.Series(received_raw, dtype="string").ne("")).to_numpy().nonzero()[0])
        extra = {
            n: [c[i] for c in cols[self.width :] if c[i].strip()]
            for n, i in enumerate(keep)
            if any(c[i].strip() for c in cols[self.width :])
        }
        # "key": value pieces per meta column, in sorted key order; the question piece is added per answer column
        pieces = {
            c: [f"{k}: {v}" for v in _json_values([cols[c][i] for i in keep], self.memo)]
            for k, c in self.meta_keys
            if c >= 0
        }
        subs = _ids("s-", round_id, source, keys)
        frames = []
        for a_pos, answer in enumerate(lay.answers):
            texts = [answers[a_pos][i] for i in keep]
            here = [n for n, t in enumerate(texts) if t]
            q_json = json.dumps(answer.question, ensure_ascii=False)
            question = [f"{self.question_key}: {q_json}"] * len(here)
            ordered = [question if c < 0 else [pieces[c][n] for n in here] for _, c in self.meta_keys]
            metas = ["{" + ", ".join(parts) + "}" for parts in zip(*ordered, strict=True)]
            for pos, n in enumerate(here):
                if n in unparsed or n in extra:  # rare: the general (slower) way, same JSON form
                    m = {name: cols[c][keep[n]] for c, name in lay.meta.items()} | {"question": answer.question}
                    if n in unparsed:
                        m["unparsed_received_at"] = received_raw[n]  # kept, never guessed
                    if n in extra:
                        m["extra_cells"] = extra[n]
                    metas[pos] = json.dumps(m, ensure_ascii=False, sort_keys=True)
            frames.append(
                pd.DataFrame(
                    {
                        "_pos": [n * len(lay.answers) + a_pos for n in here],
                        "response_id": _ids("r-", round_id, source, [keys[n] for n in here], answer.question_id),
                        "submission_id": [subs[n] for n in here],
                        "source_key": [keys[n] for n in here],
                        "question_id": answer.question_id,
                        "received_at": received_utc[here],
                        "respondent_type": [rtypes[n] for n in here],
                        "organisation": [orgs[n] or None for n in here],
                        "text": [texts[n] for n in here],
                        "meta": metas,
                    }
                )
            )
        df = pd.concat(frames, ignore_index=True).sort_values("_pos", ignore_index=True).drop(columns="_pos")
        df = df.assign(round=round_id, channel=self.channel, source=source)[list(RESPONSE_COLUMNS)]
        df["received_at"] = pd.to_datetime(df["received_at"]).dt.tz_localize("UTC")
        return df.astype({c: t for c, t in RESPONSE_COLUMNS.items() if c != "received_at"})

    def _rtype(self, kind: str, org: str) -> str:
        key = (kind, bool(org))
        if key not in self.types:
            self.types[key] = respondent_type(kind, org)
        return self.types[key]


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
        data = [i for i, line in enumerate(block.lines) if line > layout.header_rows]
        if len(data) < len(block.lines):
            block = Block([block.lines[i] for i in data], [[c[i] for i in data] for c in block.columns], block.rejects)
        rejects = [r for r in block.rejects if r.line > layout.header_rows]
        if block.lines or rejects:
            yield work.frames(Block(block.lines, block.columns, rejects))


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
