"""Build data/eval/duplicates.csv: planted campaigns of real texts among real single submissions, seeded.

Each campaign is a form letter built from real texts (a regulations.gov CMS-2022-0163 letter, CC0, or three to
five Polis comments joined as paragraphs, CC BY 4.0) and copied 5 to 40 times; each copy gets one to three
perturbations: an added personal sentence (another real comment), a name or signature line (names generated from
fixed lists), a changed greeting, punctuation and spacing changes, Traditional/Simplified conversion (Chinese),
reordered paragraphs. Singles are real comments and reviews not used in any campaign (Polis Bowling Green,
Seattle, vTaiwan; OpenRice Cantonese reviews). Columns: text, group (campaign id, or a single's own id), kind
(template, copy, single), perturbations, source.

Run: python scripts/make_duplicates_eval.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pandas as pd

from analyze.normalise import normalise_text
from analyze.segment import to_simplified

SEED = 20261127
REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "data" / "eval" / "duplicates.csv"
EN_GREETINGS = ["Dear Sir or Madam,", "To whom it may concern,", "Dear Committee,", "Hello,", "Dear officials,"]
ZH_GREETINGS = ["敬啟者：", "致有關當局：", "各位委員：", "您好：", "致政府："]
EN_SIGN = ["Regards,", "Yours faithfully,", "Sincerely,", "Thank you,"]
ZH_SIGN = ["此致", "謹啟", "順祝 安好", "多謝"]
SURNAMES = ["Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Smith", "Taylor", "Brown"]
GIVEN = ["Tai Man", "Siu Ming", "Ka Yan", "Wing Sze", "Chi Keung", "Mei Ling", "John", "Mary", "Peter", "Anne"]
ZH_SURNAMES = list("陳黃李張劉何吳梁林鄭")
ZH_GIVEN = ["大文", "小明", "嘉欣", "詠詩", "志強", "美玲", "家豪", "淑儀", "偉倫", "慧敏"]


def _read(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **kw)


def _polis(shared: Path, folder: str, min_chars: int) -> list[str]:
    df = _read(shared / folder / "comments.csv")
    df = df[df["moderated"] != "-1"].sort_values("comment-id", key=lambda s: s.astype(int))
    texts = [normalise_text(t) for t in df["comment-body"]]
    return list(dict.fromkeys(t for t in texts if len(t) >= min_chars))


def _regsgov_letters(shared: Path) -> list[str]:
    """Organisations' letters (not the known form letter), cut to their first ~1,200 characters at a sentence."""
    df = _read(shared / "regsgov-cms-2022-0163-en" / "comments.csv")
    df = df[df["organization"].str.len() > 0]
    df = df[~df["comment_text"].str.contains("One piece of information that is often important", regex=False)]
    letters = []
    for text in df["comment_text"]:
        text = normalise_text(text.replace("&amp;", "&"))
        if len(text) >= 800:
            cut = text[:1200]
            letters.append(cut[: cut.rfind(". ") + 1] or cut)
    return list(dict.fromkeys(letters))


def _name(rng: random.Random, zh: bool) -> str:
    if zh:
        return rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN)
    return f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"


def _punctuation(rng: random.Random, text: str) -> str:
    swaps = [(",", "，"), ("，", ","), (".", "。"), ("。", "!"), ("  ", " "), (" ", "  "), ("?", "？"), ("：", ":")]
    for old, new in rng.sample(swaps, 3):
        text = text.replace(old, new)
    return re.sub(r"[!！]", "", text) if rng.random() < 0.5 else text


def _perturb(rng: random.Random, paragraphs: list[str], zh: bool, extras: list[str]) -> tuple[str, list[str]]:
    """One copy of a template (given as paragraphs) with one to three perturbations; returns text and their names."""
    done = rng.sample(["sentence", "signature", "greeting", "punctuation", "reorder", "script"], rng.randint(1, 3))
    if not zh and "script" in done:
        done.remove("script")
    body = list(paragraphs)
    if "reorder" in done:
        rng.shuffle(body)
    if "sentence" in done:
        body.insert(rng.choice([0, len(body)]), rng.choice(extras))
    if "greeting" in done:
        body.insert(0, rng.choice(ZH_GREETINGS if zh else EN_GREETINGS))
    if "signature" in done:
        body.append(f"{rng.choice(ZH_SIGN if zh else EN_SIGN)} {_name(rng, zh)}")
    text = "\n\n".join(body)
    if "punctuation" in done:
        text = _punctuation(rng, text)
    if "script" in done:
        text = to_simplified(text)
    return text, sorted(done)


def build(shared: Path) -> pd.DataFrame:
    """The labelled set: 24 planted campaigns and ~900 singles, in a seeded random order."""
    rng = random.Random(SEED)
    pools = {
        "polis-bowling-green": _polis(shared, "polis-bowling-green", 40),
        "polis-seattle-15-per-hour": _polis(shared, "polis-seattle-15-per-hour", 30),
        "polis-vtaiwan-uberx": _polis(shared, "polis-vtaiwan-uberx", 20),
    }
    for pool in pools.values():
        rng.shuffle(pool)
    en = pools["polis-bowling-green"] + pools["polis-seattle-15-per-hour"]
    zh = pools["polis-vtaiwan-uberx"]
    letters = _regsgov_letters(shared)
    rng.shuffle(letters)
    # Held apart: texts added to copies as personal sentences, and texts that go into templates.
    en_extras, en = en[:80], en[80:]
    zh_extras, zh = zh[:30], zh[30:]
    templates: list[tuple[list[str], bool, str]] = []
    for i in range(4):
        templates.append(([p.strip() for p in re.split(r"(?<=\.) ", letters[i]) if p.strip()], False, "regsgov"))
    for _ in range(12):
        k = rng.randint(3, 5)
        templates.append(([en.pop() for _ in range(k)], False, "polis-en"))
    for _ in range(8):
        k = rng.randint(3, 5)
        templates.append(([zh.pop() for _ in range(k)], True, "polis-vtaiwan-uberx"))
    rows = []
    for n, (paragraphs, is_zh, source) in enumerate(templates, start=1):
        group = f"campaign-{n:02d}"
        rows.append({"text": "\n\n".join(paragraphs), "group": group, "kind": "template", "perturbations": ""})
        rows[-1]["source"] = source
        for _ in range(rng.randint(4, 39)):
            text, done = _perturb(rng, paragraphs, is_zh, zh_extras if is_zh else en_extras)
            rows.append({"text": text, "group": group, "kind": "copy", "perturbations": " ".join(done)})
            rows[-1]["source"] = source
    openrice = _read(shared / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3)["text_a"].map(normalise_text)
    singles = [(t, "polis-en") for t in en] + [(t, "polis-vtaiwan-uberx") for t in zh]
    singles += [(t, "openrice-senti-yue") for t in list(dict.fromkeys(openrice))[:200]]
    for i, (text, source) in enumerate(singles, start=1):
        rows.append({"text": text, "group": f"single-{i:04d}", "kind": "single", "perturbations": "", "source": source})
    data = pd.DataFrame(rows)
    return data.sample(frac=1.0, random_state=SEED).reset_index(drop=True)


def main() -> None:
    """Write data/eval/duplicates.csv and print what it holds."""
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data"
    data = build(shared)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(OUT, index=False, encoding="utf-8")
    print(f"{OUT}: {len(data)} rows, {data['group'].nunique()} groups")
    print(data.groupby(["kind", "source"]).size().to_string())


if __name__ == "__main__":
    main()
