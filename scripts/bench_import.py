"""Benchmark `consult import`: CSV rows/s and peak memory for a large export, and an XLSX figure.

Usage: .venv/bin/python scripts/bench_import.py [--csv-rows 1000000] [--xlsx-rows 100000] [--out /tmp/bench-import]

Each measurement runs in a fresh subprocess, so its peak RSS (ru_maxrss) is the import's own, not the generator's.
Rows carry real comments from the shipped demo round (data/demo/raw/submissions.csv, CC BY 4.0), cycled.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["submission_no", "submitted_at", "district", "views"]
DISTRICTS = ["Central and Western", "Wan Chai", "Sham Shui Po", "Sha Tin", "Yuen Long"]


def _texts() -> list[str]:
    with open(ROOT / "data" / "demo" / "raw" / "submissions.csv", encoding="utf-8") as f:
        return [r["views"] for r in csv.DictReader(f)]


def _rows(n: int):
    texts = _texts()
    for i in range(n):
        yield [f"S{i:07d}", f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", DISTRICTS[i % 5], texts[i % len(texts)]]


def make_csv(path: Path, n: int) -> None:
    """A generic export of n rows, written as it is generated (bounded memory)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(_rows(n))


def make_xlsx(path: Path, n: int) -> None:
    """The same export as XLSX, written as Excel and the form vendors write it: with the sheet's <dimension>.

    (openpyxl's write-only mode leaves <dimension> out, and a reader then parses the whole sheet once just to size it.)
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in _rows(n):
        ws.append(row)
    wb.save(path)


def child(path: Path, round_dir: Path) -> None:
    """Import one file and print rows, seconds and peak RSS as JSON (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from collect.importer import import_paths

    start, cpu = time.perf_counter(), time.process_time()
    report = import_paths([path], round_dir, round_id="bench")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_rss_mib": round(peak_mib)}
    print(json.dumps({**report.totals(), **figures}))


def measure(path: Path, out: Path) -> dict:
    """Run `child` in a fresh interpreter and return its figures, plus rows/s."""
    round_dir = out / f"round-{path.suffix[1:]}"
    shutil.rmtree(round_dir, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", str(path), str(round_dir)]
    got = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
    got["rows_per_s"] = round(got["read"] / got["seconds"])
    got["rows_per_cpu_s"] = round(got["read"] / got["cpu_seconds"])  # what the import costs, whatever else runs
    got["load_average_1m"] = round(os.getloadavg()[0], 1)
    return got


def main() -> None:
    """Generate the exports, measure each import, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-import"))
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results = {}
    for kind, n, make in (("csv", args.csv_rows, make_csv), ("xlsx", args.xlsx_rows, make_xlsx)):
        path = args.out / f"export.{kind}"
        make(path, n)
        results[kind] = {"rows": n, "file_mib": round(path.stat().st_size / 2**20, 1), **measure(path, args.out)}
        print(kind, json.dumps(results[kind]), flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
