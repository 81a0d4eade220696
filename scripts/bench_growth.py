"""Cost growth of the per-response stages: seconds, CPU seconds and peak memory at 10k, 100k and 1M responses.

Rounds are drawn like `analyze.synthetic.generate_submissions` (real sentences from ../shared/data recombined,
~30% campaign copies, a Hong Kong language mix; seeded; see `generate_texts`), held as a plain responses table in
the work folder (no import stage: it has its own benchmark). Each stage function runs alone in a fresh child
process, on the table the stage before it wrote, so its peak RSS is its own; model loading is part of each stage's
time, as in a real run.

Stages timed: language (`detect_language`: normalising, language, script), pii (`find_pii_spans` + `redact_pii`),
signatures (duplicate keys + MinHash signatures of the distinct keys), sentiment (`score_sentiment`), embeddings
(the default embedder on the distinct texts; only up to `--max-embed` rows: on the shared two-core machine the
glossed MiniLM embedded 16 to 20 texts per CPU second in a trial, so 1M responses would take days).

The growth exponent is the least-squares slope of log(time) over log(responses) across the sizes measured: 1.0 is
linear; below 1 means fixed start-up costs (model loading) still weigh at the small size.

Run: nice -n 10 python scripts/bench_growth.py [--workdir DIR] [--max-embed N] [N ...]   (default 10000 100000
1000000). Prints one JSON line per stage and size, then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def generate_texts(n: int, pools, seed: int = 0) -> list[str]:
    """Draw n submission texts with analyze.synthetic's mix, composed from index arrays drawn at once.

    `generate_submissions` draws row by row (it copied a whole pool per draw until its pools became object arrays:
    about an hour at 1M then); this draws index arrays at once, the same kinds of text (1 to 3 real sentences of one
    language, Cantonese + English for mixed; CAMPAIGN_SHARE copies of 5 templates, half with a personal sentence
    added, a fifth with a greeting).
    """
    from analyze.synthetic import CAMPAIGN_SHARE, LANG_MIX, _compose

    rng = np.random.default_rng(seed)
    templates = [_compose(rng, pools, lang) + _compose(rng, pools, lang) for lang in ("en", "en", "zh", "zh", "yue")]
    langs = rng.choice(list(LANG_MIX), size=n, p=list(LANG_MIX.values()))
    picks = {lang: rng.integers(0, len(getattr(pools, lang)), size=(n, 3)) for lang in ("en", "zh", "yue")}
    sizes, edits = rng.integers(1, 4, size=n), rng.random(n)
    is_copy, template_of = rng.random(n) < CAMPAIGN_SHARE, rng.integers(0, len(templates), size=n)

    def own(i: int) -> str:
        lang = str(langs[i])
        if lang == "mixed":
            return f"{pools.yue[picks['yue'][i, 0]]} {pools.en[picks['en'][i, 0]]}"
        pool = getattr(pools, lang)
        return (" " if lang == "en" else "").join(pool[j] for j in picks[lang][i, : sizes[i]])

    texts = []
    for i in range(n):
        if not is_copy[i]:
            texts.append(own(i))
            continue
        text = templates[template_of[i]]
        texts.append(f"{text} {own(i)}" if edits[i] < 0.5 else f"Dear Sir/Madam, {text}" if edits[i] < 0.7 else text)
    return texts


def _prepare(n: int, folder: Path) -> None:
    """Write responses.parquet (response_id, text) with n generated submissions."""
    from analyze.synthetic import load_pools

    texts = generate_texts(n, load_pools(SHARED))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"response_id": [f"b{i:07d}" for i in range(n)], "text": texts}).to_parquet(
        folder / "responses.parquet", index=False
    )


def _language(responses: pd.DataFrame) -> pd.DataFrame:
    from analyze.language import detect_language

    return detect_language(responses)


def _pii(docs: pd.DataFrame) -> None:
    from analyze.pii import find_pii_spans, redact_pii

    redact_pii(docs, find_pii_spans(docs))


def _signatures(docs: pd.DataFrame) -> None:
    from analyze.duplicates import duplicate_key
    from analyze.duplicates.signature import signatures

    signatures([k for k in (duplicate_key(t) for t in docs["text_norm"].unique()) if k])


def _sentiment(docs: pd.DataFrame) -> None:
    from analyze.sentiment import score_sentiment

    score_sentiment(docs)


def _embeddings(docs: pd.DataFrame) -> None:
    from analyze.embeddings import default_embedder

    default_embedder().encode(list(docs["text_norm"].unique()))


STAGE_FUNCTIONS = {
    "language": _language,
    "pii": _pii,
    "signatures": _signatures,
    "sentiment": _sentiment,
    "embeddings": _embeddings,
}


def measure(stage: str, folder: Path) -> dict:
    """Time one stage on the tables in `folder` (called in a fresh process); language also writes its output."""
    docs = pd.read_parquet(folder / ("responses.parquet" if stage == "language" else "language.parquet"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    out = STAGE_FUNCTIONS[stage](docs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if out is not None:  # what the later stages read; the write is not the stage's cost
        out.to_parquet(folder / "language.parquet", index=False)
    texts = docs["text" if out is not None else "text_norm"]
    return {
        "stage": stage,
        "rows": len(docs),
        "distinct_texts": int(texts.nunique()),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(len(docs) / seconds, 1),
        "peak_rss_mib": round(peak / 1024),
        "rss_before_mib": round(before / 1024),
    }


def _child(*args: str) -> str:
    cmd = [sys.executable, __file__, *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]


def slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) over log(x); None with fewer than two points."""
    if len(xs) < 2:
        return None
    return round(float(np.polyfit(np.log(xs), np.log(ys), 1)[0]), 3)


def markdown(results: list[dict]) -> str:
    """One row per stage and size, and the growth exponents per stage."""
    lines = [
        "| stage | responses | distinct texts | wall s | CPU s | rows/s (wall) | rows/CPU-s | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        per_cpu = round(r["rows"] / r["cpu_seconds"]) if r["cpu_seconds"] else math.inf
        lines.append(
            f"| {r['stage']} | {r['rows']:,} | {r['distinct_texts']:,} | {r['seconds']} | {r['cpu_seconds']} | "
            f"{round(r['rows_per_s']):,} | {per_cpu:,} | {r['peak_rss_mib']:,} |"
        )
    lines += ["", "| stage | growth exponent (CPU s) | growth exponent (wall s) | sizes |", "|---|---|---|---|"]
    for stage in STAGE_FUNCTIONS:
        rs = [r for r in results if r["stage"] == stage]
        rows = [r["rows"] for r in rs]
        cpu, wall = slope(rows, [r["cpu_seconds"] for r in rs]), slope(rows, [r["seconds"] for r in rs])
        if cpu is not None:
            lines.append(f"| {stage} | {cpu} | {wall} | {', '.join(f'{n:,}' for n in rows)} |")
    return "\n".join(lines)


def main() -> None:
    """Prepare each size, run each stage in its own child process, print JSON lines and the table."""
    if sys.argv[1:2] == ["--prepare"]:
        _prepare(int(sys.argv[2]), Path(sys.argv[3]))
        print("ok")
        return
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(sys.argv[2], Path(sys.argv[3]))), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-growth"))
    parser.add_argument("--max-embed", type=int, default=100_000, help="largest size whose embeddings are timed")
    args = parser.parse_args()
    results = []
    for n in args.sizes:
        folder = args.workdir / str(n)
        start = time.perf_counter()
        _child("--prepare", str(n), str(folder))
        print(json.dumps({"prepared": n, "seconds": round(time.perf_counter() - start, 1)}), flush=True)
        for stage in STAGE_FUNCTIONS:
            if stage == "embeddings" and n > args.max_embed:
                continue
            results.append(json.loads(_child("--one", stage, str(folder))))
            print(json.dumps(results[-1] | {"load_average": os.getloadavg()[0]}), flush=True)
    print(markdown(results))


if __name__ == "__main__":
    main()
