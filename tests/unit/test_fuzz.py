"""Property-based fuzzing of the importers and the language/PII stages (a small budget; scripts/fuzz.py runs >10,000).

Inputs are the real import fixtures (tests/fixtures/import/, SOURCE.md there) truncated or corrupted at
hypothesis-chosen places, random bytes, and generated form exports and strings. The checks are scripts/fuzz.py's
own: no uncaught exception; every reject has a reason; a file-level error names the file in one line; rows in =
kept + rejected where the input's row count is known.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collect.documents import extract_document
from collect.encoding import redecode
from collect.importer import import_file
from collect.schema import excerpt, make_rejects
from collect.storage import write_table

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "import"
FUZZ = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@functools.cache
def fuzz():
    """scripts/fuzz.py as a module: its generators and checks."""
    spec = importlib.util.spec_from_file_location("consult_fuzz", ROOT / "scripts" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


CORRUPTIBLE = [
    ("microsoft_forms.xlsx", "form.xlsx"),
    ("letter_yue.docx", "letter.docx"),
    ("letter_zh.pdf", "letter.pdf"),
    ("consultation.mbox", "box.mbox"),
    ("mail_big5_qp_attachment.eml", "mail.eml"),
    ("surveymonkey_big5hkscs.csv", "form.csv"),
    ("letter_big5hkscs.txt", "letter.txt"),
]
# Cells with what breaks naive CSV readers: line breaks, quotes, NUL, lone surrogates, BOMs, formula starts.
CELL = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('\n\r",\x00\ufeff=+-@意見你好係唔')),
        st.characters(categories=["L", "N", "Zs", "Cs"]),
    ),
    max_size=40,
)


def _check(name: str, data: bytes, rows: int | None = None, family: str = "fuzz") -> str:
    with tempfile.TemporaryDirectory() as folder:
        return fuzz().check_file(fuzz().Case(family, name, data, rows), Path(folder))


@pytest.mark.parametrize(("fixture", "name"), CORRUPTIBLE)
@settings(FUZZ, max_examples=8)
@given(data=st.data())
def test_a_truncated_or_corrupted_fixture_is_imported_or_rejected_never_a_crash(fixture, name, data):
    raw = (FIXTURES / fixture).read_bytes()
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)), max_size=8))
    spoilt = bytearray(raw)
    for at, value in flips:
        spoilt[at] = value
    assert _check(name, bytes(spoilt[:cut])) in ("ok", "error")


@settings(FUZZ)
@given(data=st.binary(max_size=2048), name=st.sampled_from(["a.csv", "a.xlsx", "a.eml", "a.mbox", "a.pdf", "a.docx"]))
def test_random_bytes_under_any_name_never_crash_an_importer(data, name):
    assert _check(name, data) in ("ok", "error")


@settings(FUZZ)
@given(rows=st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=12))
def test_a_ragged_csv_with_line_breaks_keeps_rows_in_equal_to_kept_plus_rejected(rows):
    rows = [[f"R{i}", *r] for i, r in enumerate(rows)]  # a first cell keeps every record non-blank
    out = io.StringIO()
    csv.writer(out).writerows([["id", "district", "comment"], *rows])
    text = out.getvalue()
    exact = not any("\x00" in c or "\ufeff" in c or "\r" in c for r in rows for c in r)
    data = text.encode("utf-8", "surrogatepass")
    assert _check("form.csv", data, len(rows) if exact else None, "csv") in ("ok", "error")


@settings(FUZZ)
@given(data=st.binary(max_size=4096), name=st.sampled_from(["a.txt", "a.pdf", "a.docx", "a", "a.md"]))
def test_extract_document_returns_text_or_a_reason_for_any_bytes(data, name):
    text, reason = extract_document(data, name)
    assert (text and reason is None) or (text == "" and reason)


def test_a_zip_bomb_and_deep_html_are_refused_or_read_within_limits():
    bomb = fuzz().zip_bomb("word/document.xml", size=16 * 1024 * 1024)
    text, reason = extract_document(bomb, "bomb.docx")
    assert text == "" and reason.startswith("ZIP bomb suspected")
    assert _check("deep.eml", fuzz()._eml(fuzz().nested_html(5_000), "text/html")) == "ok"


@pytest.mark.parametrize("name", ["qualtrics.csv", "surveymonkey_big5hkscs.csv"])
def test_a_vendor_export_whose_second_header_row_is_longer_is_imported(name):
    # Found by scripts/fuzz.py: presets zipped the header rows strictly and raised ValueError.
    raw = (FIXTURES / name).read_bytes()
    encoding = "big5hkscs" if "big5" in name else "utf-8-sig"
    lines = raw.decode(encoding).splitlines(keepends=True)
    lines[1] = lines[1].rstrip("\r\n") + ",extra,cells\r\n"
    assert _check(name, "".join(lines).encode(encoding)) == "ok"


def test_a_utf16_export_cut_mid_character_is_a_reject_not_a_crash():
    # Found by scripts/fuzz.py: Python's UTF-16 codec raises on a cut character even with errors="surrogateescape".
    data = (FIXTURES / "google_forms.csv").read_text(encoding="utf-8-sig").encode("utf-16")
    assert _check("form.csv", data[:-1]) == "ok"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("fuzzed_cid_widths.pdf", "unreadable PDF (LimitReachedError)"),  # pypdf's own error class escaped
        ("fuzzed_zip_version.xlsx", "truncated or corrupt ZIP container"),  # zipfile: NotImplementedError
    ],
)
def test_inputs_that_crashed_the_importer_are_now_rejects_with_a_reason(name, reason):
    chunks = list(import_file(FIXTURES / "bad" / name, round_id="r1", source=name))
    assert [list(c[1]["reason"]) for c in chunks] == [[reason]]


def test_undecodable_bytes_in_a_reject_excerpt_keep_the_rejects_table_writable(tmp_path):
    # Found by scripts/fuzz.py: lone surrogates from errors="surrogateescape" broke pandas' Arrow strings.
    rejects = make_rejects(
        [{"source": "a.csv", "source_key": "row 2", "reason": "x", "raw_excerpt": excerpt("a\udcff")}]
    )
    write_table(rejects, tmp_path / "rejects.parquet")
    assert redecode("\udcff", "utf-16") is None  # UTF-16 cannot carry escaped bytes back
