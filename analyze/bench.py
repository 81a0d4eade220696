"""`consult bench`: time and peak memory of every stage on a generated round, with the baselines the issues name.

The first run is one `run_round` in a fresh process, as `consult run` runs a round (some stages run in a second
process beside the others): each stage's row gives its own seconds and the peak RSS of the process
that ran it, up to the stage's end; the total row gives the wall clock, import to brief, and the sum of the two
processes' peaks (an upper bound on the memory the run took).
The topic baseline is a plain `BERTopic()` with its default sub-models, given the packaged all-MiniLM-L6-v2 (the
hub default cannot be downloaded here), fitted on the same texts in the same invocation; the crawl baseline is a
bare Scrapy spider crawling the same local site as consultkit's `crawl_round` (analyze/bench_crawl.py). The result
table states each pair and their ratio.
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from analyze.bench_crawl import crawl_alternately, measure_crawl
from analyze.cachestore import store_rows

SIZES = {"1k": 1_000, "10k": 10_000, "130k": 130_000, "1m": 1_000_000}
BENCH_COLUMNS = ["stage", "rows", "seconds", "rows_per_s", "peak_rss_mib"]
TOTAL = "total (import → brief)"
RERUN_UNCHANGED = "re-run, nothing changed"
RERUN_ADDED = "re-run, 10% new submissions"
RERUN_AGAIN = "re-run, 10% more again"
FULL_RUN = {RERUN_ADDED: "full run, 10% new submissions", RERUN_AGAIN: "full run, 10% more again"}
CRAWL = {"consultkit": "crawl (consultkit)", "bare": "baseline: bare Scrapy crawl"}
CRAWL_DETAILS = {"1k": 500, "10k": 500, "130k": 2000, "1m": 2000}  # detail pages of the local site, per bench size
CRAWL_REPEAT = 2  # crawls per spider, in ABBA order: a drifting machine load weighs on both alike


def _self_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _run_peak_mib(results: list) -> float:
    """The peaks of this process and of the side process that ran stages, added: an upper bound on the run's memory.

    Each process's peak is the largest a stage it ran reported (`StageResult.pid`, `peak_rss_mib`); this one's is its
    whole peak. RUSAGE_CHILDREN would not do: a child forked by a late stage counts this process's pages as its own.
    """
    peaks: dict[int, float] = {}
    for r in results:
        if not r.skipped:
            peaks[r.pid] = max(peaks.get(r.pid, 0.0), r.peak_rss_mib)
    peaks[os.getpid()] = _self_peak_mib()
    return sum(peaks.values())


def _first_run_child(round_dir: str) -> list[tuple[dict, float]]:
    """The round's first run as `consult run` runs it: a row per stage, then the total (wall clock, summed peaks)."""
    from analyze.pipeline import run_round

    start = time.perf_counter()
    results = run_round(round_dir)
    total = {"stage": TOTAL, "rows_in": results[0].rows_in, "seconds": round(time.perf_counter() - start, 3)}
    return [(asdict(r), r.peak_rss_mib) for r in results] + [(total, _run_peak_mib(results))]


def _baseline_child(round_dir: str) -> tuple[dict, float]:
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from analyze.embeddings import packaged_minilm_path
    from collect.storage import read_table

    texts = read_table(Path(round_dir) / "processed" / "language.parquet")["text_norm"]
    texts = [t for t in texts if t.strip()]
    start = time.perf_counter()
    model = BERTopic(embedding_model=SentenceTransformer(str(packaged_minilm_path()), device="cpu"))
    topics, _ = model.fit_transform(texts)
    seconds = time.perf_counter() - start
    result = {
        "stage": "baseline: plain BERTopic()",
        "rows_in": len(texts),
        "rows_out": len(set(topics)) - 1,
        "seconds": round(seconds, 3),
    }
    return result, _self_peak_mib()


def _rerun_child(round_dir: str, label: str) -> tuple[dict, float]:
    from analyze.pipeline import run_round
    from collect.roundfile import RoundPaths, load_round

    cfg, root = load_round(round_dir)
    vectors = RoundPaths(root, cfg.round).cache / "embeddings.parquet"
    before = store_rows(vectors)
    start = time.perf_counter()
    results = run_round(round_dir)
    seconds = time.perf_counter() - start
    result = {
        "stage": label,
        "rows_in": round_rows(Path(round_dir)),
        "rows_out": sum(not r.skipped for r in results),
        "seconds": round(seconds, 3),
        "embedded": store_rows(vectors) - before,
    }
    return result, _run_peak_mib(results)


def _full_run_child(round_dir: str, label: str) -> tuple[dict, float]:
    """The round as it now stands, run from nothing as a first run (a copy without its tables and caches).

    What a re-run after an addition is set against: the work the caches spared.
    """
    source = Path(round_dir)
    with tempfile.TemporaryDirectory(prefix="full-run-", dir=source.parent) as work:
        copy = Path(work) / "data" / source.name  # its reports go to `work`/reports, not over the round's own
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("interim", "processed"))
        *_, (total, peak) = _first_run_child(str(copy))
    return total | {"stage": label}, peak


def _rows_in(table: Path) -> int:
    import pyarrow.parquet as pq

    return pq.ParquetFile(table).metadata.num_rows if table.is_file() else 0


def round_rows(round_dir: Path) -> int:
    """Responses the round's last import kept."""
    return _rows_in(Path(round_dir) / "interim" / "responses.parquet")


def _in_fresh_process(fn, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def crawl_results(n_details: int) -> list[tuple[dict, float]]:
    """Both spiders on a local site of `n_details` detail pages, ABBA: (result, peak RSS MiB) per spider.

    Each crawl runs from a fresh process so that its peak RSS is the crawl subprocess's own; a spider's seconds are
    the median of its CRAWL_REPEAT crawls, its peak RSS the largest.
    """
    runs = crawl_alternately(n_details, CRAWL_REPEAT, run=partial(_in_fresh_process, measure_crawl))
    results = []
    for spider in ("consultkit", "bare"):
        mine = [r for r in runs if r["spider"] == spider]
        result = {
            "stage": CRAWL[spider],
            "rows_in": statistics.median_low(r["pages"] for r in mine),
            "seconds": statistics.median(r["seconds"] for r in mine),
        }
        results.append((result, max(r["peak_rss_mib"] for r in mine)))
    return results


def _row(result: dict, rss_mib: float) -> dict:
    seconds = float(result["seconds"])
    return {
        "stage": result["stage"],
        "rows": int(result["rows_in"]),
        "seconds": round(seconds, 2),
        "rows_per_s": round(result["rows_in"] / seconds, 1) if seconds else float("inf"),
        "peak_rss_mib": round(rss_mib, 1),
    }


def run_bench(
    round_dir: Path, baseline: bool = True, on_row=None, add_new=None, crawl_details: int | None = None
) -> pd.DataFrame:
    """Run every stage (and the topic baseline) on a round; one row per stage plus a total.

    With `crawl_details`, also crawls a local site of that many detail pages with consultkit and with a bare Scrapy
    spider (rows = pages). Then re-runs the unchanged round, and, when `add_new` is given (called with 1, then 2:
    appends 10% new submissions, drawn with that seed, to the round's export), the round with those added and then
    with 10% more again, each followed by a full run of the round as it then stands (a copy, from nothing): the rows
    say what re-runs cost against a full run of the same round and against the first run. The table's
    attrs["embedded"] says how many texts each added re-run embedded (none unless the round grew past a step of the
    topic sample's ladder).
    """
    rows = [_row(*result) for result in _in_fresh_process(_first_run_child, str(round_dir))]
    if on_row:
        for row in rows:
            on_row(row)
    later = []
    if baseline:  # first: on exactly the texts the topic stage had
        later.append(lambda: [_in_fresh_process(_baseline_child, str(round_dir))])
    if crawl_details:
        later.append(lambda: crawl_results(crawl_details))
    later.append(lambda: [_in_fresh_process(_rerun_child, str(round_dir), RERUN_UNCHANGED)])
    if add_new is not None:
        for seed, label in enumerate((RERUN_ADDED, RERUN_AGAIN), start=1):
            later.append(partial(_added_rerun, add_new, seed, round_dir, label))
    embedded = {}
    for measure in later:
        for result in measure():
            rows.append(_row(*result))
            if "embedded" in result[0]:
                embedded[result[0]["stage"]] = result[0]["embedded"]
            if on_row:
                on_row(rows[-1])
    table = pd.DataFrame(rows, columns=BENCH_COLUMNS)
    table.attrs["embedded"] = embedded
    return table


def _added_rerun(add_new, seed: int, round_dir: Path, label: str) -> list[tuple[dict, float]]:
    add_new(seed)
    rerun = _in_fresh_process(_rerun_child, str(round_dir), label)
    return [rerun, _in_fresh_process(_full_run_child, str(round_dir), FULL_RUN[label])]


def ratios(table: pd.DataFrame) -> list[str]:
    """The ratios the issues set targets for, from one bench table."""
    indexed = table.set_index("stage")
    by_stage = indexed["seconds"]
    total = float(by_stage[TOTAL])
    lines = []
    if (speedup := topic_speedup(table)) is not None:
        lines.append(f"Topic stage vs plain BERTopic() on the same texts: {speedup}x faster (target >= 3x).")
    if (crawl := crawl_ratio(table)) is not None:
        ours, bare, ratio = crawl
        lines.append(f"Crawl: consultkit {ours} pages/s vs bare Scrapy {bare} pages/s = {ratio:.2f} x.")
    if RERUN_UNCHANGED in by_stage and by_stage[RERUN_UNCHANGED]:
        lines.append(
            f"Re-running the unchanged round: {total / by_stage[RERUN_UNCHANGED]:.1f}x faster than the "
            "first run (target >= 20x)."
        )
    embedded = table.attrs.get("embedded", {})
    for label in (RERUN_ADDED, RERUN_AGAIN):
        if label in by_stage:
            first = f"{by_stage[label] / total:.0%} of the first run"
            if (full := by_stage.get(FULL_RUN[label])) is not None:
                rows = int(indexed.at[FULL_RUN[label], "rows"])
                share = f"{by_stage[label] / full:.0%} of a full run of the same {rows:,} responses (target <= 15%)"
                share += f", {first}"
            else:
                share = f"{first} (target <= 15%)"
            lines.append(f"{label.capitalize()}: {share}{_sample_note(embedded.get(label))}.")
    return lines


def _sample_note(embedded: int | None) -> str:
    if embedded is None:
        return ""
    if embedded:
        return f"; {embedded} texts embedded (the round grew past a step of the topic sample's ladder: sample redrawn)"
    return "; no text embedded (within a step of the topic sample's ladder: sample kept)"


def topic_speedup(table: pd.DataFrame) -> float | None:
    """Baseline seconds / topic stage seconds, when both were measured."""
    by_stage = table.set_index("stage")["seconds"]
    base = by_stage.get("baseline: plain BERTopic()")
    return round(float(base) / float(by_stage["topics"]), 2) if base is not None and by_stage["topics"] else None


def crawl_ratio(table: pd.DataFrame) -> tuple[float, float, float] | None:
    """Pages/s of consultkit's crawl, of the bare Scrapy crawl, and their ratio, when both were measured."""
    rate = table.set_index("stage")["rows_per_s"]
    if CRAWL["consultkit"] not in rate or CRAWL["bare"] not in rate or not rate[CRAWL["bare"]]:
        return None
    ours, bare = float(rate[CRAWL["consultkit"]]), float(rate[CRAWL["bare"]])
    return ours, bare, round(ours / bare, 2)


def machine() -> str:
    """A one-line description of the machine the figures come from."""
    import os

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def markdown_section(size: str, table: pd.DataFrame, seconds_generating: float) -> str:
    """The BENCHMARKS.md section for one size: machine, date, table and ratios."""
    lines = [
        f"<!-- bench:{size} -->",
        f"### End to end, {size} responses",
        "",
        f"Measured by `consult bench --size {size}` on {time.strftime('%Y-%m-%d', time.gmtime())}, {machine()}; "
        f"round generated in {seconds_generating:.1f}s from real sentences (analyze/synthetic.py).",
        "",
        "| " + " | ".join(BENCH_COLUMNS) + " |",
        "|" + "---|" * len(BENCH_COLUMNS),
    ]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    if crawl_ratio(table) is not None:
        lines += [
            "",
            "Crawl rows: rows = pages fetched from a local site on 127.0.0.1 (listing and detail pages with real "
            f"submission texts), crawled by each spider {CRAWL_REPEAT} times in alternating order, each crawl in a "
            "fresh subprocess; seconds = median, launch to exit; peak_rss_mib = the crawl subprocess's peak.",
        ]
    lines += [""] + ratios(table)
    lines.append(f"<!-- /bench:{size} -->")
    return "\n".join(lines) + "\n"


def update_markdown(path: Path, size: str, section: str) -> None:
    """Replace this size's section in the file (or append it), keeping every other section."""
    from collect.storage import write_text

    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start, end = f"<!-- bench:{size} -->", f"<!-- /bench:{size} -->"
    if start in text and end in text:
        text = text[: text.index(start)] + section.rstrip("\n") + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    write_text(text, path)
