"""The form importer works a column at a time; these tests hold it to the one-row-at-a-time contract.

Texts are the real comments of the import fixtures (tests/fixtures/import/SOURCE.md: vTaiwan and Bowling Green Polis
comments, CC BY 4.0; regulations.gov CMS-2022-0163 comments, CC0).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import collect.forms
import collect.tables
from collect.columns import WHITESPACE, json_strings, strip
from collect.forms import import_form_file
from collect.respondent import respondent_type
from collect.schema import make_ids, make_response_id, make_submission_id

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"
HEADER = [
    "Submission No",
    "Timestamp",
    "Are you responding as an individual or organisation?",
    "Organisation name",
    "你對規管網約車有何意見？",
    "Any other comments?",
    "District",
]
TIMES = {
    "2026-03-01T08:00:00Z": pd.Timestamp("2026-03-01 08:00", tz="UTC"),
    "2026/03/02 09:15:00": pd.Timestamp("2026-03-02 09:15", tz="UTC"),
    "": pd.NaT,
    "not a date": pd.NaT,
}
DISTRICTS = ["灣仔", 'Sha "Tin"', "Yuen\\Long", "", "Tai\tPo"]


def _real_texts() -> list[str]:
    with open(FIX / "google_forms.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    with open(FIX / "qualtrics.csv", encoding="utf-8", newline="") as f:
        rows += list(csv.reader(f))[3:]
    return [cell for row in rows for cell in row[4:] if len(cell) > 30]


def _rows(n: int = 120) -> list[list[str]]:
    """Export rows with every case the importer treats apart: repeats, blank ids, bad times, ragged rows."""
    texts, rows = _real_texts(), []
    for i in range(n):
        sid = "" if i % 23 == 5 else f"R{i - 1 if i % 17 == 3 else i:03d}"  # blank ids; repeats across blocks
        first = "" if i % 13 == 0 else texts[i % len(texts)]
        first = f" \u3000{first}\xa0" if i % 4 == 1 else first
        second = texts[(i * 7) % len(texts)] if i % 3 == 0 else "\u2028 " if i % 5 == 0 else ""
        org = "香港的士商會" if i % 9 == 1 else ""
        kind = ["個人", "Organisation", "", "匿名"][i % 4]
        row = [sid, list(TIMES)[i % 4], kind, org, first, second, DISTRICTS[i % 5]]
        rows.append(row + ["extra 更多", " "] if i == 100 else row)
    return rows


def _expected(rows: list[list[str]], source: str) -> tuple[list[dict], list[tuple[str, str]]]:
    """What the contract says the import gives, worked out one row at a time."""
    seen, responses, rejects = set(), [], []
    for line, cells in enumerate(rows, start=2):
        sid, when, kind, org = (c.strip() for c in cells[:4])
        key = sid or f"row {line}"
        if sid and sid in seen:
            rejects.append((f"row {line}", f"duplicate respondent id {sid!r}"))
            continue
        seen.add(sid)
        answers = [(HEADER[c], cells[c].strip()) for c in (4, 5) if cells[c].strip()]
        if not answers:
            rejects.append((key, "no answer text"))
            continue
        for question, text in answers:
            meta = {"District": cells[6], "question": question}
            if when == "not a date":
                meta["unparsed_received_at"] = when
            if cells[7:] and any(c.strip() for c in cells[7:]):
                meta["extra_cells"] = [c for c in cells[7:] if c.strip()]
            responses.append(
                {
                    "response_id": make_response_id("r1", source, key, question),
                    "submission_id": make_submission_id("r1", source, key),
                    "source_key": key,
                    "question_id": question,
                    "received_at": TIMES[when],
                    "respondent_type": respondent_type(kind, org),
                    "organisation": org or None,
                    "text": text,
                    "meta": json.dumps(meta, ensure_ascii=False, sort_keys=True),
                }
            )
    return responses, rejects


def _arrow_refuses(*args):
    raise pa.ArrowInvalid("forced: the whole file goes row by row")


@pytest.mark.parametrize("path", ["arrow", "row by row"])
def test_column_at_a_time_import_gives_what_the_row_by_row_contract_says(tmp_path, monkeypatch, path):
    rows = _rows()
    export = tmp_path / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    monkeypatch.setattr(collect.forms, "CHUNK_ROWS", 16)  # many blocks: repeats are caught across them
    monkeypatch.setattr(collect.tables, "ARROW_BLOCK_BYTES", 4096)
    if path == "row by row":
        monkeypatch.setattr(collect.tables, "_arrow_blocks", _arrow_refuses)
    chunks = list(import_form_file(export, round_id="r1", source="raw/export.csv"))
    assert len(chunks) > 5
    got = pd.concat([c[0] for c in chunks], ignore_index=True)
    rejects = pd.concat([c[1] for c in chunks], ignore_index=True)
    want, want_rejects = _expected(rows, "raw/export.csv")
    assert len({r["submission_id"] for r in want}) + len(want_rejects) == len(rows)
    expected = pd.DataFrame(want).astype({c: "string" for c in want[0] if c != "received_at"})
    expected["received_at"] = pd.to_datetime(expected["received_at"], utc=True).astype(got["received_at"].dtype)
    pd.testing.assert_frame_equal(got[list(expected.columns)], expected)
    assert (got["round"] == "r1").all() and (got["channel"] == "form").all()
    assert list(zip(rejects["source_key"], rejects["reason"], strict=True)) == want_rejects


def test_whitespace_is_every_character_str_strip_removes():
    assert set(WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_strip_and_json_strings_agree_with_python_value_by_value():
    values = [t[:40] for t in _real_texts()] + ['\u3000 "quoted" \\ \n', "\x1c\u2028", "\u200b zero-width", "", "\t"]
    column = pa.array(values + values[::-1])
    assert strip(column).to_pylist() == [v.strip() for v in values + values[::-1]]
    assert json_strings(column).to_pylist() == [json.dumps(v, ensure_ascii=False) for v in values + values[::-1]]


def test_make_ids_are_the_one_at_a_time_ids():
    keys = ["R001", "row 2", "編號 三", "", "a\x1fb", "x" * 200]
    got_r = make_ids("r-", "r1", "raw/意見.csv", pa.array(keys), "你對規管網約車有何意見？").to_pylist()
    got_s = make_ids("s-", "r1", "raw/意見.csv", pa.array(keys)).to_pylist()
    assert got_r == [make_response_id("r1", "raw/意見.csv", k, "你對規管網約車有何意見？") for k in keys]
    assert got_s == [make_submission_id("r1", "raw/意見.csv", k) for k in keys]
    assert make_ids("s-", "r1", "x", pa.array([], pa.string())).to_pylist() == []
