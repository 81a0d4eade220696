"""`consult bench`'s crawl pair on a tiny local site (127.0.0.1): consultkit's `crawl_round` and the bare Scrapy
spider (`python -m analyze.bench_crawl --bare-child`) both crawl it, and their rows sit between the baselines and the
re-runs, with the ratio printed."""

import re

import pytest

import analyze.bench as bench
from analyze.bench_crawl import measure_crawl

pytestmark = pytest.mark.slow


def test_run_bench_crawls_the_site_with_both_spiders(tmp_path, monkeypatch):
    def in_process(fn, *args):
        """Crawls run for real (here, not in a fresh process); stages, baseline and re-runs are stand-ins."""
        if fn is measure_crawl:
            return fn(*args)
        if fn is bench._first_run_child:
            return [({"stage": s, "rows_in": 10, "seconds": 1.0}, 100.0) for s in ("collect", "topics", bench.TOTAL)]
        label = args[-1] if len(args) > 1 else "baseline: plain BERTopic()"
        return {"stage": label, "rows_in": 10, "seconds": 1.0}, 100.0

    monkeypatch.setattr(bench, "_in_fresh_process", in_process)
    monkeypatch.setattr(bench, "CRAWL_REPEAT", 1)
    table = bench.run_bench(tmp_path, add_new=lambda seed: None, crawl_details=20)

    assert list(table["stage"]) == [
        "collect",
        "topics",
        bench.TOTAL,
        "baseline: plain BERTopic()",
        "crawl (consultkit)",
        "baseline: bare Scrapy crawl",
        bench.RERUN_UNCHANGED,
        bench.RERUN_ADDED,
        bench.FULL_RUN[bench.RERUN_ADDED],
        bench.RERUN_AGAIN,
        bench.FULL_RUN[bench.RERUN_AGAIN],
    ]
    crawls = table.set_index("stage").loc[["crawl (consultkit)", "baseline: bare Scrapy crawl"]]
    assert list(crawls["rows"]) == [21, 21]  # 20 detail pages and their listing page, robots.txt not counted
    assert (crawls["seconds"] > 0).all() and (crawls["peak_rss_mib"] > 0).all()
    (line,) = [line for line in bench.ratios(table) if line.startswith("Crawl:")]
    ours, bare, ratio = map(
        float, re.fullmatch(r"Crawl: consultkit (\S+) pages/s vs bare Scrapy (\S+) pages/s = (\S+) x\.", line).groups()
    )
    assert ratio == pytest.approx(ours / bare, abs=0.01)
    section = bench.markdown_section("1k", table, 1.0)
    assert "| crawl (consultkit) | 21 |" in section and line in section and "Crawl rows:" in section
