"""Throughput of the sentiment, stance and concerns stages on real text (target: >= 500 responses/s together).

    .venv/bin/python scripts/bench_sentiment.py --rows 5000

The round is built by cycling real submissions from ../shared/data in equal parts: English letters
(regsgov-cms-2022-0163-en) and short comments (polis-bowling-green), Traditional Chinese comments
(polis-vtaiwan-uberx) and Cantonese reviews (openrice-senti-yue). Each copy gets its own response id and a
respondent type, so clustering and breakdowns see realistic sizes. Language detection is run first and not timed
(it is its own stage); topics are a stand-in (the text's source), since topic fitting is timed by its own benchmark.
Models and libraries are loaded before timing. Wall and CPU seconds are both printed: on a shared machine the wall
time depends on the other processes (the load average is printed), the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyze.breakdowns import break_down  # noqa: E402
from analyze.concerns import find_concerns, quote_texts  # noqa: E402
from analyze.language import detect_language  # noqa: E402
from analyze.sentiment import score_sentiment  # noqa: E402
from analyze.stance import find_stance  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def real_texts() -> dict[str, list[str]]:
    """Non-empty texts from four shared sets, by source name."""
    letters = pd.read_csv(SHARED / "regsgov-cms-2022-0163-en" / "comments.csv", dtype=str)["comment_text"]
    bowling = pd.read_csv(SHARED / "polis-bowling-green" / "comments.csv", dtype=str)["comment-body"]
    uberx = pd.read_csv(SHARED / "polis-vtaiwan-uberx" / "comments.csv", dtype=str)["comment-body"]
    openrice = pd.read_csv(SHARED / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3, dtype=str)["text_a"]
    sets = {"regsgov": letters, "bowling": bowling, "uberx": uberx, "openrice": openrice}
    return {name: [t for t in s.dropna() if t.strip()] for name, s in sets.items()}


def build_round(rows: int) -> pd.DataFrame:
    """`rows` responses cycling through the four sources in turn."""
    texts = real_texts()
    names = sorted(texts)
    records = []
    for i in range(rows):
        name = names[i % len(names)]
        pool = texts[name]
        records.append(
            {
                "response_id": f"b{i:07d}",
                "question_id": "general",
                "text": pool[(i // len(names)) % len(pool)],
                "respondent_type": ("individual", "organisation", "anonymous")[i % 3],
                "channel": "form",
                "meta": json.dumps({"source_set": name}),
                "topic_id": names.index(name),
            }
        )
    return pd.DataFrame(records)


def main() -> None:
    """Time each stage and print a Markdown table row set plus a JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    responses = build_round(args.rows)
    language = detect_language(responses)
    mean_chars = language["text_norm"].str.len().mean()
    score_sentiment(language.head(4))  # load VADER and the n-gram models before timing
    import scipy.stats  # noqa: F401  imported once per process by any stage that uses them: not timed
    import sklearn.cluster  # noqa: F401

    timings: dict[str, tuple[float, float]] = {}

    def timed(name, work):
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        timings[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return out

    sentiment = timed("sentiment", lambda: score_sentiment(language))
    stance = timed("stance", lambda: find_stance(responses, language, sentiment))
    timed(
        "concerns + breakdowns",
        lambda: (
            find_concerns(responses[["response_id", "topic_id"]], sentiment, stance, quote_texts(language)),
            break_down(responses, sentiment, stance),
        ),
    )
    total = (sum(w for w, _ in timings.values()), sum(c for _, c in timings.values()))
    print(
        f"{args.rows} responses ({language['text_norm'].nunique()} distinct texts), mean {mean_chars:.0f} characters, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"languages: {language['lang'].value_counts().to_dict()}")
    print("| stage | wall s | responses/s (wall) | CPU s | responses/s (CPU) |\n|---|---|---|---|---|")
    for stage, (wall, cpu) in [*timings.items(), ("all three", total)]:
        print(f"| {stage} | {wall:.2f} | {args.rows / wall:,.0f} | {cpu:.2f} | {args.rows / cpu:,.0f} |")
    print(json.dumps({"rows": args.rows, "seconds": {k: [round(w, 3), round(c, 3)] for k, (w, c) in timings.items()}}))


if __name__ == "__main__":
    main()
