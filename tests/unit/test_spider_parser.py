"""Pure parsing of saved pages (no network): committee tables, bilingual detail pages, Big5, selectors, dates."""

import json
from pathlib import Path

import pandas as pd
import pytest
from scrapy.http import HtmlResponse

from collect.roundfile import SpiderSelectors
from collect.spiders.middlewares import backoff_delay
from collect.spiders.parser import guess_lang, parse_detail, parse_listing
from collect.spiders.presets import PRESETS, SelectorError, resolve_selectors
from collect.spiders.submissions import parse_date

TEXTS = json.loads((Path(__file__).parents[1] / "fixtures" / "crawl" / "texts.json").read_text(encoding="utf-8"))
ZH = [t["text"] for t in TEXTS["zh"]]
EN = [t["text"] for t in TEXTS["en"]]


def page(url: str, html: str, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(url, body=html.encode(encoding), encoding=encoding)


def test_committee_table_rows_in_big5():
    html = (
        '<html lang="zh-HK"><head><meta charset="big5"></head><body><table>'
        "<tr><th>編號</th><th>團體名稱</th><th>日期</th><th>文件</th></tr>"
        '<tr><td>1</td><td>香港的士業議會</td><td>2024年3月6日</td><td><a href="papers/cb1-2.pdf">CB(1)2</a></td></tr>'
        "<tr><td>2</td><td>沒有連結</td><td></td><td></td></tr>"
        '</table><a href="?page=2">下一頁</a></body></html>'
    )
    got = parse_listing(page("https://www.legco.gov.hk/c/sub.htm", html, "big5"), PRESETS["committee_index"])
    assert [(e.url, e.author, e.date) for e in got.entries] == [
        ("https://www.legco.gov.hk/c/papers/cb1-2.pdf", "香港的士業議會", "2024年3月6日")
    ]
    assert got.next_url == "https://www.legco.gov.hk/c/sub.htm?page=2"


def test_detail_page_fields_alternate_and_attachments():
    html = (
        '<html lang="zh-HK"><head><meta charset="big5"><link rel="alternate" hreflang="en" href="/en/1.html">'
        "<script>var secret = 1;</script></head><body><main><h1>意見書 1</h1>"
        "<dl><dt>姓名</dt><dd>陳大文</dd><dt>機構</dt><dd>的士司機工會</dd><dt>日期</dt><dd>2024年3月5日</dd></dl>"
        f"<article><p>{ZH[0]}</p><p>  {ZH[1]}\u3000</p></article>"
        '<a href="/files/a.PDF#p2">附件</a><a href="/files/a.PDF">again</a></main></body></html>'
    )
    got = parse_detail(page("https://gov.hk/tc/1.html", html, "big5"), PRESETS["consultation_pages"])
    assert (got.lang, got.title, got.author, got.organisation, got.date) == (
        "zh",
        "意見書 1",
        "陳大文",
        "的士司機工會",
        "2024年3月5日",
    )
    assert got.body == f"{ZH[0]}\n\n{ZH[1]}"
    assert got.attachments == ["https://gov.hk/files/a.PDF"]
    assert got.alternates == ["https://gov.hk/en/1.html"]


def test_language_from_text_when_the_page_does_not_say():
    assert guess_lang(ZH[2]) == "zh"  # Chinese with Latin words ("UberX") inside
    assert guess_lang(EN[0]) == "en"
    assert guess_lang("12345") == ""
    html = f"<html><body><article><p>{EN[1]}</p></article></body></html>"
    assert parse_detail(page("https://x.org/1", html), PRESETS["consultation_pages"]).lang == "en"


def test_own_selectors_override_the_preset_and_bad_ones_are_named():
    mine = resolve_selectors("consultation_pages", SpiderSelectors(detail_body="div.letter p"))
    assert mine["detail_body"] == "div.letter p" and mine["detail_title"] == "//h1"
    with pytest.raises(SelectorError, match="selector detail_title: not valid XPath"):
        resolve_selectors(None, SpiderSelectors(detail_title="//h1["))
    with pytest.raises(SelectorError, match="not valid CSS"):
        resolve_selectors(None, SpiderSelectors(listing_items="td[2]"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年3月5日", "2024-03-05"),
        ("06/03/2024", "2024-03-06"),
        ("2024-03-07", "2024-03-07"),
        ("", None),
        ("soon", None),
    ],
)
def test_published_dates(text, expected):
    got = parse_date(text)
    assert got == (pd.Timestamp(expected, tz="UTC") if expected else None)


def test_backoff_doubles_then_caps_and_honours_retry_after():
    assert [backoff_delay(n, 0.5) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff_delay(20, 0.5) == 60.0
    assert backoff_delay(1, 0.5, b"7") == 7.0
    assert backoff_delay(1, 0.5, b"Wed, 21 Oct 2026 07:28:00 GMT") == 0.5  # date form: fall back to backoff
