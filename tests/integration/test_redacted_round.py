"""A small round with personal data: the PII stage counts and audits each piece (published files are scanned in
test_published_outputs.py)."""

import json

import pandas as pd
import pytest

from analyze.pipeline import run_round
from collect.roundfile import RoundPaths, load_round
from collect.storage import read_table

pytestmark = pytest.mark.slow

ROUND = """
round: pii
title: {en: "Redaction round", zh: "遮蓋測試"}
sources:
  - {name: f, kind: form, path: raw/export.csv, mapping: {text: views, id: ref}}
topics: {min_topic_size: 5}
publish: {quotes_per_topic: 10}
"""
# Generated values (valid HKID check digit, Luhn-valid card), none a real person's.
PERSONAL = {
    "HKID": "A123456(3)",
    "PHONE": "9123 4567",
    "EMAIL": "chan.taiman@example.com",
    "CARD": "4111 1111 1111 1111",
    "ADDRESS": "香港九龍旺角彌敦道123號5樓A室",
    "NAME": "陳大文",
}


def test_each_piece_of_personal_data_is_counted_and_audited(tmp_path, shared_data):
    comments = pd.read_csv(shared_data / "polis-vtaiwan-uberx" / "comments.csv").sort_values("comment-id")
    texts = comments["comment-body"].head(12).tolist()
    texts[0] += f" 身份證號碼：{PERSONAL['HKID']}，電話 {PERSONAL['PHONE']}"
    texts[1] += f" 電郵：{PERSONAL['EMAIL']} 信用卡 {PERSONAL['CARD']}"
    texts[2] += f" 地址：{PERSONAL['ADDRESS']}\n{PERSONAL['NAME']} 謹啟"
    root = tmp_path / "pii"
    (root / "raw").mkdir(parents=True)
    pd.DataFrame({"ref": range(len(texts)), "views": texts}).to_csv(root / "raw" / "export.csv", index=False)
    (root / "round.yaml").write_text(ROUND, encoding="utf-8")

    run_round(root, stages=("collect", "language", "pii"))

    cfg, _ = load_round(root)
    paths = RoundPaths(root, cfg.round)
    pii = read_table(paths.processed_table("pii"))
    counts = [json.loads(c) for c in pii["pii_counts"]]
    assert sum(sum(c.values()) for c in counts) == len(PERSONAL)
    audit = read_table(paths.processed_table("pii_audit"))
    assert sorted(audit["type"]) == sorted(PERSONAL)
    assert {"[HKID]", "[PHONE]"} <= set(pii["text_redacted"].str.findall(r"\[[A-Z]+\]").explode())
