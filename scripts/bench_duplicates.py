"""Benchmark of the duplicates stage (`find_campaigns`) at 10k, 100k and 1M responses: seconds and peak memory.

Synthetic rounds from real text (../shared/data: Polis comments, regulations.gov letters, OpenRice reviews), seeded:
30% campaign copies (60 templates, perturbed as in scripts/make_duplicates_eval.py), 10% exact repeats of the
templates, 60% individual texts made of two to five real sentences drawn at random. Each size runs in its own
process so that peak memory (ru_maxrss) is its own. Prints one JSON line per size (wall and CPU seconds: on a
shared machine CPU time is the steadier figure) and the growth exponent (slope of log seconds over log responses
between the smallest and largest size).

Run: python scripts/bench_duplicates.py [N ...]   (default 10000 100000 1000000)
"""

from __future__ import annotations

import json
import math
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_duplicates_eval import _perturb, _polis, _read, _regsgov_letters  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED = 11
_SENTENCE = re.compile(r"(?<=[。！？!?.])\s*")


def sentences(texts: list[str]) -> list[str]:
    """Sentences of at least 15 characters from the given texts, without repeats."""
    return list(dict.fromkeys(s.strip() for t in texts for s in _SENTENCE.split(t) if len(s.strip()) >= 15))


def synthetic_round(n: int, seed: int = SEED) -> pd.DataFrame:
    """A round of n responses (response_id, text_norm, channel, lang) built from real text as described above."""
    rng = random.Random(seed)
    en = _polis(SHARED, "polis-bowling-green", 30) + _polis(SHARED, "polis-seattle-15-per-hour", 30)
    zh = _polis(SHARED, "polis-vtaiwan-uberx", 20)
    openrice = _read(SHARED / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3)["text_a"].tolist()
    pool = sentences(en + zh + openrice + _regsgov_letters(SHARED))
    templates = [([rng.choice(en) for _ in range(4)], False) for _ in range(40)]
    templates += [([rng.choice(zh) for _ in range(4)], True) for _ in range(20)]
    texts, kinds = [], []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            paragraphs, is_zh = rng.choice(templates)
            texts.append(_perturb(rng, paragraphs, is_zh, zh if is_zh else en)[0])
        elif r < 0.4:
            texts.append("\n\n".join(rng.choice(templates)[0]))
        else:
            texts.append(" ".join(rng.sample(pool, rng.randint(2, 5))))
        kinds.append("zh" if re.search(r"[\u4e00-\u9fff]", texts[-1]) else "en")
    return pd.DataFrame(
        {"response_id": [f"r{i}" for i in range(n)], "text_norm": texts, "channel": "form", "lang": kinds}
    )


def measure(n: int) -> dict:
    """Build a round of n responses and time `find_campaigns` on it."""
    from analyze.duplicates import find_campaigns

    docs = synthetic_round(n)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start, cpu = time.perf_counter(), time.process_time()
    groups, campaigns = find_campaigns(docs)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "responses": n,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_mib": round(before / 1024),
        "unique_texts": int(groups["exact_group"].nunique()),
        "near_groups": int(groups["near_group"].nunique()),
        "campaigns": len(campaigns),
        "campaign_copies": int(groups["is_campaign_copy"].sum()),
        "mean_chars": round(float(docs["text_norm"].str.len().mean()), 1),
    }


def main() -> None:
    """Run each size in a child process and print the results and the growth exponent."""
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(int(sys.argv[2]))), flush=True)
        return
    if not all(a.isdigit() for a in sys.argv[1:]):
        sys.exit("usage: bench_duplicates.py [N ...]  (sizes in responses; default 10000 100000 1000000)")
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    results = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    if len(results) > 1:
        a, b = results[0], results[-1]
        slope = math.log(b["seconds"] / a["seconds"]) / math.log(b["responses"] / a["responses"])
        cpu = math.log(b["cpu_seconds"] / a["cpu_seconds"]) / math.log(b["responses"] / a["responses"])
        print(json.dumps({"growth_exponent": round(slope, 3), "growth_exponent_cpu": round(cpu, 3)}))


if __name__ == "__main__":
    main()
