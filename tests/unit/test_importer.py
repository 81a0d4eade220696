import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from collect.importer import import_paths
from collect.roundfile import RoundPaths
from collect.storage import read_table

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"
GOLDEN = FIX / "golden" / "responses.csv"
GOLDEN_FILES = ["google_forms.csv", "letter_org.md", "mail_reply_signature.eml", "generic_gb18030.csv"]
GOLDEN_COLUMNS = [
    "response_id",
    "submission_id",
    "source",
    "source_key",
    "question_id",
    "received_at",
    "respondent_type",
    "organisation",
    "channel",
    "text",
]


def _round(tmp_path, names):
    raw = tmp_path / "round" / "raw"
    raw.mkdir(parents=True)
    for name in names:
        shutil.copy(FIX / name, raw / Path(name).name)
    return tmp_path / "round"


def _tables(round_dir):
    paths = RoundPaths(round_dir, "r1")
    return read_table(paths.responses), read_table(paths.rejects)


def test_golden_table_of_a_small_round(tmp_path):
    round_dir = _round(tmp_path, GOLDEN_FILES)
    import_paths([round_dir / "raw"], round_dir, round_id="r1")
    got = _tables(round_dir)[0][GOLDEN_COLUMNS].sort_values("response_id", ignore_index=True)
    got["received_at"] = got["received_at"].astype("string")
    expected = pd.read_csv(GOLDEN, dtype="string", keep_default_na=False).replace("", pd.NA)
    pd.testing.assert_frame_equal(got.astype("string"), expected, check_dtype=False)


def test_reimport_is_idempotent_and_a_changed_file_appends_new_rows(tmp_path):
    round_dir = _round(tmp_path, ["google_forms.csv", "letter_zh.pdf"])
    import_paths([round_dir / "raw"], round_dir, round_id="r1")
    first = _tables(round_dir)[0]
    again = import_paths([round_dir / "raw"], round_dir, round_id="r1")
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    pd.testing.assert_frame_equal(_tables(round_dir)[0], first)

    export = round_dir / "raw" / "google_forms.csv"
    export.write_bytes(
        export.read_bytes() + "2026/03/06 09:00:00,x@gmail.com,個人,,新的意見：應該發牌規管。,\r\n".encode()
    )
    changed = import_paths([round_dir / "raw"], round_dir, round_id="r1")
    assert [(f.source, f.status, f.new_responses) for f in changed.files] == [
        ("raw/google_forms.csv", "changed", 1),
        ("raw/letter_zh.pdf", "unchanged", 0),
    ]
    now = _tables(round_dir)[0]
    assert set(first["response_id"]) < set(now["response_id"]) and len(now) == len(first) + 1
    assert now["response_id"].is_unique
    assert set(read_table(RoundPaths(round_dir, "r1").manifest)["source"]) == {
        "raw/google_forms.csv",
        "raw/letter_zh.pdf",
    }


def test_consult_import_prints_counts_and_json_last_line(tmp_path):
    from analyze.cli import app

    round_dir = _round(tmp_path, ["consultation.mbox", "scanned_no_text.pdf"])
    result = CliRunner().invoke(app, ["import", str(round_dir / "raw"), "--round", str(round_dir), "--json"])
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert (last["read"], last["kept"], last["rejected"]) == (5, 2, 3)
    assert last["rejected_by_reason"]["no text layer"] == 1
    assert "total: read 5, kept 2" in result.output


def test_consult_import_user_errors_are_one_line(tmp_path):
    from analyze.cli import app

    result = CliRunner().invoke(app, ["import", str(tmp_path / "nope"), "--round", str(tmp_path)])
    assert result.exit_code == 2 and "no such file or folder" in result.output
    result = CliRunner().invoke(app, ["import", str(FIX / "qualtrics.csv"), "--round", str(tmp_path), "--preset", "x"])
    assert result.exit_code == 2 and "unknown preset 'x'" in result.output


@pytest.mark.parametrize("kind", ["form", "eml"])
def test_explicit_kind_that_does_not_fit_is_a_reject(tmp_path, kind):
    round_dir = _round(tmp_path, ["letter_zh.pdf"])
    report = import_paths([round_dir / "raw"], round_dir, round_id="r1", kind=kind)
    assert report.totals()["rejected"] == 1 and report.totals()["kept"] == 0


def test_folder_under_a_hidden_folder_is_searched_but_hidden_files_inside_are_not(tmp_path):
    from collect.importer import expand_paths

    folder = tmp_path / ".cache" / "exports"
    (folder / "sub").mkdir(parents=True)
    for name in ("a.csv", "sub/b.eml", ".~lock.a.csv#"):
        (folder / name).write_text("x", encoding="utf-8")
    assert [p.name for p in expand_paths([folder])] == ["a.csv", "b.eml"]


def test_folder_import_rejects_a_table_without_free_text_and_imports_the_rest(tmp_path):
    round_dir = _round(tmp_path, ["google_forms.csv", "qualtrics.csv"])
    (round_dir / "raw" / "districts.csv").write_text("code,district\nCW,Central\nWC,Wanchai\n", encoding="utf-8")
    report = import_paths([round_dir / "raw"], round_dir, round_id="r1")
    counts = {f.source: (f.kept, f.rejected) for f in report.files}
    assert counts == {"raw/districts.csv": (0, 1), "raw/google_forms.csv": (5, 1), "raw/qualtrics.csv": (3, 0)}
    rejects = _tables(round_dir)[1].set_index("source")
    assert rejects.loc["raw/districts.csv", "reason"] == (
        "preset 'generic' finds no answer columns; the columns are ['code', 'district']"
    )
