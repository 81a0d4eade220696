"""Crawl benchmark: pages per second of consultkit's spider against a bare Scrapy spider, same site, same run.

The site, the two spiders and the alternating runs are in analyze/bench_crawl.py (which `consult bench` uses too):
a local site on 127.0.0.1 of N detail pages with real submission texts, crawled alternately (ABBA) by `crawl_round`
and by a bare Scrapy spider with the same politeness settings, each in a fresh subprocess timed from launch to exit
(wall seconds, and the subprocess's CPU seconds, which a busy shared machine disturbs less). The ratios are
consultkit / bare, of medians over the repeats.

Usage: .venv/bin/python scripts/bench_crawl.py [--details 2000] [--repeat 2] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics

from analyze.bench_crawl import crawl_alternately, site_pages


def _summary(run: dict) -> dict:
    """The figures printed for one crawl."""
    return {
        "spider": run["spider"],
        "pages": run["pages"],
        "seconds": round(run["seconds"], 2),
        "cpu_seconds": round(run["cpu_seconds"], 2),
        "pages_per_s": round(run["pages"] / run["seconds"], 1),
        "pages_per_cpu_s": round(run["pages"] / run["cpu_seconds"], 1),
    }


def main() -> None:
    """Run both spiders alternately and print one JSON line per run, then the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="per-domain concurrency for both spiders")
    args = parser.parse_args()
    runs = []

    def record(run: dict) -> None:
        runs.append(_summary(run))
        print(json.dumps(runs[-1]), flush=True)

    crawl_alternately(args.details, args.repeat, args.concurrency, on_run=record)

    def median(spider: str, key: str) -> float:
        return statistics.median(r[key] for r in runs if r["spider"] == spider)

    wall = {s: median(s, "pages_per_s") for s in ("consultkit", "bare")}
    cpu = {s: median(s, "pages_per_cpu_s") for s in ("consultkit", "bare")}
    result = {
        "site_pages": site_pages(args.details),
        "concurrency_per_domain": args.concurrency,
        "median_pages_per_s": wall,
        "ratio": round(wall["consultkit"] / wall["bare"], 3),
        "median_pages_per_cpu_s": cpu,
        "cpu_ratio": round(cpu["consultkit"] / cpu["bare"], 3),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
