"""Nothing private and nothing executable reaches a published file (issue 12).

A small round of real comments, some with planted personal data and hostile text, runs end to end with every brief
format; then every file under reports/<round>/ is read as a reader's tool would read it and searched for each
planted value.
"""

import pandas as pd
import pytest

from analyze.pipeline import run_round
from analyze.publish import FORMATS
from collect.roundfile import RoundPaths, load_round

pytestmark = pytest.mark.slow

PLANTED = {  # value -> the sentence that carries it (typed here; the surrounding comments are real)
    "A123456(3)": "我的身份證號碼是 A123456(3)，請勿公開。",
    "9123 4567": "如有查詢請致電 9123 4567 聯絡我。",
    "+852 2345 6789": "Call me on +852 2345 6789 about the survey.",
    "chan.taiman@example.com": "Write to chan.taiman@example.com with questions.",
    "4111 1111 1111 1111": "My card 4111 1111 1111 1111 was charged for the form.",
    "彌敦道123號5樓A室": "我住在香港九龍旺角彌敦道123號5樓A室。",
    "Flat A, 5/F, 123 Nathan Road": "I live at Flat A, 5/F, 123 Nathan Road, Kowloon.",
    "陳大文": "以上意見，陳大文 謹啟",
    "Chan Tai Man": "Yours faithfully, Chan Tai Man",
}
HOSTILE = [
    '<script>alert("x")</script>please protect privacy',
    'see <a href="javascript:alert(1)">here</a> about surveillance',
    '=HYPERLINK("http://example.invalid","click") facial recognition is risky',
    "=cmd|' /C calc'!A0 do not use AI for welfare decisions",
    "@SUM(1+1) and +1-1 data sharing concerns",
]
ROUND = """
round: private
title: {en: "Privacy check", zh: "私隱檢查"}
sources:
  - {name: f, kind: form, path: raw/export.csv, mapping: {text: views, id: ref}}
topics: {min_topic_size: 5}
publish: {quotes_per_topic: 10}
"""


def _published_text(path):
    suffix = path.suffix.lower()
    if suffix in (".html", ".md", ".json", ".csv", ".txt", ".ipynb", ".svg"):
        return path.read_text(encoding="utf-8", errors="replace")
    if suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if suffix == ".docx":
        import docx

        doc = docx.Document(path)
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    if suffix == ".png":
        return ""  # pixels: their alt text lives in the HTML, which is scanned
    return path.read_bytes().decode("utf-8", "replace")  # anything else: its raw bytes


@pytest.fixture(scope="module")
def published_dir(tmp_path_factory, shared_data):
    shared = shared_data
    root = tmp_path_factory.mktemp("private") / "private"
    (root / "raw").mkdir(parents=True)
    zh = pd.read_csv(shared / "polis-vtaiwan-uberx" / "comments.csv").sort_values("comment-id")["comment-body"]
    en = pd.read_csv(shared / "polis-bowling-green" / "comments.csv").sort_values("comment-id")["comment-body"]
    real = zh.head(12).tolist() + en.head(12).tolist()
    planted = [f"{real[i]} {sentence}" for i, sentence in enumerate(PLANTED.values())]
    signed = [f"{text} 以上意見，陳大文 謹啟" for text in zh.iloc[12:24]]  # one name, often: a keyword if unredacted
    texts = planted + real[len(planted) :] + HOSTILE + signed
    pd.DataFrame({"ref": [f"p{i}" for i in range(len(texts))], "views": texts}).to_csv(
        root / "raw" / "export.csv", index=False
    )
    (root / "round.yaml").write_text(ROUND, encoding="utf-8")
    run_round(root, formats=FORMATS)
    cfg, _ = load_round(root)
    return RoundPaths(root, cfg.round).reports


@pytest.fixture(scope="module")
def published(published_dir):
    return {p.name: _published_text(p) for p in sorted(published_dir.rglob("*")) if p.is_file()}


def test_every_format_was_published(published):
    assert set(FORMATS) <= {name.rsplit(".", 1)[-1] for name in published}


@pytest.mark.parametrize("value", list(PLANTED))
def test_no_planted_personal_value_in_any_published_file(published, value):
    squashed = value.replace(" ", "")
    for name, text in published.items():
        assert value not in text and squashed not in text.replace(" ", ""), f"{value!r} published in {name}"


def test_submission_text_is_inert_in_every_format(published, published_dir):
    html = published["brief.html"]
    assert "<script>alert" not in html and 'href="javascript:' not in html
    from openpyxl import load_workbook

    (xlsx,) = published_dir.glob("*.xlsx")
    cells = [c for ws in load_workbook(xlsx) for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formula cells in the workbook"
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]


def test_a_frequent_name_never_becomes_a_topic_keyword(published_dir):
    from collect.storage import read_table

    topics = read_table(published_dir.parents[1] / "processed" / "topics.parquet")  # reports/<round> -> round
    words = {w for col in ("keywords_en", "keywords_zh") for v in topics[col] for w in v}
    labels = " ".join(topics["label_en"]) + " ".join(topics["label_zh"])
    assert "陳大文" not in labels and "大文" not in labels
    assert not {w for w in words if "大文" in w or w.lower() in ("name", "chan")}
