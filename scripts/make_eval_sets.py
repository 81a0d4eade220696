"""Build the labelled CSVs that `consult eval language` and `consult eval pii` measure, from real text, seeded.

Shippable (written to data/eval/, committed, attribution in data/eval/SOURCE.md):
    language.csv      text,label,source: en (Polis Bowling Green + Seattle, regulations.gov CMS-2022-0163),
                      zh (Polis vTaiwan UberX, written Traditional Chinese), yue (OpenRice Cantonese reviews,
                      HKCanCor conversation transcripts shipped with pycantonese)
    language_holdout.csv  the rows of the same sources that language.csv left out (markers not tuned on them)
    pii_planted.csv   text,spans,lang,source: real comments (Polis Bowling Green en, Polis vTaiwan zh, OpenRice yue)
                      with synthetic Hong Kong personal data planted as whole sentences; spans are the gold offsets.
                      Development set: the redactor was tuned on it.
    pii_planted_holdout.csv  the same construction with other word lists, templates, seed and base comments,
                      written before it was first measured and never tuned on: quote its figures
Measure only (written to OUT_DIR outside the repository, never committed):
    sib200_language.csv   the same Flores sentences in en, zh-Hans, zh-Hant (label zh) and Cantonese (label yue),
                          with a `script` column (latin, hans, hant)

Planting: every value is generated (random digits; HKID check digits and card Luhn digits computed so validators
accept them; names, streets, buildings from fixed lists), never taken from a person. A base comment on which the
redactor already finds something is left out, so the gold spans are complete; how many were left out is printed.
Run: python scripts/make_eval_sets.py [SHARED_DATA_DIR] [OUT_DIR]
"""

from __future__ import annotations

import json
import random
import string
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analyze.normalise import normalise_text
from analyze.pii import find_pii

SEED = 20261127
REPO = Path(__file__).resolve().parents[1]


def _read(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", **kw)


def _polis(shared: Path, folder: str) -> pd.Series:
    df = _read(shared / folder / "comments.csv")
    df = df[df["moderated"] != "-1"].sort_values("comment-id", key=lambda s: s.astype(int))
    return df["comment-body"].map(normalise_text)


def _openrice(shared: Path) -> pd.Series:
    return _read(shared / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3)["text_a"].map(normalise_text)


def _hkcancor_chunks(min_chars: int = 40) -> list[str]:
    """HKCanCor utterances joined, within one conversation file, into passages of at least `min_chars`."""
    import pycantonese

    chunks = []
    for words in pycantonese.hkcancor().words(by_file=True):
        buf = ""
        for w in words:
            buf += w
            if len(buf) >= min_chars and w in {"?", ".", "!", ","}:
                chunks.append(buf)
                buf = ""
    return chunks


def _split(texts: pd.Series, n: int, holdout: bool) -> pd.Series:
    """A fixed sample of n texts, or (holdout) every text not in that sample."""
    picked = texts.sample(min(n, len(texts)), random_state=SEED)
    return texts.drop(picked.index) if holdout else picked


def build_language(shared: Path, holdout: bool = False) -> pd.DataFrame:
    """The shippable language set (about 1,100 rows of en, zh, yue), or the rows it left out (holdout).

    The Cantonese markers were chosen while reading this set's errors; the held-out rows were not read.
    vTaiwan is small, so its comments are in both.
    """
    regs = _read(shared / "regsgov-cms-2022-0163-en" / "comments.csv")["comment"].map(normalise_text)
    parts = [
        ("en", "polis-bowling-green", _split(_polis(shared, "polis-bowling-green"), 250, holdout)),
        ("en", "polis-seattle-15-per-hour", _polis(shared, "polis-seattle-15-per-hour")),
        ("en", "regsgov-cms-2022-0163-en", _split(regs[regs.str.len() > 20], 150, holdout)),
        ("zh", "polis-vtaiwan-uberx", _polis(shared, "polis-vtaiwan-uberx")),
        ("yue", "openrice-senti-yue", _split(_openrice(shared), 300, holdout)),
        ("yue", "hkcancor", _split(pd.Series(_hkcancor_chunks()), 300, holdout)),
    ]
    df = pd.concat([pd.DataFrame({"text": s.to_numpy(), "label": lab, "source": src}) for lab, src, s in parts])
    return df[df["text"].str.strip() != ""].drop_duplicates("text").reset_index(drop=True)


def build_sib200(shared: Path) -> pd.DataFrame:
    """Measure-only parallel set: one Flores sentence in four forms, language and script labels."""
    sib = _read(shared / "topics-labelled/sib200_en_zh_yue/data.csv")
    labels = {"eng_Latn": ("en", "latin"), "zho_Hans": ("zh", "hans"), "zho_Hant": ("zh", "hant")}
    labels["yue_Hant"] = ("yue", "hant")
    return pd.DataFrame(
        {
            "text": sib["text"],
            "label": sib["lang"].map(lambda c: labels[c][0]),
            "script": sib["lang"].map(lambda c: labels[c][1]),
            "source": "sib200:" + sib["lang"],
        }
    )


# ---- planted personal data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocab:
    """Word lists and sentence templates for planting; templates map type -> (English, Chinese) with {v}."""

    en_names: tuple[str, ...]
    zh_names: tuple[str, ...]
    en_streets: tuple[str, ...]
    en_buildings: tuple[str, ...]
    en_areas: tuple[str, ...]
    zh_streets: tuple[str, ...]
    zh_areas: tuple[str, ...]
    zh_buildings: tuple[str, ...]
    email_domains: tuple[str, ...]
    templates: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


# The development vocabulary: the redactor was tuned while measuring on the set built from it.
DEV = Vocab(
    en_names=("Chan Tai Man", "Wong Siu Ming", "Mary Lee", "Peter Ho", "LEUNG Ka Wai", "Cheung Mei Ling", "David Lau"),
    zh_names=("陳大文", "黃小明", "李嘉欣", "張偉強", "何美玲", "劉志豪", "梁淑儀", "歐陽家俊", "鄭子健", "林詠詩"),
    en_streets=("Nathan Road", "Hennessy Road", "King's Road", "Queen's Road Central", "Des Voeux Road West")
    + ("Castle Peak Road", "Tai Po Road", "Argyle Street", "Sai Yeung Choi Street South", "Shau Kei Wan Road"),
    en_buildings=("Wing On House", "Sino Centre", "Golden Dragon Mansion", "Lok Fu Estate", "Hoi Fu Court"),
    en_areas=("Mong Kok, Kowloon", "Causeway Bay, Hong Kong", "Sha Tin, New Territories", "Wan Chai", "Kowloon"),
    zh_streets=(
        "彌敦道",
        "軒尼詩道",
        "英皇道",
        "皇后大道中",
        "德輔道西",
        "青山公路",
        "大埔道",
        "亞皆老街",
        "西洋菜南街",
    ),
    zh_areas=("香港九龍旺角", "香港銅鑼灣", "新界沙田", "九龍深水埗", "灣仔", "", "香港北角"),
    zh_buildings=("永安大廈", "信和中心", "金龍大廈", "", "海富閣"),
    email_domains=("gmail.com", "yahoo.com.hk", "netvigator.com", "hku.hk", "mail.example.org.hk"),
    templates={
        "PHONE": (
            ("Call me on {v}.", "My mobile: {v}", "Contact {v} for details."),
            ("我電話係{v}。", "聯絡電話：{v}", "有問題打{v}"),
        ),
        "HKID": (("My HKID is {v}.", "ID card {v}", "({v})"), ("身份證號碼：{v}", "我身份證係{v}。", "{v}")),
        "EMAIL": (("Email me at {v}.", "{v}", "Reply to {v} please."), ("電郵：{v}", "請回覆{v}。", "{v}")),
        "CARD": (("My card {v} was charged twice.", "Card: {v}"), ("信用卡號碼{v}", "張卡{v}俾人扣咗兩次錢")),
        "BANK": (("Refund to account {v}.", "Bank a/c: {v}", "{v}"), ("銀行戶口：{v}", "退款請入{v}", "{v}")),
        "PASSPORT": (("Passport no. {v}", "My passport {v} expired."), ("護照號碼：{v}", "我本護照{v}過咗期。")),
        "ADDRESS": (("I live at {v}.", "Address: {v}", "Write to {v}."), ("地址：{v}", "我住喺{v}。", "寄去{v}")),
        "URL": (("See {v} for my case.", "Link: {v}"), ("詳情見{v}", "連結：{v}")),
        "NAME": (
            ("Yours faithfully,\n{v}", "Regards, {v}", "Name: {v}", "Yours sincerely, {v}"),
            ("{v} 謹啟", "{v}謹上", "姓名：{v}", "市民 {v} 敬上"),
        ),
    },  # fmt: skip
)
# The held-out vocabulary: written before its first measurement and not used for tuning; its figures are the
# ones to quote.
HOLDOUT = Vocab(
    en_names=("Lam Chi Keung", "Ho Wing Yan", "Jennifer Tsang", "Mr. Kwok Man Hin", "Siu Ka Lok", "Angela Yip"),
    zh_names=("譚家樂", "麥詠恩", "鄧志偉", "吳淑芬", "周子軒", "司徒美華", "區嘉敏"),
    en_streets=("Gloucester Road", "Connaught Road Central", "Waterloo Road", "Canton Road", "Tung Chau Street")
    + ("Lockhart Road", "Yee Kuk Street", "Cheung Sha Wan Road"),
    en_buildings=("Man Yee Building", "Harbour Centre", "Parkview Court", "Tsui Ping Estate"),
    en_areas=("Tsim Sha Tsui, Kowloon", "Sham Shui Po", "Central, Hong Kong", "Tai Po, N.T.", "Yau Ma Tei"),
    zh_streets=("告士打道", "干諾道中", "窩打老道", "廣東道", "通州街", "駱克道", "荔枝角道", "長沙灣道"),
    zh_areas=("九龍尖沙咀", "香港中環", "新界大埔", "油麻地", "九龍長沙灣", ""),
    zh_buildings=("華懋大廈", "海港中心", "", "百利大廈"),
    email_domains=("outlook.com", "ymail.com", "cuhk.edu.hk", "biznetvigator.com"),
    templates={
        "PHONE": (
            ("Tel: {v}", "Whatsapp me at {v}", "my number is {v}"),
            ("手機：{v}", "WhatsApp {v} 搵我", "電話號碼係{v}"),
        ),
        "HKID": (("HKID no. {v}", "identity card number {v}"), ("香港身份證 {v}", "身分證號碼係{v}")),
        "EMAIL": (("e-mail: {v}", "write to {v}"), ("電郵地址係{v}", "email：{v}")),
        "CARD": (("Visa {v}", "credit card no {v}"), ("碌咗張卡{v}", "信用咭{v}")),
        "BANK": (("HSBC account no. {v}", "pay into {v}"), ("滙豐戶口{v}", "帳號：{v}")),
        "PASSPORT": (("passport number: {v}", "travel document {v}"), ("護照編號 {v}", "旅行證件{v}")),
        "ADDRESS": (("my home is {v}", "Correspondence address: {v}"), ("通訊地址：{v}", "屋企喺{v}")),
        "URL": (("Form link {v}", "{v}"), ("表格連結 {v}", "{v}")),
        "NAME": (("Sincerely,\n{v}", "Best regards,\n{v}"), ("{v} 敬啟", "簽署：{v}")),
    },  # fmt: skip
)


def _hkid(r: random.Random) -> str:
    letters = r.choice(string.ascii_uppercase) if r.random() < 0.8 else r.choice(["XA", "WX", "CA"])
    digits = "".join(r.choice(string.digits) for _ in range(6))
    body = (letters + digits).rjust(8)
    total = sum((36 if c == " " else int(c, 36)) * w for c, w in zip(body, range(9, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    c = "A" if check == 10 else str(check)
    return r.choice([f"{letters}{digits}({c})", f"{letters}{digits}{c}", f"{letters}{digits} ({c})"])


def _phone(r: random.Random) -> str:
    n = r.choice("235679") + "".join(r.choice(string.digits) for _ in range(7))
    fmt = r.choice(["{a}{b}", "{a} {b}", "{a}-{b}", "+852 {a} {b}", "(852) {a}-{b}", "+852{a}{b}", "852-{a}-{b}"])
    return fmt.format(a=n[:4], b=n[4:])


def _luhn_complete(prefix: str, length: int, r: random.Random) -> str:
    body = prefix + "".join(r.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(int(c) for c in body[::-1]))
    return body + str((10 - total % 10) % 10)


def _card(r: random.Random) -> str:
    n = _luhn_complete(*r.choice([("4", 16), ("51", 16), ("37", 15), ("62", 16)]), r)
    sep = r.choice([" ", "-", ""])
    return sep.join(n[i : i + 4] for i in range(0, len(n), 4))


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _bank(r: random.Random) -> str:
    return r.choice(
        [f"0{_digits(r, 2)}-{_digits(r, 3)}-{_digits(r, 6)}", f"{_digits(r, 3)}-{_digits(r, 6)}-{_digits(r, 3)}"]
        + [f"0{_digits(r, 2)}-{_digits(r, 3)}-{_digits(r, 6)}-{_digits(r, 1)}"]
    )


def _passport(r: random.Random) -> str:
    return r.choice([f"H{_digits(r, 8)}", f"K{_digits(r, 8)}", f"E{_digits(r, 8)}", f"EA{_digits(r, 7)}"])


def _email(r: random.Random, v: Vocab) -> str:
    name = r.choice(v.en_names).lower().removeprefix("mr. ")
    user = r.choice([name.replace(" ", "."), name.replace(" ", "_") + _digits(r, 2)])
    return f"{user}@{r.choice(v.email_domains)}"


def _url(r: random.Random) -> str:
    token = "".join(r.choice(string.ascii_letters + string.digits) for _ in range(20))
    return r.choice(
        [
            f"https://forms.example.hk/reply?token={token}",
            f"https://portal.example.gov.hk/u/{_digits(r, 9)}/profile",
            f"http://www.example.com/unsubscribe?email=someone%40example.com&id={_digits(r, 6)}",
            f"https://drive.example.com/file/{token}/view",
        ]
    )


def _address_en(r: random.Random, v: Vocab) -> str:
    parts = []
    if r.random() < 0.7:
        parts.append(f"{r.choice(['Flat', 'Room', 'Unit'])} {r.choice('ABCDEFGH')}, {r.randint(1, 40)}/F,")
    if r.random() < 0.5:
        parts.append(f"{r.choice(v.en_buildings)},")
    parts.append(f"{r.randint(1, 300)} {r.choice(v.en_streets)}, {r.choice(v.en_areas)}")
    return " ".join(parts)


def _address_zh(r: random.Random, v: Vocab) -> str:
    floor = f"{r.randint(1, 40)}樓{r.choice('ABCDEFGH')}室" if r.random() < 0.8 else ""
    return f"{r.choice(v.zh_areas)}{r.choice(v.zh_streets)}{r.randint(1, 300)}號{r.choice(v.zh_buildings)}{floor}"


_VALUE = {"PHONE": _phone, "HKID": _hkid, "CARD": _card, "BANK": _bank, "PASSPORT": _passport, "URL": _url}


def _value(kind: str, zh: bool, r: random.Random, v: Vocab) -> str:
    if kind in _VALUE:
        return _VALUE[kind](r)
    if kind == "EMAIL":
        return _email(r, v)
    if kind == "ADDRESS":
        return _address_zh(r, v) if zh else _address_en(r, v)
    return r.choice(v.zh_names if zh else v.en_names)


def plant(base: str, zh: bool, r: random.Random, v: Vocab) -> tuple[str, list[dict]]:
    """Base text with 0 to 3 planted sentences (a signature always last); gold spans of the planted values."""
    kinds = r.sample(sorted(v.templates), r.choice([0, 1, 1, 2, 2, 3]))
    kinds.sort(key=lambda k: k == "NAME")
    text, spans = base, []
    for kind in kinds:
        head, tail = r.choice(v.templates[kind][1 if zh else 0]).split("{v}")
        value = _value(kind, zh, r, v)
        sentence = head + value + tail
        if kind == "NAME" or r.random() < 0.6:  # append (a signature on its own line)
            start = len(text) + 1
            text = text + ("\n" if kind == "NAME" else " ") + sentence
        else:  # prepend: the spans already planted move right
            start, shift = 0, len(sentence) + 1
            spans = [{**s, "start": s["start"] + shift, "end": s["end"] + shift} for s in spans]
            text = sentence + " " + text
        spans.append({"start": start + len(head), "end": start + len(head) + len(value), "type": kind})
    return text, sorted(spans, key=lambda s: s["start"])


def build_pii(shared: Path, vocab: Vocab, seed: int, tail: bool) -> pd.DataFrame:
    """A planted set: about 800 real comments in en, zh, yue with planted personal data and gold spans.

    The development set plants into the first comments of each source, the held-out set into the last ones.
    """
    r = random.Random(seed)
    pick = pd.Series.tail if tail else pd.Series.head
    bases = [
        ("en", "polis-bowling-green", pick(_polis(shared, "polis-bowling-green"), 400)),
        ("zh", "polis-vtaiwan-uberx", _polis(shared, "polis-vtaiwan-uberx")),
        ("yue", "openrice-senti-yue", pick(_openrice(shared), 300)),
    ]
    rows = []
    for lang, source, texts in bases:
        clean = [t for t in texts if t and not find_pii(t)]
        print(f"pii bases {source}: {len(texts)} read, {len(texts) - len(clean)} left out (redactor found something)")
        for t in clean:
            text, spans = plant(t, lang != "en", r, vocab)
            rows.append({"text": text, "spans": json.dumps(spans), "lang": lang, "source": source})
    return pd.DataFrame(rows)


def main(shared: Path, out_dir: Path) -> None:
    """Write the shippable sets into data/eval/ and the measure-only sets into out_dir."""
    eval_dir = REPO / "data" / "eval"
    eval_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    sets = {
        "language.csv": build_language(shared),
        "language_holdout.csv": build_language(shared, holdout=True),
        "pii_planted.csv": build_pii(shared, DEV, SEED, tail=False),
        "pii_planted_holdout.csv": build_pii(shared, HOLDOUT, SEED + 1, tail=True),
    }
    for name, df in sets.items():
        df.to_csv(eval_dir / name, index=False, encoding="utf-8")
        print(f"{eval_dir / name}: {len(df)} rows")
    build_sib200(shared).to_csv(out_dir / "sib200_language.csv", index=False, encoding="utf-8")
    print(f"{out_dir / 'sib200_language.csv'}: measure only, do not commit")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "data",
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/tmp/consult-lang-eval"),
    )
