"""The raw store's manifest and reading a stored crawl back into responses/rejects (no network, no crawl)."""

import json
from pathlib import Path

import pytest

from collect.roundfile import SpiderSource
from collect.spiders.rawstore import RawStore, StoreError
from collect.spiders.submissions import CrawlReadError, read_crawl

TEXTS = json.loads((Path(__file__).parents[1] / "fixtures" / "crawl" / "texts.json").read_text(encoding="utf-8"))
ZH = [t["text"] for t in TEXTS["zh"]]
EN = [t["text"] for t in TEXTS["en"]]
SOURCE = SpiderSource(name="views", kind="spider", preset="consultation_pages", start_urls=["https://gov.hk/en/"])


def detail(lang: str, text: str, alt: str = "", extra: str = "") -> bytes:
    link = f'<link rel="alternate" hreflang="x" href="{alt}">' if alt else ""
    return (
        f'<html lang="{lang}"><head>{link}</head><body><main><h1>T</h1><article><p>{text}</p></article>{extra}'
        "</main></body></html>"
    ).encode()


def store_page(store: RawStore, url: str, page_type: str, body: bytes) -> None:
    rel = store.file_for(url, page_type)
    path = store.root.parents[1] / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    store.append({"url": url, "page_type": page_type, "status": 200, "file": rel, "sha256": "x", "fetched_at": "t"})


def fake_extract(data: bytes, filename: str):
    return (data.decode(), None) if filename.endswith(".txt") else ("", "no text layer")


def test_source_names_stay_inside_the_round(tmp_path):
    with pytest.raises(StoreError):
        RawStore.for_source(tmp_path, "../elsewhere")
    assert RawStore.for_source(tmp_path, "legco-2024").root == tmp_path.resolve() / "raw" / "legco-2024"


def test_manifest_skips_torn_lines_and_keeps_copies_after_a_failure(tmp_path):
    store = RawStore.for_source(tmp_path, "views")
    store_page(store, "https://gov.hk/en/1", "detail", detail("en", EN[0]))
    store.append({"url": "https://gov.hk/en/1", "page_type": "detail", "status": 0, "file": "", "reason": "HTTP 503"})
    with open(store.manifest, "a", encoding="utf-8") as f:
        f.write('{"url": "https://gov.hk/en/2", "page_')  # a crawl killed mid-write
    rows = store.read_manifest()
    assert list(rows) == ["https://gov.hk/en/1"] and rows["https://gov.hk/en/1"]["status"] == 200


def test_nothing_crawled_is_a_clear_error(tmp_path):
    with pytest.raises(CrawlReadError, match="consult crawl"):
        read_crawl(tmp_path, SOURCE, "r1")


def test_pairs_become_one_submission_with_ids_that_survive_the_other_language_appearing(tmp_path):
    store = RawStore.for_source(tmp_path, "views")
    en, zh = "https://gov.hk/en/1.html", "https://gov.hk/tc/1.html"
    store_page(store, en, "detail", detail("en", EN[0], alt=zh))
    before, _, _ = read_crawl(tmp_path, SOURCE, "r1", extract=fake_extract)
    store_page(store, zh, "detail", detail("zh-HK", ZH[0], alt=en))
    after, rejects, files = read_crawl(tmp_path, SOURCE, "r1", extract=fake_extract)
    assert len(before) == len(after) == 1 and rejects.empty and len(files) == 2
    assert before["response_id"][0] == after["response_id"][0]
    assert after["text"][0] == ZH[0]  # primary_lang zh
    assert json.loads(after["meta"][0])["text_en"] == EN[0].replace("  ", " ")  # runs of spaces collapsed


def test_attachments_join_the_page_text_and_unreadable_ones_are_rejected(tmp_path):
    store = RawStore.for_source(tmp_path, "views")
    page = "https://gov.hk/en/2.html"
    links = '<a href="/files/2.txt">letter</a><a href="/files/2.pdf">scan</a>'
    store_page(store, page, "detail", detail("en", EN[1], extra=links))
    store_page(store, "https://gov.hk/files/2.txt", "attachment", ZH[1].encode())
    store_page(store, "https://gov.hk/files/2.pdf", "attachment", b"%PDF-1.4 scanned")
    store_page(store, "https://gov.hk/en/3.html", "detail", detail("en", ""))
    responses, rejects, _ = read_crawl(tmp_path, SOURCE, "r1", extract=fake_extract)
    assert len(responses) == 1 and responses["text"][0].endswith("\n\n" + ZH[1])
    assert sorted(zip(rejects["source"], rejects["reason"], strict=True)) == [
        ("https://gov.hk/en/3.html", "no submission text on the page"),
        ("https://gov.hk/files/2.pdf", "no text layer"),
    ]
