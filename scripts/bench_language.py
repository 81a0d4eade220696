"""Throughput of the language and PII stages on real text (responses per second, models warm).

Input: data/eval/language_holdout.csv (built by scripts/make_eval_sets.py from shippable real text), sampled to
equal thirds of English, written Chinese and Cantonese and repeated to N rows, so the mix is not dominated by the
cheapest language. Models (lingua, langdetect, OpenCC, the regexes) are warmed on 200 rows first: a stage run pays
that once (a few seconds), not per response.
Wall-clock figures depend on what else runs on the machine (the load average is printed); CPU-second figures less.
Run: python scripts/bench_language.py [N]   (default 20,000)
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

from analyze.language import detect_language
from analyze.pii import find_pii_spans, redact_pii

REPO = Path(__file__).resolve().parents[1]


def sample(n: int) -> pd.DataFrame:
    """N responses, a third each of en, zh and yue texts, in a fixed order."""
    data = pd.read_csv(REPO / "data/eval/language_holdout.csv", dtype=str, keep_default_na=False)
    thirds = [g.sample(n // 3, replace=len(g) < n // 3, random_state=0) for _, g in data.groupby("label") if _ != ""]
    texts = pd.concat(thirds)["text"].to_numpy()
    return pd.DataFrame({"response_id": [f"r{i}" for i in range(len(texts))], "text": texts})


def main(n: int) -> None:
    """Print responses per second for language detection and for PII redaction."""
    responses = sample(n)
    redact_pii(detect_language(responses.head(200)))  # warm-up: load models and compile patterns
    language, lang_wall, lang_cpu = _timed(lambda: detect_language(responses))
    _, pii_wall, pii_cpu = _timed(lambda: redact_pii(language, find_pii_spans(language)))
    n, chars = len(responses), int(responses["text"].str.len().sum())
    print(f"{n} responses, {chars} characters, mix {language['lang'].value_counts().to_dict()}")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for stage, wall, cpu in (("language", lang_wall, lang_cpu), ("pii", pii_wall, pii_cpu)):
        print(f"{stage:9} {n / wall:7,.0f} responses/s wall ({wall:.2f} s), {n / cpu:7,.0f} per CPU-second")


def _timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    out = work()
    return out, time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
