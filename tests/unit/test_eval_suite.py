"""The evaluation suite runner, its summary files and the `consult eval` CLI contract (no models)."""

import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyze.cli import app
from analyze.evaluation import TaskUnavailable
from analyze.evaluation.datasets import SHARED_SETS
from analyze.evaluation.suite import language_codes, metric_value, run_suite, shared_cases, targets_for
from analyze.evaluation.summary import load_summary, render_markdown

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _real_language_rows(shared: Path, n: int) -> pd.DataFrame:
    """n English Polis comments (Bowling Green) and n Traditional Chinese ones (vTaiwan), labelled en / zh."""
    en = pd.read_csv(shared / "polis-bowling-green/comments.csv", dtype=str)["comment-body"].head(n)
    zh = pd.read_csv(shared / "polis-vtaiwan-uberx/comments.csv", dtype=str)["comment-body"]
    zh = zh[zh.str.contains(_CJK)].head(n)
    return pd.DataFrame({"text": [*en, *zh], "label": ["en"] * len(en) + ["zh"] * len(zh)})


def _report(truth: list[str], predicted: list[str]) -> dict:
    """Accuracy and per-class recall, computed here so that no test pays for importing scikit-learn."""
    pairs = list(zip(truth, predicted, strict=True))
    recall = {c: sum(p == c for t, p in pairs if t == c) / truth.count(c) for c in set(truth)}
    return {
        "accuracy": sum(t == p for t, p in pairs) / len(pairs),
        "per_class": {c: {"recall": r} for c, r in recall.items()},
    }


def _cjk_rule(data: pd.DataFrame, **options) -> dict:
    """Stand-in language task: zh when the text has a CJK character, else en (a real rule, scored for real)."""
    return _report(list(data["label"]), ["zh" if _CJK.search(t) else "en" for t in data["text"]])


def _loader(modules: dict):
    def load(task: str):
        if task not in modules:
            raise TaskUnavailable(f"task {task!r} is not available in this version")
        return modules[task]

    return load


def _suite(tmp_path: Path, labels: Path, modules: dict) -> list[dict]:
    return run_suite([labels], tmp_path / "out" / "summary.md", shared=None, committed=None, loader=_loader(modules))


@pytest.fixture
def labels(tmp_path: Path, shared_data: Path) -> Path:
    folder = tmp_path / "labels"
    folder.mkdir()
    _real_language_rows(shared_data, 10).to_csv(folder / "language_polis.csv", index=False)
    pd.DataFrame({"text": ["Call me on 9123 4567"], "spans": ["[]"]}).to_csv(folder / "pii_x.csv", index=False)
    (folder / "notes.csv").write_text("a,b\n1,2\n")  # no task prefix: not a case
    (folder / "language.SOURCE.md").write_text("Polis comments, CC BY 4.0\n")
    (folder / "pii_x_holdout.csv").write_text("text,spans\nno personal data,[]\n")
    return folder


def test_suite_scores_files_lists_missing_tasks_and_writes_both_files(tmp_path, labels):
    language = SimpleNamespace(COLUMNS=("text", "label"), evaluate=_cjk_rule)
    rows = _suite(tmp_path, labels, {"language": language})

    by_task = {r["task"]: r for r in reversed(rows)}  # the first row of each task
    assert [r["task"] for r in rows] == ["language", "pii", "pii", "duplicates", "topics", "sentiment", "stance"]
    lang = by_task["language"]
    assert lang["status"] == "ok" and lang["n"] == 20 and lang["language"] == "en, zh"
    assert lang["metrics"]["accuracy"] == 1.0
    assert lang["target"] == "per_class.en.recall ≥ 0.99; per_class.zh.recall ≥ 0.99" and lang["met"] is True
    assert lang["source"] == f"see {labels / 'language.SOURCE.md'}"
    assert by_task["pii"]["status"] == "not available" and by_task["pii"]["n"] is None
    pii_rows = [r for r in rows if r["task"] == "pii"]
    assert [r["dataset"].rsplit("/", 1)[-1] for r in pii_rows] == ["pii_x.csv (development set)", "pii_x_holdout.csv"]
    assert by_task["pii"]["source"] == "no SOURCE note beside the file"
    assert by_task["stance"]["status"] == "no labelled data"

    md = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "| task | data set | language | n | main metrics | target | met? |" in md
    assert "| pii |" in md and "not available" in md
    assert load_summary(tmp_path / "out" / "summary.md") == json.loads(json.dumps(rows))


def test_a_missed_target_is_reported_as_no(tmp_path, labels):
    everything_en = SimpleNamespace(
        COLUMNS=("text", "label"),
        evaluate=lambda data, **o: _report(list(data["label"]), ["en"] * len(data)),
    )
    row = _suite(tmp_path, labels, {"language": everything_en})[0]
    assert row["metrics"]["accuracy"] == 0.5 and row["met"] is False
    assert "| **no** |" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


def test_a_broken_task_is_one_row_and_the_rest_still_run(tmp_path, labels):
    def broken(data, **options):
        raise RuntimeError("model file missing")

    pii = SimpleNamespace(COLUMNS=("text", "spans"), evaluate=lambda data, **o: {"overall": {"recall": 1.0}})
    rows = _suite(
        tmp_path, labels, {"language": SimpleNamespace(COLUMNS=("text", "label"), evaluate=broken), "pii": pii}
    )
    assert rows[0]["status"] == "error: RuntimeError: model file missing"
    assert rows[1]["status"] == "ok" and rows[1]["met"] is None  # precision not reported: no verdict


def test_shared_sets_are_sampled_with_a_fixed_seed(tmp_path, shared_data):
    specs = [s for s in SHARED_SETS if s.task == "language" or s.name.startswith("openrice")]
    first = shared_cases(shared_data, _mkdir(tmp_path / "a"), seed=7, sets=specs)
    second = shared_cases(shared_data, _mkdir(tmp_path / "b"), seed=7, sets=specs)
    assert [c.path.read_bytes() for c in first] == [c.path.read_bytes() for c in second]
    sib, openrice = (pd.read_csv(c.path, dtype=str) for c in first)
    assert first[0].sample == "600 of 2,400 (seed 7)" and first[1].sample == "all 501"
    # Parallel sentences stay together; Flores "Cantonese" (written register) is not a language label.
    assert set(sib["label"]) == {"en", "zh"} and sib["script"].value_counts().to_dict() == dict.fromkeys(
        ("latin", "hans", "hant"), 200
    )
    # OpenRice: only the half the Cantonese model was not trained on (167 of each class).
    assert openrice["label"].value_counts().to_dict() == dict.fromkeys(("negative", "neutral", "positive"), 167)


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def test_metric_paths_targets_and_language_codes():
    metrics = {"near_groups": {"f1": 0.97}, "flag": True, "accuracy": 0.5}
    assert metric_value(metrics, "near_groups.f1") == 0.97
    assert metric_value(metrics, "near_groups.recall") is None and metric_value(metrics, "flag") is None
    assert language_codes("en, zh-Hans, zh-Hant") == ["en", "zh"] and language_codes("unknown") == []
    assert [str(t) for t in targets_for("sentiment", ["yue"])] == ["accuracy ≥ 0.85"]
    assert targets_for("sentiment", ["en", "zh"]) == ()
    relative, speed = targets_for("topics", ["en"])
    assert str(speed) == "time_ratio ≥ 3"
    assert str(relative) == "nmi ≥ baseline.nmi + 0.05"
    assert relative.met({"nmi": 0.6, "baseline": {"nmi": 0.5}}) is True
    assert relative.met({"nmi": 0.54, "baseline": {"nmi": 0.5}}) is False and relative.met({"nmi": 0.6}) is None


def test_load_summary_without_a_run_is_empty(tmp_path):
    assert load_summary(tmp_path / "summary.md") == []


def test_eval_json_is_the_last_stdout_line(tmp_path):
    data = tmp_path / "pii.csv"
    pd.read_csv(REPO / "data/eval/pii_planted.csv", dtype=str, keep_default_na=False).head(8).to_csv(data, index=False)
    result = runner.invoke(app, ["eval", "pii", "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"task", "n", "metrics", "data_sha256", "version", "config"} <= set(out)
    assert out["task"] == "pii" and out["n"] == 8 and out["config"] == {}
    assert out["data_sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "pii"], "needs --data"),
        (["eval", "stance-ish", "--data", "x.csv"], "unknown task"),
        (["eval", "suite", "--dir", "no-such-folder"], "no such folder"),
    ],
)
def test_eval_user_errors_are_one_line(tmp_path, args, message):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "s.md")] if "suite" in args else args)
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_a_file_with_wrong_columns_or_encoding_is_one_line(tmp_path, shared_data):
    text = pd.read_csv(shared_data / "polis-vtaiwan-uberx/comments.csv", dtype=str)["comment-body"].iloc[2]
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"comment": [text]}).to_csv(wrong, index=False)
    big5 = tmp_path / "big5.csv"
    big5.write_bytes(f"text,spans\n{text},[]\n".encode("big5", errors="ignore"))
    for path, message in ((wrong, "needs column(s) ['text', 'spans']"), (big5, "not a UTF-8 CSV")):
        result = runner.invoke(app, ["eval", "pii", "--data", str(path)])
        assert result.exit_code == 2 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1


def test_markdown_cells_cannot_break_the_table():
    row = {"task": "pii", "dataset": "a|b.csv", "language": "en", "n": 3, "sample": "all", "metrics": {}}
    row |= {"target": "", "met": None, "status": "error: bad | cell\nsecond line", "source": "x"}
    table_rows = render_markdown([row], {"version": "0", "seed": 1, "shared_data": "found"}).splitlines()
    (line,) = [ln for ln in table_rows if ln.startswith("| pii")]
    assert line == "| pii | a/b.csv | en | 3 | error: bad / cell second line | none set | n/a |"
