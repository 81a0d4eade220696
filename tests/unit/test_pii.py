import json
import re

import pandas as pd
import pytest

from analyze.pii import (
    _DIGITS3,
    _EN_ADDRESS_TRIGGER,
    _URL_TRIGGER,
    _ZH_ADDRESS_TRIGGER,
    AUDIT_COLUMNS,
    MAX_SCAN_CHARS,
    PII_COLUMNS,
    find_pii,
    find_pii_spans,
    hkid_valid,
    luhn_valid,
    redact_pii,
    redact_texts,
)
from analyze.pipeline import run_pii
from collect.roundfile import RoundPaths
from collect.storage import read_table, write_table

EVAL = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "eval"


def _planted(n: int = 80) -> pd.DataFrame:
    """Real Polis/OpenRice comments with planted personal data (data/eval, built by scripts/make_eval_sets.py)."""
    return pd.read_csv(EVAL / "pii_planted_holdout.csv", dtype=str, keep_default_na=False).head(n)


def _polis(shared_data, folder: str, n: int) -> list[str]:
    df = pd.read_csv(shared_data / folder / "comments.csv", dtype=str, keep_default_na=False)
    return df.loc[df["moderated"] != "-1", "comment-body"].head(n).tolist()


def test_hkid_check_digit():
    assert hkid_valid("A123456(3)") and hkid_valid("A1234563") and hkid_valid("a123456 (3)")
    assert not hkid_valid("A123456(4)")
    assert hkid_valid("XA000000(A)") is (find_pii("XA000000(A)") != [])


def test_luhn():
    assert luhn_valid("4111 1111 1111 1111")
    assert not luhn_valid("4111 1111 1111 1112")
    assert not luhn_valid("4111")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("身份證號碼：A123456(3)", "HKID"),
        ("Call me on +852 9123 4567 please", "PHONE"),
        ("有問題打6123-4567", "PHONE"),
        ("請回覆chan.taiman@yahoo.com.hk。", "EMAIL"),
        ("card 4111-1111-1111-1111 charged", "CARD"),
        ("Passport no. H12345678", "PASSPORT"),
        ("退款請入012-345-678901", "BANK"),
        ("地址：香港九龍旺角彌敦道123號5樓A室", "ADDRESS"),
        ("地址：九龍旺角彌敦道 123 號 5 樓 A 室，多謝", "ADDRESS"),
        ("我住喺沙田第一城 12 座 5 樓 B 室", "ADDRESS"),
        ("Write to Flat A, 5/F, 123 Nathan Road, Mong Kok, Kowloon.", "ADDRESS"),
        ("我反對。\n陳大文 謹啟", "NAME"),
        ("I object.\nYours faithfully,\nChan Tai Man", "NAME"),
        ("Kind regards, Chan Tai Man", "NAME"),
        ("Respectfully submitted, Mary Wong Siu Ling", "NAME"),
        ("My name is Peter Lee and I object.", "NAME"),
        ("Signature: Peter Lee", "NAME"),
        ("Please refund my account no. 1 2 3 4 5 6 7 8 9 0 soon", "BANK"),
        ("See https://forms.example.hk/reply?token=8f3a9c2e71", "URL"),
    ],
)
def test_each_type_is_found(text, kind):
    assert [s.type for s in find_pii(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "The meeting was on 20240131 at 3pm.",  # a date, not a phone number
        "ID A123456(4) has a wrong check digit",
        "Reference 4111 1111 1111 1112",  # fails Luhn
        "See https://www.gov.hk/en/residents/ for the paper",  # no personal token
        "https://www.newspapers.com/clip/110292682/acupuncturist/",  # from a regulations.gov letter: an article id
        "https://www.regulations.gov/document/CMS-2022-0123-0001/comment",
        "我覺得關係唔大，政府應該公開資料。",
        "Sincerely, The American Medical Association",
    ],
)
def test_lookalikes_are_left_alone(text):
    assert find_pii(text) == []


def test_every_planted_value_on_real_text_is_covered():
    data = _planted()
    for text, cell in zip(data["text"], data["spans"], strict=True):
        found = find_pii(text)
        for g in json.loads(cell):
            assert any(f.type == g["type"] and f.start <= g["start"] and f.end >= g["end"] for f in found), (
                g,
                text[g["start"] : g["end"]],
            )


def test_real_comments_without_personal_data_stay_unchanged(shared_data):
    texts = _polis(shared_data, "polis-vtaiwan-uberx", 100) + _polis(shared_data, "polis-bowling-green", 200)
    assert [t for t in texts if find_pii(t)] == []


def test_redact_texts_gives_each_text_what_redact_pii_writes_for_it(shared_data):
    planted = _planted(200)["text"].tolist()  # half of these or more hold personal data
    texts = planted + _polis(shared_data, "polis-vtaiwan-uberx", 50) + [""]
    table = redact_pii(pd.DataFrame({"response_id": [f"r{i}" for i in range(len(texts))], "text_norm": texts}))
    assert redact_texts(texts) == table["text_redacted"].tolist()
    assert sum(a != b for a, b in zip(redact_texts(planted), planted, strict=True)) > 100


def test_redact_pii_columns_counts_and_audit_without_values():
    data = _planted(40)
    df = pd.DataFrame({"response_id": [f"r{i}" for i in range(len(data))], "text_norm": data["text"]})
    audit = find_pii_spans(df)
    out = redact_pii(df, audit)
    assert list(out.columns) == PII_COLUMNS and list(audit.columns) == AUDIT_COLUMNS
    assert list(out["response_id"]) == list(df["response_id"])
    for text, red, counts, cell in zip(
        df["text_norm"], out["text_redacted"], out["pii_counts"], data["spans"], strict=True
    ):
        gold = json.loads(cell)
        assert sum(json.loads(counts).values()) == len(gold)
        for g in gold:
            value = text[g["start"] : g["end"]]
            assert value not in red and f"[{g['type']}]" in red
    audit_cells = set(audit.astype(str).to_numpy().ravel())
    assert not any(
        text[g["start"] : g["end"]] in audit_cells
        for text, cell in zip(df["text_norm"], data["spans"], strict=True)
        for g in json.loads(cell)
    )  # noqa: E501
    assert redact_pii(df).equals(out)  # deterministic, audit computed when not given


@pytest.mark.parametrize(
    "text",
    ["", "   ", "😀🙏🏻👍", "\x00\x01\x1f", "abc\ud800def", "電話\u200b9123\u200b4567", "9" * 1_000_000],
)
def test_bad_input_never_crashes(text):
    df = pd.DataFrame(
        {"response_id": ["r"], "text_norm": pd.Series([text], dtype=object)}
    )  # object: may hold surrogates
    out = redact_pii(df)
    assert len(out) == 1
    if len(text) > MAX_SCAN_CHARS:  # beyond the scanned part nothing is published unread
        assert out["text_redacted"][0].endswith("[UNSCANNED]")


def test_rows_without_spans_keep_their_text_in_place():
    texts = ["no personal data", "call 9123 4567 today", "", "still nothing", "email chan@example.com"]
    df = pd.DataFrame({"response_id": list("abcde"), "text_norm": pd.Series(texts, dtype="str")})
    out = redact_pii(df)
    assert list(out["text_redacted"]) == [texts[0], "call [PHONE] today", "", texts[3], "email [EMAIL]"]
    assert list(out["pii_counts"]) == ["{}", '{"PHONE": 1}', "{}", "{}", '{"EMAIL": 1}']
    assert out.equals(redact_pii(df.astype({"text_norm": object})))  # Arrow-backed and object columns alike


def test_missing_text_is_an_empty_redaction():
    out = redact_pii(pd.DataFrame({"response_id": ["a", "b"], "text_norm": [None, float("nan")]}))
    assert list(out["text_redacted"]) == ["", ""] and list(out["pii_counts"]) == ["{}", "{}"]


def test_pii_stage_writes_both_tables(tmp_path):
    paths = RoundPaths(tmp_path / "r1", "r1")
    data = _planted(20)
    language = pd.DataFrame({"response_id": [f"r{i}" for i in range(20)], "text_norm": data["text"], "lang": "en"})
    write_table(language, paths.processed_table("language"))
    result = run_pii(paths)
    pii, audit = read_table(paths.processed_table("pii")), read_table(paths.processed_table("pii_audit"))
    assert result.rows_in == result.rows_out == 20 and len(pii) == 20
    assert len(audit) == sum(len(json.loads(c)) for c in data["spans"])


@pytest.mark.parametrize(
    ("trigger", "plain", "texts"),
    [
        (
            _EN_ADDRESS_TRIGGER,
            re.compile(r"\d[A-Z]?\s+[A-Z]|/F\b|\bFloor\b|\b(?:Flat|Room|Rm|Unit|Shop|Suite)\s*[A-Z0-9]{1,4}\b"),
            ["12 Nathan Road", "5A Queen", "3/F", "3/Fa", "Floor", "2nd Floor.", "aFloor", "Floors", "Flat A", "Flat",
             "flat A", "xFlat B", "Rm 12", "Rm12", "Room 7", "ARoom 7", "Unit 5", "Shop G1", "Suite 100",
             "Suite 10000", "ShopA", "/F", "F", "R", "S", "U", "1", "1 a", "Ｆloor", "_Flat 3", "é Unit 3", "9\u00a0K",
             "no address here"],
        ),
        (
            _URL_TRIGGER,
            re.compile(r"https?://|www\.", re.IGNORECASE),
            ["http://a", "HTTPS://a", "hTtPſ://a", "httpſ://", "http:/", "https//", "WwW.x", "ww.x", "wwww.", "w",
             "h", "xhttp://", "Www,", "no link"],
        ),
        (_ZH_ADDRESS_TRIGGER, re.compile(r"[號樓]|地下"), ["號", "樓", "地下", "地", "下", "地地下", "下地", "天台"]),
        (_DIGITS3, re.compile(r"\d{3}"), ["123", "12", "1 23", "١٢٣", "12a3", "x999y"]),
    ],
)  # fmt: skip
def test_triggers_fire_on_the_texts_their_plain_forms_do(trigger, plain, texts):
    for text in texts:
        assert (trigger.search(text) is None) == (plain.search(text) is None), text
