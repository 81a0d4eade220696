"""Build the labelled CSVs (text,label) that `consult eval topics` measures, from ../shared/data, seeded.

Most sets are "measure only" (thucnews, ag_news) or shippable only as attributed excerpts (sib200, ibm-argkp), so
the files go to a folder outside the repository (default /tmp/consult-topic-eval) and are never committed.
Each set is a fixed-seed sample small enough for a shared 2-core machine:
    sib200_mixed.csv  300 Flores sentences x 4 languages (en, zh-Hans, zh-Hant, yue) = 1,200 rows, 7 labels
    sib200_zh.csv     the same 300 sentences in Traditional Chinese only
    thucnews_zh.csv   1,500 Simplified Chinese news titles, 150 per label (10 labels)
    ag_news_en.csv    1,200 English news items, 300 per label (4 labels)
    argkp_en.csv      1,250 English arguments, 50 per debate topic (25 labels)
and, for the topic stage at round scale (where it embeds a sample and places the rest), whole sets in file order:
    sib200_mixed_all.csv  all 3,200 rows; sib200_zh_all.csv  all 800 Traditional Chinese rows
    thucnews_zh_10k.csv   10,000 titles (pandas sample, random_state 0); ag_news_en_all.csv  all 7,600 rows
Run: python scripts/make_topic_eval.py [SHARED_DATA_DIR] [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

SEED = 20261127


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _per_label(df: pd.DataFrame, n: int) -> pd.DataFrame:
    """Up to n rows of each label, in a fixed order."""
    parts = [g.sample(min(n, len(g)), random_state=SEED) for _, g in df.groupby("label", sort=True)]
    return pd.concat(parts).sort_values(["label", "text"], ignore_index=True)


def build(shared: Path) -> dict[str, pd.DataFrame]:
    """Every eval set by file name, columns text,label (plus lang where known)."""
    sib = full = _read(shared / "topics-labelled/sib200_en_zh_yue/data.csv")
    ids = pd.Series(sorted(sib["index_id"].unique(), key=int)).sample(300, random_state=SEED)
    sib = sib[sib["index_id"].isin(set(ids))].sort_values(["index_id", "lang"], key=lambda s: s.map(str))
    thuc = _read(shared / "topics-labelled/thucnews_titles/data.csv")
    ag = _read(shared / "topics-labelled/ag_news_test/data.csv")
    arg = _read(shared / "ibm-argkp-2021-en/ArgKP-2021_dataset.csv")
    arg = arg.drop_duplicates("argument")[["argument", "topic"]].set_axis(["text", "label"], axis=1)
    return {
        "sib200_mixed.csv": sib[["text", "label", "lang"]].reset_index(drop=True),
        "sib200_zh.csv": sib[sib["lang"] == "zho_Hant"][["text", "label", "lang"]].reset_index(drop=True),
        "thucnews_zh.csv": _per_label(thuc, 150)[["text", "label"]],
        "ag_news_en.csv": _per_label(ag, 300)[["text", "label"]],
        "argkp_en.csv": _per_label(arg, 50)[["text", "label"]],
        "sib200_mixed_all.csv": full[["text", "label", "lang"]],
        "sib200_zh_all.csv": full[full["lang"] == "zho_Hant"][["text", "label", "lang"]],
        "thucnews_zh_10k.csv": thuc.sample(10_000, random_state=0)[["text", "label"]],
        "ag_news_en_all.csv": ag[["text", "label"]],
    }


def main(shared: Path, out: Path) -> None:
    """Write each set as UTF-8 CSV and print its size."""
    out.mkdir(parents=True, exist_ok=True)
    for name, df in build(shared).items():
        df.to_csv(out / name, index=False, encoding="utf-8")
        print(f"{out / name}: {len(df)} rows, {df['label'].nunique()} labels")


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1]
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent / "shared" / "data",
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/consult-topic-eval"),
    )
