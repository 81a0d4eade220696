"""`consult eval suite`: every evaluation task on every labelled real data set, with targets and a summary.

The cases are the shared sets (analyze.evaluation.datasets, converted at run time in a temporary folder), the
committed labelled files under data/eval/, and any folder given (files named `<task>*.csv`). A task whose module is
missing is listed as "not available"; a case that fails is listed with its error; nothing is faked or dropped.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analyze import __version__
from analyze.evaluation import TASKS, EvalError, Task, TaskUnavailable, evaluate_file, load_task
from analyze.evaluation.datasets import SHARED_SETS, SharedSet, sample_set
from analyze.evaluation.summary import write_summary

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
COMMITTED = REPO / "data" / "eval"
DEFAULT_OUT = Path("reports/eval/summary.md")
SEED = 13

# Headline metrics per task (dotted paths into the task's metrics); the full metrics stay in summary.json.
HEADLINES = {
    "language": ("accuracy", "macro_f1", "yue_vs_written.accuracy", "script.accuracy"),
    "pii": ("overall.recall", "overall.precision", "leaked_chars"),
    "duplicates": ("near_groups.f1", "near_groups.precision", "near_groups.recall", "campaigns.f1"),
    "sentiment": ("accuracy", "macro_f1", "polar_only.accuracy"),
    "stance": ("accuracy", "macro_f1"),
    "topics": ("nmi", "ari", "outlier_share", "n_topics", "baseline.nmi", "time_ratio"),
}
# Targets from the issues that own each stage (6: language, PII; 7: duplicates; 8: topics; 9: sentiment, stance).
_BY_LANGUAGE = {"en": 0.90, "zh": 0.88, "yue": 0.85}
_LANG_CODES = ("en", "zh", "yue")


@dataclass(frozen=True)
class Target:
    """A floor on one metric (a dotted path into the task's metrics), absolute or above another metric.

    NOTE: with `above`, the floor is that metric's value plus `minimum` (e.g. NMI at least the baseline's + 0.05).
    """

    metric: str
    minimum: float
    above: str | None = None

    def met(self, metrics: dict[str, Any]) -> bool | None:
        """Whether the metric reaches the floor; None when the task does not report what the floor needs."""
        value = metric_value(metrics, self.metric)
        base = 0.0 if self.above is None else metric_value(metrics, self.above)
        return None if value is None or base is None else value >= base + self.minimum

    def __str__(self) -> str:
        return f"{self.metric} ≥ {self.above + ' + ' if self.above else ''}{self.minimum:g}"


@dataclass(frozen=True)
class Case:
    """One task on one labelled CSV."""

    task: str
    dataset: str
    language: str
    path: Path
    sample: str
    source: str
    options: dict[str, Any]


def metric_value(metrics: dict[str, Any], path: str) -> float | None:
    """The number at a dotted path (`near_groups.f1`), or None when absent or not a number."""
    value: Any = metrics
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def headline(task: str, metrics: dict[str, Any]) -> dict[str, float]:
    """The task's headline metrics that are present; else the first four top-level numbers."""
    found = {p: v for p in HEADLINES.get(task, ()) if (v := metric_value(metrics, p)) is not None}
    if found:
        return found
    numbers = {k: v for k in metrics if (v := metric_value(metrics, k)) is not None}
    return dict(list(numbers.items())[:4])


def targets_for(task: str, languages: Iterable[str]) -> tuple[Target, ...]:
    """The targets the owning issue sets for this task on data in these languages (codes en, zh, yue)."""
    langs = set(languages)
    if task == "language":
        floors = [Target(f"per_class.{code}.recall", 0.99) for code in ("en", "zh") if code in langs]
        return (*floors, *([Target("yue_vs_written.accuracy", 0.90)] if "yue" in langs else []))
    if task == "pii":
        return (Target("overall.recall", 0.98), Target("overall.precision", 0.95))
    if task == "duplicates":
        return (Target("near_groups.f1", 0.95),)
    if task in ("sentiment", "stance") and len(langs) == 1:
        return (Target("accuracy", _BY_LANGUAGE[langs.pop()]),)
    if task == "topics":
        return (Target("nmi", 0.05, above="baseline.nmi"), Target("time_ratio", 3.0))
    return ()


def language_codes(text: str) -> list[str]:
    """The language codes named in a free-form language string ("en, zh-Hant, yue" -> en, yue, zh)."""
    return sorted({code for code in _LANG_CODES if re.search(rf"(?<![a-z]){code}(?![a-z])", text)})


def _file_language(task: str, path: Path) -> str:
    """Languages of a committed or given file: its `lang` column, else a code in its name, else its labels."""
    head = pd.read_csv(
        path, dtype=str, keep_default_na=False, encoding="utf-8", usecols=lambda c: c in ("lang", "label")
    )
    if "lang" in head.columns:
        return ", ".join(sorted(set(head["lang"]) - {""}))
    named = language_codes(path.stem.replace("_", " "))
    if named:
        return ", ".join(named)
    if task == "language" and "label" in head.columns:
        return ", ".join(sorted(set(head["label"]) - {""}))
    return "unknown"


def file_cases(folders: Iterable[Path]) -> list[Case]:
    """Cases from CSV files named `<task>*.csv` in the folders (not recursive), in name order.

    Each points to its SOURCE note: `<file stem>.SOURCE.md`, else `<task>.SOURCE.md`, else the folder's `SOURCE.md`.
    A file that has a `<stem>_holdout.csv` twin is named a development set.

    Raises:
        EvalError: a folder does not exist or a file is not a readable UTF-8 CSV.
    """
    folders = [Path(f) for f in folders]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        raise EvalError(f"no such folder: {', '.join(missing)}")
    cases = []
    for folder in folders:
        for path in sorted(folder.glob("*.csv")):
            task = next((t for t in TASKS if path.name.startswith(t)), None)
            if task is None:
                continue
            try:
                language = _file_language(task, path)
            except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
                raise EvalError(f"{path}: not a UTF-8 CSV ({type(e).__name__})") from e
            notes = [folder / f"{path.stem}.SOURCE.md", folder / f"{task}.SOURCE.md", folder / "SOURCE.md"]
            note = next((n for n in notes if n.is_file()), None)
            source = f"see {_shown_path(note)}" if note else "no SOURCE note beside the file"
            # A file with a `<stem>_holdout.csv` twin is where the rules were tuned: its figure is optimistic.
            tuned = path.with_name(f"{path.stem}_holdout.csv").is_file()
            shown = _shown_path(path) + (" (development set)" if tuned else "")
            cases.append(Case(task, shown, language, path, "all rows", source, {}))
    return cases


def _shown_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def shared_cases(root: Path, workdir: Path, seed: int, sets: Iterable[SharedSet] = SHARED_SETS) -> list[Case]:
    """Convert and sample each shared set into `workdir`; a set whose folder is missing is skipped with a warning."""
    cases = []
    for i, spec in enumerate(sets):
        try:
            sample = sample_set(spec, root, seed)
        except FileNotFoundError as e:
            log.warning("skipping %s: %s", spec.name, e)
            continue
        path = workdir / f"{spec.task}-{i:02d}.csv"
        sample.data.to_csv(path, index=False, encoding="utf-8")
        n = len(sample.data)
        shown = f"all {n:,}" if n == sample.population else f"{n:,} of {sample.population:,} (seed {seed})"
        source = f"../shared/data/{spec.folder} ({spec.licence}); labels: {spec.labels}"
        cases.append(Case(spec.task, spec.name, spec.language, path, shown, source, dict(spec.options)))
    return cases


def score_case(case: Case, loader: Callable[[str], Task]) -> dict[str, Any]:
    """One summary row: headline metrics, targets and whether they are met, or the reason there are none."""
    targets = targets_for(case.task, language_codes(case.language))
    row = _row(case.task, "ok", dataset=case.dataset, language=case.language, sample=case.sample, source=case.source)
    row["target"] = "; ".join(map(str, targets))
    try:
        result = evaluate_file(case.task, loader(case.task), case.path, case.options)
    except TaskUnavailable:
        return row | {"status": "not available"}
    except EvalError as e:
        return row | {"status": f"error: {e}"}
    except Exception as e:  # noqa: BLE001 - one broken task must not hide the other tasks' figures
        log.warning("%s on %s failed: %s", case.task, case.dataset, e)
        log.debug("traceback", exc_info=True)
        return row | {"status": f"error: {type(e).__name__}: {e}"}
    verdicts = [t.met(result["metrics"]) for t in targets]
    met = None if not verdicts or None in verdicts else all(verdicts)
    return row | {
        "n": result["n"],
        "metrics": headline(case.task, result["metrics"]),
        "met": met,
        "seconds": result["seconds"],
        "data_sha256": result["data_sha256"],
        "config": result["config"],
        "result": result["metrics"],
    }


def run_suite(
    dirs: Iterable[Path] = (),
    out: Path = DEFAULT_OUT,
    *,
    shared: Path | None = SHARED_DATA,
    committed: Path | None = COMMITTED,
    seed: int = SEED,
    loader: Callable[[str], Task] = load_task,
    progress: Callable[[Case], None] | None = None,
) -> list[dict[str, Any]]:
    """Run every task on every labelled set and write `out` (Markdown) and its `.json` twin atomically.

    Args:
        dirs: extra folders of `<task>*.csv` files.
        out: the Markdown summary; the JSON (every metric, hashes, config) goes beside it.
        shared: root of the shared real data (None: skip it).
        committed: the repository's labelled files (None: skip them).
        seed: sampling seed for the large shared sets.
        loader: task name -> task module (tests inject stand-ins).
        progress: called before each case.

    Returns:
        The summary rows (see `analyze.evaluation.summary`), one per case, plus one per task with no data.

    Raises:
        EvalError: a given folder or file cannot be read.
    """
    folders = [*([committed] if committed is not None and committed.is_dir() else []), *dirs]
    with tempfile.TemporaryDirectory(prefix="consult-eval-") as tmp:
        cases = file_cases(folders)
        if shared is not None and shared.is_dir():
            cases = shared_cases(shared, Path(tmp), seed) + cases
        else:
            log.warning("shared labelled data not found (%s): only labelled files are scored", shared)
        cases.sort(key=lambda c: TASKS.index(c.task))
        rows = []
        for case in cases:
            if progress is not None:
                progress(case)
            rows.append(score_case(case, loader))
    covered = {c.task for c in cases}
    rows += [_row(t, "no labelled data") for t in TASKS if t not in covered]
    found = shared is not None and shared.is_dir()
    meta = {"version": __version__, "seed": seed, "shared_data": "found" if found else "not found"}
    write_summary(rows, meta, out)
    return rows


def _row(task: str, status: str, **fields: str) -> dict[str, Any]:
    """A summary row with no figures yet: the keys every row has (see analyze.evaluation.summary)."""
    base = dict.fromkeys(("dataset", "language", "sample", "target", "source"), "")
    return base | fields | {"task": task, "n": None, "metrics": {}, "met": None, "status": status}
