import pandas as pd

from analyze import stagestate
from analyze.stagestate import fingerprint, is_current, load_state, save_state, source_files, upstream_files
from collect.roundfile import RoundPaths
from collect.storage import clean_stale_temp_files, sha256_file, write_table


def _round(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("views\n我覺得個 privacy policy 唔清楚\n", encoding="utf-8")
    (tmp_path / "round.yaml").write_text("round: r1\n", encoding="utf-8")
    return RoundPaths(tmp_path, "r1")


def test_fingerprint_follows_inputs_round_file_and_options(tmp_path):
    paths = _round(tmp_path)
    inputs = source_files(paths)
    assert [p.name for p in inputs] == ["a.csv"]
    first = fingerprint("collect", paths, inputs, {})
    assert fingerprint("collect", paths, inputs, {}) == first
    assert fingerprint("collect", paths, inputs, {"formats": ["html"]}) != first
    (tmp_path / "raw" / "a.csv").write_text("views\nchanged\n", encoding="utf-8")
    assert fingerprint("collect", paths, inputs, {}) != first
    second = fingerprint("collect", paths, inputs, {})
    (tmp_path / "round.yaml").write_text("round: r1\ntopics: {seed: 1}\n", encoding="utf-8")
    assert fingerprint("collect", paths, inputs, {}) != second


def test_one_run_hashes_each_file_once_and_again_after_it_is_rewritten(tmp_path, monkeypatch):
    paths = _round(tmp_path)
    table = tmp_path / "processed" / "language.parquet"
    write_table(pd.DataFrame({"x": [1, 2]}), table)
    hashed = []
    monkeypatch.setattr(stagestate, "sha256_file", lambda p: hashed.append(p.name) or sha256_file(p))
    digests: dict = {}
    first = fingerprint("pii", paths, [table], {}, digests)
    assert fingerprint("duplicates", paths, [table], {}, digests) != first  # another stage, same digests
    assert sorted(hashed) == ["language.parquet", "round.yaml"]  # not again for the second stage
    write_table(pd.DataFrame({"x": [1, 3]}), table)  # same size, replaced (as every stage output is)
    assert fingerprint("pii", paths, [table], {}, digests) == fingerprint("pii", paths, [table], {})
    assert fingerprint("pii", paths, [table], {}, digests) != first
    assert hashed.count("language.parquet") == 3  # the new file, with and without the shared digests


def test_generated_folders_and_temp_files_are_not_inputs(tmp_path):
    paths = _round(tmp_path)
    for name in ("interim/x.parquet", "processed/y.parquet", "raw/.a.csv.123.tmp"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.name for p in source_files(paths)] == ["a.csv"]


def test_state_round_trip_and_currency(tmp_path):
    paths = _round(tmp_path)
    out = tmp_path / "processed" / "language.parquet"
    out.parent.mkdir()
    out.write_text("table")
    state = {
        "collect": {"fingerprint": "f1", "outputs": [str(tmp_path / "raw" / "a.csv")]},
        "language": {"fingerprint": "f2", "outputs": [str(out)]},
    }
    save_state(paths, state)
    assert load_state(paths) == state
    assert is_current(state, "language", "f2")
    assert not is_current(state, "language", "other")
    assert not is_current(state, "topics", "f2")
    out.unlink()
    assert not is_current(state, "language", "f2")
    assert upstream_files(state, ("collect", "language")) == [tmp_path / "raw" / "a.csv", out]


def test_unreadable_state_means_rerun_everything(tmp_path):
    paths = _round(tmp_path)
    paths.interim.mkdir()
    (paths.interim / "stage_state.json").write_text("{not json")
    assert load_state(paths) == {}


def test_stale_temp_files_are_removed(tmp_path):
    (tmp_path / "processed").mkdir()
    stale = tmp_path / "processed" / ".topics.parquet.abc123.tmp"
    stale.write_text("half a table")
    keep = tmp_path / "processed" / "topics.parquet"
    keep.write_text("whole")
    assert clean_stale_temp_files(tmp_path, tmp_path / "absent") == [stale]
    assert keep.exists() and not stale.exists()
