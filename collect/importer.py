"""`consult import`: bring files of any supported kind into a round, idempotently, in bounded memory.

Re-import rule: rows are keyed by their source file. An unchanged file (same sha256 as in the manifest) is skipped;
a new or changed file is read again and replaces that file's earlier rows, so the same records keep the same ids
and are never duplicated, new records are appended, and a changed file is reported with its new-record count.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from collect.documents import extract_document
from collect.forms import import_form_file
from collect.limits import file_problem, reject_long_texts
from collect.mail import import_mail
from collect.manifest import MANIFEST_COLUMNS
from collect.respondent import letterhead_organisation
from collect.roundfile import ROUND_FILE, FormMapping, LimitSettings, RoundPaths, load_round
from collect.schema import (
    REJECT_COLUMNS,
    RESPONSE_COLUMNS,
    coerce_responses,
    empty_responses,
    excerpt,
    make_rejects,
    make_response_id,
    make_submission_id,
)
from collect.storage import parquet_writer, read_table, sha256_file, write_table
from collect.tables import CSV_SUFFIXES, XLSX_SUFFIXES, MappingError, SourceError

KINDS = ("auto", "form", "mbox", "eml", "documents")
RESPONSES_SCHEMA = pa.schema(
    [
        (c, pa.timestamp("ns", tz="UTC") if t.startswith("datetime") else pa.string())
        for c, t in RESPONSE_COLUMNS.items()
    ]
)
REJECTS_SCHEMA = pa.schema([(c, pa.string()) for c in REJECT_COLUMNS])
Chunk = tuple[pd.DataFrame, pd.DataFrame, int]  # responses, rejects, records kept


def file_kind(path: Path, kind: str = "auto") -> str:
    """The importer for a file: the explicit kind, else by suffix, else by content ("From " starts an mbox)."""
    if kind != "auto":
        return kind
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES or suffix in XLSX_SUFFIXES:
        return "form"
    if suffix == ".eml":
        return "eml"
    if suffix == ".mbox":
        return "mbox"
    with open(path, "rb") as f:
        return "mbox" if f.read(5) == b"From " else "documents"


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus every file under named folders (recursively, hidden files skipped), sorted, each once.

    Raises:
        SourceError: for a path that does not exist.

    """
    files: dict[Path, None] = {}
    for p in map(Path, paths):
        if p.is_dir():
            found = (f for f in sorted(p.rglob("*")) if f.is_file())
            visible = (f for f in found if not any(s.startswith(".") for s in f.relative_to(p).parts))
            files.update(dict.fromkeys(f.resolve() for f in visible))
        elif p.is_file():
            files[p.resolve()] = None
        else:
            raise SourceError(f"{p}: no such file or folder")
    return list(files)


def _records_chunk(records: list[dict], rejects: list[dict]) -> Chunk:
    if not records:
        return empty_responses(), make_rejects(rejects), 0
    rows = [{**r, "meta": json.dumps(r["meta"], ensure_ascii=False, sort_keys=True, default=str)} for r in records]
    return coerce_responses(rows), make_rejects(rejects), len(records)


def import_document(path: Path, *, round_id: str, source: str) -> Chunk:
    """One letter (PDF, DOCX, TXT/Markdown) as one submission, question "general", channel "letter"."""
    text, reason = extract_document(path.read_bytes(), path.name)
    if reason:
        return empty_responses(), make_rejects([_file_reject(source, reason, path.name)]), 0
    org = letterhead_organisation(text)
    record = {
        "response_id": make_response_id(round_id, source, "document", "general"),
        "submission_id": make_submission_id(round_id, source, "document"),
        "round": round_id,
        "channel": "letter",
        "source": source,
        "source_key": "document",
        "question_id": "general",
        "received_at": None,
        "respondent_type": "organisation" if org else "unknown",
        "organisation": org,
        "text": text,
        "meta": {"file_name": path.name},
    }
    return _records_chunk([record], [])


def _file_reject(source: str, reason: str, raw: object) -> dict:
    return {"source": source, "source_key": "file", "reason": reason, "raw_excerpt": excerpt(raw)}


def import_file(
    path: Path,
    *,
    round_id: str,
    source: str,
    kind: str = "auto",
    preset: str = "auto",
    mapping: FormMapping | None = None,
    sheet: str | int = 0,
    **limits: int,
) -> Iterator[Chunk]:
    """Chunks of (`responses`, `rejects`, records kept) of one file; a file unreadable as a whole is one reject.

    `limits` are the caps of `collect.roundfile.LimitSettings` (max_file_bytes, max_unzipped_bytes, max_rows,
    max_field_chars, max_attachments), its defaults for those not given; each cap hit is a reject naming it.
    """
    caps = LimitSettings(**limits)
    chosen = file_kind(path, kind)
    problem = file_problem(path, max_file_bytes=caps.max_file_bytes, max_unzipped_bytes=caps.max_unzipped_bytes)
    if problem:
        yield empty_responses(), make_rejects([_file_reject(source, problem, path.name)]), 0
        return
    for responses, rejects, kept in _chunks(path, chosen, round_id, source, preset, mapping, sheet, caps):
        yield reject_long_texts(
            responses, rejects, kept, max_field_chars=caps.max_field_chars, per_submission=chosen == "form"
        )


def _chunks(path, chosen, round_id, source, preset, mapping, sheet, caps: LimitSettings) -> Iterator[Chunk]:
    try:
        if chosen == "form":
            for responses, rejects in import_form_file(
                path,
                round_id=round_id,
                source=source,
                preset=preset,
                mapping=mapping,
                sheet=sheet,
                max_rows=caps.max_rows,
            ):
                yield responses, rejects, responses["submission_id"].nunique()
        elif chosen in ("eml", "mbox"):
            yield _records_chunk(
                *import_mail(
                    path,
                    round_id=round_id,
                    source=source,
                    mbox=chosen == "mbox",
                    max_messages=caps.max_rows,
                    max_attachments=caps.max_attachments,
                )
            )
        elif chosen == "documents":
            yield import_document(path, round_id=round_id, source=source)
        else:
            raise SourceError(f"unknown kind {chosen!r}; choose one of {', '.join(KINDS)}")
    except MappingError:
        raise
    except SourceError as e:
        reason = str(e).removeprefix(f"{path.name}: ")  # the file is named in `source` already
        yield empty_responses(), make_rejects([_file_reject(source, reason, path.name)]), 0


@dataclass
class FileResult:
    """What happened to one file: new, changed or unchanged, and its counts."""

    source: str
    status: str
    read: int = 0
    kept: int = 0
    responses: int = 0
    rejected: int = 0
    new_responses: int = 0


@dataclass
class ImportReport:
    """Counts of one `consult import`: read = kept + rejected, per file and in total."""

    files: list[FileResult] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)

    def totals(self) -> dict[str, int]:
        """Records read, kept and rejected, responses written, over all files."""
        keys = ("read", "kept", "rejected", "responses", "new_responses")
        return {k: sum(getattr(f, k) for f in self.files) for k in keys}


def source_name(path: Path, round_dir: Path) -> str:
    """A file's `source`: its path relative to the round folder (with ../ when it lies outside)."""
    return Path(os.path.relpath(path, round_dir)).as_posix()


def _arrow(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    # Column by column: the string columns are Arrow-backed already (half the cost of Table.from_pandas).
    return pa.table({name: pa.array(df[name]) for name in schema.names}).cast(schema)


def _keep_others(path: Path, replaced: set[str], schema: pa.Schema, writer: pq.ParquetWriter) -> dict[str, set]:
    """Copy rows of sources not being re-imported; return the old response ids of those that are."""
    old_ids: dict[str, set] = {s: set() for s in replaced}
    if not path.is_file():
        return old_ids
    for batch in pq.ParquetFile(path).iter_batches(batch_size=100_000):
        table = pa.Table.from_batches([batch])
        sources = table.column("source").to_pylist()
        if "response_id" in table.column_names:
            for s, rid in zip(sources, table.column("response_id").to_pylist(), strict=True):
                if s in replaced:
                    old_ids[s].add(rid)
        mask = pa.array([s not in replaced for s in sources])
        writer.write_table(table.filter(mask).select(schema.names).cast(schema))
    return old_ids


def import_paths(
    paths: Iterable[Path],
    round_dir: Path,
    *,
    round_id: str,
    kind: str = "auto",
    preset: str = "auto",
    mapping: FormMapping | None = None,
    limits: Mapping[str, int] | None = None,
) -> ImportReport:
    """Import files and folders into ROUND_DIR/interim/{responses,rejects,manifest}.parquet.

    Args:
        paths: files and folders (searched recursively).
        round_dir: the round folder; sources are recorded relative to it.
        round_id: the round id (part of every id).
        kind: auto, form, mbox, eml or documents.
        preset: form preset (auto, google, microsoft, surveymonkey, qualtrics, generic).
        mapping: an explicit form mapping (overrides the preset's choice of columns).
        limits: caps on each file (see `import_file`); None takes the round.yaml's `limits:`, or the defaults.

    Returns:
        The per-file and total counts. Nothing is rewritten for files whose sha256 is unchanged.

    """
    if kind not in KINDS:
        raise SourceError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    round_dir = Path(round_dir).resolve()
    limits = round_limits(round_dir) if limits is None else limits
    rp = RoundPaths(round_dir, round_id)
    manifest = read_table(rp.manifest) if rp.manifest.is_file() else pd.DataFrame(columns=MANIFEST_COLUMNS)
    known = dict(zip(manifest["source"], manifest["sha256"], strict=True))
    report, todo, fresh = ImportReport(), [], []
    for path in expand_paths(paths):
        source, digest = source_name(path, round_dir), sha256_file(path)
        status = "unchanged" if known.get(source) == digest else "changed" if source in known else "new"
        report.files.append(FileResult(source, status))
        if status != "unchanged":
            todo.append((path, report.files[-1]))
            fresh.append({"source": source, "sha256": digest, "size_bytes": path.stat().st_size})
    if not todo:
        return report
    replaced = {r.source for _, r in todo}
    with (
        parquet_writer(rp.responses, RESPONSES_SCHEMA) as out,
        parquet_writer(rp.rejects, REJECTS_SCHEMA) as bad,
    ):
        old_ids = _keep_others(rp.responses, replaced, RESPONSES_SCHEMA, out)
        _keep_others(rp.rejects, replaced, REJECTS_SCHEMA, bad)
        for path, result in todo:
            for responses, rejects, kept in import_file(
                path, round_id=round_id, source=result.source, kind=kind, preset=preset, mapping=mapping, **limits
            ):
                out.write_table(_arrow(responses, RESPONSES_SCHEMA))
                bad.write_table(_arrow(rejects, REJECTS_SCHEMA))
                result.kept += kept
                result.rejected += len(rejects)
                result.responses += len(responses)
                result.new_responses += int((~responses["response_id"].isin(old_ids[result.source])).sum())
                report.reasons.update(rejects["reason"])
            result.read = result.kept + result.rejected
    rest = manifest[~manifest["source"].isin(replaced)]
    merged = pd.concat([rest, pd.DataFrame(fresh, columns=MANIFEST_COLUMNS)], ignore_index=True)
    write_table(merged.sort_values("source", ignore_index=True), rp.manifest)
    return report


def round_id_for(round_dir: Path) -> str:
    """The round id: from ROUND_DIR/round.yaml when there is one, else the folder's name."""
    yml = Path(round_dir) / ROUND_FILE
    return load_round(yml)[0].round if yml.is_file() else Path(round_dir).resolve().name


def round_limits(round_dir: Path) -> dict[str, int]:
    """The caps of ROUND_DIR/round.yaml's `limits:` as keyword arguments (the defaults when there is no round file)."""
    yml = Path(round_dir) / ROUND_FILE
    return (load_round(yml)[0].limits if yml.is_file() else LimitSettings()).model_dump()


def summary_lines(report: ImportReport) -> list[str]:
    """Human-readable counts: one line per file, the totals, then rejects by reason."""
    lines = [
        f"{f.status:<9} {f.source}: read {f.read}, kept {f.kept} ({f.responses} responses), rejected {f.rejected}"
        + (f", {f.new_responses} new responses" if f.status == "changed" else "")
        for f in report.files
    ]
    t = report.totals()
    lines.append(f"total: read {t['read']}, kept {t['kept']} ({t['responses']} responses), rejected {t['rejected']}")
    lines += [f"  rejected {n}: {reason}" for reason, n in sorted(report.reasons.items(), key=lambda x: (-x[1], x[0]))]
    return lines
