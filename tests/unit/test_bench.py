"""The crawl rows and ratio line of `consult bench` without crawling (no network; stages are stand-ins)."""

import os
from pathlib import Path

import pandas as pd

import analyze.bench as bench
from analyze.bench import BENCH_COLUMNS, CRAWL, TOTAL, ratios
from analyze.pipeline import StageResult


def bench_table(*rows) -> pd.DataFrame:
    return pd.DataFrame([(TOTAL, 10, 1.0, 10.0, 1.0), *rows], columns=BENCH_COLUMNS)


def test_ratios_states_both_crawl_rates_and_their_ratio():
    crawls = bench_table((CRAWL["consultkit"], 525, 5.0, 105.0, 170.0), (CRAWL["bare"], 525, 3.5, 150.0, 170.0))
    assert "Crawl: consultkit 105.0 pages/s vs bare Scrapy 150.0 pages/s = 0.70 x." in ratios(crawls)


def test_ratios_leaves_the_crawl_out_when_one_spider_is_missing():
    assert not any(
        line.startswith("Crawl:") for line in ratios(bench_table((CRAWL["consultkit"], 525, 5.0, 105.0, 170.0)))
    )


def first_run(stages=("topics",)) -> list[tuple[dict, float]]:
    """A stand-in for the first run's child: a row per stage and the total."""
    return [({"stage": stage, "rows_in": 10, "seconds": 1.0}, 1.0) for stage in (*stages, TOTAL)]


def test_run_bench_without_crawl_has_no_crawl_rows(tmp_path, monkeypatch):
    def child(fn, *args):
        return first_run() if fn is bench._first_run_child else ({"stage": args[-1], "rows_in": 1, "seconds": 1.0}, 1.0)

    monkeypatch.setattr(bench, "_in_fresh_process", child)
    table = bench.run_bench(tmp_path, baseline=False)
    assert list(table["stage"]) == ["topics", bench.TOTAL, bench.RERUN_UNCHANGED]
    assert not [line for line in bench.ratios(table) if line.startswith("Crawl:")]


def test_run_bench_re_runs_twice_with_new_submissions_and_says_what_was_embedded(tmp_path, monkeypatch):
    embedded = {bench.RERUN_ADDED: 591, bench.RERUN_AGAIN: 0}

    def child(fn, *args):
        if fn is bench._first_run_child:
            return first_run()
        seconds = 8.0 if fn is bench._full_run_child else 1.0
        result = {"stage": args[-1], "rows_in": 10, "seconds": seconds}
        return (result | {"embedded": embedded[args[-1]]} if args[-1] in embedded else result), 1.0

    monkeypatch.setattr(bench, "_in_fresh_process", child)
    seeds = []
    table = bench.run_bench(tmp_path, baseline=False, add_new=seeds.append)
    assert seeds == [1, 2]  # each addition drawn with its own seed, so the second adds other texts
    added, again = bench.RERUN_ADDED, bench.RERUN_AGAIN
    assert list(table["stage"])[-4:] == [added, bench.FULL_RUN[added], again, bench.FULL_RUN[again]]
    lines = bench.ratios(table)
    assert any(
        line.startswith("Re-run, 10% new submissions: 12% of a full run of the same 10 responses (target <= 15%), 100%")
        and "591 texts embedded" in line
        for line in lines
    )
    assert any(
        line.startswith("Re-run, 10% more again: 12% of a full") and "no text embedded" in line for line in lines
    )


def test_a_full_run_starts_from_a_copy_without_tables_or_caches_and_leaves_the_round_alone(tmp_path, monkeypatch):
    round_dir = tmp_path / "data" / "r1"
    for path in ("round.yaml", "raw/export.csv", "interim/cache/embeddings.parquet", "processed/topics.parquet"):
        (round_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (round_dir / path).write_text(path)
    seen = []

    def run_copy(copy):
        seen.extend([sorted(str(p.relative_to(copy)) for p in Path(copy).rglob("*")), Path(copy)])
        return first_run()

    monkeypatch.setattr(bench, "_first_run_child", run_copy)
    result, peak = bench._full_run_child(str(round_dir), bench.FULL_RUN[bench.RERUN_ADDED])
    assert result == {"stage": bench.FULL_RUN[bench.RERUN_ADDED], "rows_in": 10, "seconds": 1.0} and peak == 1.0
    assert seen[0] == ["raw", "raw/export.csv", "round.yaml"]
    assert seen[1].name == "r1" and seen[1].parent.name == "data" and seen[1] != round_dir
    assert not seen[1].exists()  # the copy, in a data/ folder of its own (its reports land there), is removed
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["r1"]
    assert (round_dir / "processed" / "topics.parquet").read_text() == "processed/topics.parquet"


def test_a_runs_peak_adds_the_largest_peak_of_each_process_that_ran_stages(monkeypatch):
    monkeypatch.setattr(bench, "_self_peak_mib", lambda: 500.0)  # this process, imports and all
    here, side = os.getpid(), os.getpid() + 1
    results = [
        StageResult("language", 1, 1, 1.0, (), False, 300.0, here),
        StageResult("sentiment", 1, 1, 1.0, (), False, 250.0, side),
        StageResult("stance", 1, 1, 1.0, (), False, 200.0, side),
        StageResult("topics", 0, 0, 0.0, (), True),  # kept: ran nowhere
    ]
    assert bench._run_peak_mib(results) == 500.0 + 250.0
