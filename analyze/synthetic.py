"""A realistic synthetic round for benchmarks, recombined from real sentences in the shared sample data.

Only shippable sets are used (polis-* CC BY 4.0, regsgov CC0, openrice CC BY 4.0); nothing is copied into the
project, the round is generated into a folder of the caller's choice. The mix follows a Hong Kong consultation:
about 35% written Chinese, 20% Cantonese, 40% English, 5% code-mixed; about 30% campaign copies of a few
templates with personal edits; 10% organisations. Seeded: the same size and seed give the same file.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LANG_MIX = {"zh": 0.35, "yue": 0.20, "en": 0.40, "mixed": 0.05}
CAMPAIGN_SHARE = 0.30
ORGANISATION_SHARE = 0.10
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+")
ROUND_YAML = """\
round: {name}
title:
  en: "Benchmark round ({n} responses, generated from real sentences)"
  zh: "基準測試諮詢（{n} 則回應，由真實句子組合）"
sources:
  - name: web-form
    kind: form
    path: raw/submissions.csv
    channel: form
    mapping:
      text: {{views: general}}
      id: ref
      respondent_type: respondent_type
      organisation: organisation
"""


@dataclass(frozen=True)
class SentencePools:
    """Real sentences by language, and organisation names, sorted, as object arrays.

    Object arrays, because `rng.choice` turns a list into a fixed-width unicode array on every call (an 11 MB copy
    of the English pool per draw); it picks the same indices either way.
    """

    en: np.ndarray
    zh: np.ndarray
    yue: np.ndarray
    organisations: np.ndarray


def _sentences(texts: pd.Series, min_chars: int) -> np.ndarray:
    out = []
    for text in texts.dropna().astype(str):
        out += [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= min_chars]
    return np.array(sorted(set(out)), dtype=object)


def load_pools(shared: Path) -> SentencePools:
    """Read the sentence pools from ../shared/data."""
    csv.field_size_limit(1 << 28)
    polis_en = pd.concat(
        pd.read_csv(shared / d / "comments.csv")["comment-body"]
        for d in ("polis-bowling-green", "polis-seattle-15-per-hour")
    )
    regs = pd.read_csv(shared / "regsgov-cms-2022-0163-en" / "comments.csv", engine="python")
    zh = pd.read_csv(shared / "polis-vtaiwan-uberx" / "comments.csv")["comment-body"]
    yue = pd.read_csv(shared / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3)["text_a"]
    return SentencePools(
        en=_sentences(pd.concat([polis_en, regs["comment_text"].str.slice(0, 2000)]), 25),
        zh=_sentences(zh, 8),
        yue=_sentences(yue, 8),
        organisations=np.array(sorted(set(regs["organization"].dropna().astype(str))), dtype=object),
    )


def _compose(rng: np.random.Generator, pools: SentencePools, lang: str) -> str:
    if lang == "mixed":
        return f"{rng.choice(pools.yue)} {rng.choice(pools.en)}"
    pool = getattr(pools, lang)
    k = int(rng.integers(1, 4))
    joiner = " " if lang == "en" else ""
    return joiner.join(rng.choice(pool, size=k, replace=False))


def generate_submissions(n: int, pools: SentencePools, seed: int = 0, first_ref: int = 0) -> pd.DataFrame:
    """Generate n form rows: ref, respondent_type, organisation, views, kind (original or campaign:<i>)."""
    rng = np.random.default_rng(seed)
    templates = [_compose(rng, pools, lang) + _compose(rng, pools, lang) for lang in ("en", "en", "zh", "zh", "yue")]
    langs = rng.choice(list(LANG_MIX), size=n, p=list(LANG_MIX.values()))
    is_copy = rng.random(n) < CAMPAIGN_SHARE
    template_of = rng.integers(0, len(templates), size=n)
    edits = rng.random(n)
    is_org = rng.random(n) < ORGANISATION_SHARE
    rows = []
    for i in range(n):
        if is_copy[i]:
            text = templates[template_of[i]]
            if edits[i] < 0.5:  # a personal sentence added to the template
                text = f"{text} {_compose(rng, pools, str(langs[i]))}"
            elif edits[i] < 0.7:
                text = f"Dear Sir/Madam, {text}"
            kind = f"campaign:{template_of[i]}"
        else:
            text, kind = _compose(rng, pools, str(langs[i])), "original"
        org = str(rng.choice(pools.organisations)) if is_org[i] else ""
        rows.append(
            {
                "ref": f"b{first_ref + i:07d}",
                "respondent_type": "Organisation" if org else ("Individual" if i % 7 else "Anonymous"),
                "organisation": org,
                "views": text,
                "kind": kind,
            }
        )
    return pd.DataFrame(rows)


def add_submissions(folder: Path, n: int, shared: Path, seed: int = 1) -> int:
    """Append n new submissions (other refs, another seed) to a generated round's export; return the new total."""
    export = Path(folder) / "raw" / "submissions.csv"
    old = pd.read_csv(export, dtype=str, keep_default_na=False)
    new = generate_submissions(n, load_pools(shared), seed, first_ref=len(old))
    pd.concat([old, new], ignore_index=True).to_csv(export, index=False)
    return len(old) + n


def make_round(folder: Path, n: int, shared: Path, seed: int = 0) -> Path:
    """Write a benchmark round (round.yaml + raw/submissions.csv) into `folder`; return the folder."""
    folder = Path(folder)
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    generate_submissions(n, load_pools(shared), seed).to_csv(folder / "raw" / "submissions.csv", index=False)
    (folder / "round.yaml").write_text(ROUND_YAML.format(name=folder.name, n=n), encoding="utf-8")
    return folder
