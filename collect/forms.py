"""Import a CSV or XLSX form export: one row per respondent becomes one row per answered question."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from collect.roundfile import FormMapping
from collect.schema import (
    coerce_responses,
    empty_responses,
    excerpt,
    make_rejects,
    make_response_id,
    make_submission_id,
    to_meta,
)

# Tried in order for CSV files; Hong Kong exports are UTF-8 (often with BOM), Big5-HKSCS or GB18030.
CSV_ENCODINGS = ("utf-8-sig", "big5hkscs", "gb18030")

RESPONDENT_WORDS = {
    "individual": ("individual", "person", "personal", "member of the public", "個人", "个人", "市民"),
    "organisation": (
        "organisation",
        "organization",
        "company",
        "group",
        "association",
        "團體",
        "团体",
        "機構",
        "机构",
        "組織",
        "组织",
        "公司",
    ),
    "anonymous": ("anonymous", "prefer not to say", "匿名", "不願透露", "不愿透露"),
}


class SourceError(ValueError):
    """A source file cannot be read at all, or its mapping does not fit; the message names the file."""


def read_csv_bytes(data: bytes, name: str) -> pd.DataFrame:
    """Decode a CSV export with the first encoding that fits, every cell as text."""
    for enc in CSV_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, on_bad_lines="error")
    raise SourceError(f"{name}: not readable as UTF-8, Big5-HKSCS or GB18030 text")


def read_table_file(path: Path, sheet: str | int = 0) -> pd.DataFrame:
    """Read a CSV or XLSX export as strings, raising SourceError with the file name on failure."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False, engine="openpyxl")
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv_bytes(path.read_bytes(), path.name)
    except SourceError:
        raise
    except Exception as e:  # pandas/openpyxl raise many types for broken files; the user needs the name
        raise SourceError(f"{path.name}: cannot be read as a form export ({type(e).__name__}: {e})") from e
    raise SourceError(f"{path.name}: unsupported form export type '{suffix}' (use .csv or .xlsx)")


def respondent_type(value: str, organisation: str) -> str:
    """Map a form's respondent-type answer to individual/organisation/anonymous/unknown.

    Rule: a recognised word in the answer wins; otherwise a stated organisation name means "organisation".
    """
    low = value.strip().lower()
    for kind, words in RESPONDENT_WORDS.items():
        if low and any(w in low for w in words):
            return kind
    return "organisation" if organisation.strip() else "unknown"


def check_mapping(columns: list[str], mapping: FormMapping, name: str) -> None:
    """Raise a helpful error listing the export's columns when the mapping names one that is absent."""
    wanted = list(mapping.text_columns()) + [
        c for c in (mapping.id, mapping.received_at, mapping.respondent_type, mapping.organisation) if c
    ]
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise SourceError(
            f"{name}: mapping names column(s) {missing} that are not in the file; its columns are {columns}"
        )


def import_form(
    table: pd.DataFrame, *, mapping: FormMapping, round_id: str, source: str, channel: str = "form"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a form export into `responses` and `rejects`.

    Args:
        table: the export, one row per respondent, all cells as strings.
        mapping: which columns hold answers (-> question ids), id, time, respondent type, organisation.
        round_id: the round the rows belong to (part of every id).
        source: the file path relative to the round folder.
        channel: the channel recorded on every row.

    Returns:
        (responses, rejects). Every source row is either kept (one response per non-empty answer) or rejected
        with a reason, so rows in = rows kept + rows rejected.

    """
    check_mapping(list(table.columns), mapping, source)
    text_cols = mapping.text_columns()
    named = set(text_cols) | {
        c for c in (mapping.id, mapping.received_at, mapping.respondent_type, mapping.organisation) if c
    }
    meta_cols = [c for c in table.columns if c not in named]
    records, rejects, seen = [], [], set()
    for pos, row in enumerate(table.to_dict("records")):
        line = str(pos + 2)  # spreadsheet row number: header is row 1
        key = str(row[mapping.id]).strip() if mapping.id and str(row[mapping.id]).strip() else f"row {line}"
        if key in seen:
            rejects.append(
                {
                    "source": source,
                    "source_key": f"row {line}",
                    "reason": f"duplicate respondent id {key!r}",
                    "raw_excerpt": excerpt(to_meta(row)),
                }
            )
            continue
        seen.add(key)
        answers = {q: str(row[c]).strip() for c, q in text_cols.items() if str(row[c]).strip()}
        if not answers:
            rejects.append(
                {"source": source, "source_key": key, "reason": "no answer text", "raw_excerpt": excerpt(to_meta(row))}
            )
            continue
        org = str(row[mapping.organisation]).strip() if mapping.organisation else ""
        rtype = respondent_type(str(row[mapping.respondent_type]) if mapping.respondent_type else "", org)
        received = str(row[mapping.received_at]).strip() if mapping.received_at else ""
        meta = {c: row[c] for c in meta_cols}
        if received and pd.isna(pd.to_datetime(received, utc=True, errors="coerce")):
            meta["unparsed_received_at"] = received  # kept, never guessed
        submission_id = make_submission_id(round_id, source, key)
        for question_id, text in answers.items():
            records.append(
                {
                    "response_id": make_response_id(round_id, source, key, question_id),
                    "submission_id": submission_id,
                    "round": round_id,
                    "channel": channel,
                    "source": source,
                    "source_key": key,
                    "question_id": question_id,
                    "received_at": received or None,
                    "respondent_type": rtype,
                    "organisation": org or None,
                    "text": text,
                    "meta": to_meta(meta),
                }
            )
    responses = coerce_responses(records) if records else empty_responses()
    return responses, make_rejects(rejects)
