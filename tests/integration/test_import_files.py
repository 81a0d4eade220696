from pathlib import Path

import pytest

from collect.importer import import_paths
from collect.roundfile import RoundPaths
from collect.storage import read_table

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def _tables(round_dir):
    paths = RoundPaths(round_dir, "r1")
    return read_table(paths.responses), read_table(paths.rejects)


@pytest.mark.slow
def test_every_fixture_is_kept_or_rejected_with_a_reason(tmp_path):
    round_dir = tmp_path / "round"
    report = import_paths([FIX], round_dir, round_id="r1")
    responses, rejects = _tables(round_dir)
    for f in report.files:
        assert f.read == f.kept + f.rejected, f.source
    assert report.totals()["responses"] == len(responses) and report.totals()["rejected"] == len(rejects)
    by_file = dict(zip(rejects["source"].str.rsplit("/", n=1).str[-1], rejects["reason"], strict=False))
    assert by_file["zip_bomb.xlsx"].startswith("ZIP bomb suspected")
    assert by_file["truncated.xlsx"] == "truncated or corrupt ZIP container"
    assert by_file["password_protected.xlsx"].startswith("password-protected")
    assert by_file["scanned_no_text.pdf"] == "no text layer"
    assert by_file["empty.csv"] == "empty file"
    assert responses["response_id"].is_unique


@pytest.mark.slow
def test_mixed_encodings_and_a_10_mb_cell_are_rejected_rows_not_crashes(tmp_path):
    round_dir = tmp_path / "round"
    (round_dir / "raw").mkdir(parents=True)
    (round_dir / "raw" / "mixed_encoding.csv").write_bytes((FIX / "mixed_encoding.csv").read_bytes())
    big = round_dir / "raw" / "big.csv"
    big.write_text("no,views\n1,好\n2," + "字" * (10 * 1024 * 1024 // 3) + "\n3,ok fine\n", encoding="utf-8")
    report = import_paths([round_dir / "raw"], round_dir, round_id="r1")
    responses, rejects = _tables(round_dir)
    assert sorted(rejects["reason"]) == [
        "cell over 1,000,000 characters",
        "undecodable bytes (not utf-8, big5hkscs, gb18030)",
    ]
    mixed = responses[responses["source"] == "raw/mixed_encoding.csv"]
    assert mixed["source_key"].tolist() == ["1", "2", "4"]  # "no" is the id column
    assert mixed["text"].iloc[1].startswith("uber就是叫派計程車")  # the Big5 row, repaired
    assert report.totals()["read"] == 3 + 4
