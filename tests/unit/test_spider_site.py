"""The spider's callbacks on saved responses (no network): what it stores, follows and reports as failed."""

import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from collect.spiders.items import FetchedFile, FetchFailure
from collect.spiders.presets import PRESETS
from collect.spiders.site import SubmissionSpider, describe_failure, is_attachment_url

ZH = [t["text"] for t in json.loads((Path(__file__).parents[1] / "fixtures/crawl/texts.json").read_text("utf-8"))["zh"]]


@pytest.fixture
def spider(tmp_path):
    root = tmp_path / "raw" / "views"
    return SubmissionSpider(["https://gov.hk/l"], PRESETS["consultation_pages"], str(root), ["gov.hk"], 0.1)


def answer(url: str, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8", cls=HtmlResponse):
    request = Request(url, meta={"page_type": "detail", "referer": "https://gov.hk/l"})
    return cls(url, status=status, body=body, headers={"Content-Type": ctype}, request=request)


def test_detail_page_is_stored_and_its_links_followed(spider):
    html = (
        '<html lang="zh-HK"><head><link rel="alternate" hreflang="en" href="/en/1.html"></head><body><main>'
        f'<article><p>{ZH[0]}</p></article><a href="/f/1.docx">附件</a></main></body></html>'
    )
    out = list(spider.parse_detail(answer("https://gov.hk/tc/1.html", html.encode())))
    assert isinstance(out[0], FetchedFile) and out[0].page_type == "detail" and out[0].body == html.encode()
    assert [(r.url, r.meta["page_type"]) for r in out[1:]] == [
        ("https://gov.hk/f/1.docx", "attachment"),
        ("https://gov.hk/en/1.html", "detail"),
    ]


def test_a_page_link_that_serves_a_pdf_is_stored_as_an_attachment(spider):
    out = list(
        spider.parse_detail(answer("https://gov.hk/view?id=3", b"%PDF-1.4", ctype="application/pdf", cls=Response))
    )
    assert len(out) == 1 and out[0].page_type == "attachment"


def test_not_modified_without_a_stored_copy_is_a_failure_not_a_crash(spider):
    out = list(spider.parse_detail(answer("https://gov.hk/tc/9.html", b"", status=304)))
    assert len(out) == 1 and isinstance(out[0], FetchFailure)
    assert out[0].reason == "HTTP 304 for a page never stored"


def test_conditional_headers_only_for_stored_pages(spider):
    spider.known = {"https://gov.hk/a": {"file": "raw/views/files/a.html", "etag": '"e1"', "last_modified": "x"}}
    asked = spider._request("https://gov.hk/a", "detail")
    assert asked.headers[b"If-None-Match"] == b'"e1"' and asked.headers[b"If-Modified-Since"] == b"x"
    assert b"If-None-Match" not in spider._request("https://gov.hk/b", "detail").headers


def test_failure_reasons():
    request = Request("https://gov.hk/x", meta={"retry_times": 2})
    gone = HtmlResponse("https://gov.hk/x", status=503, body=b"", request=request)
    assert describe_failure(Failure(HttpError(gone)), 50) == "HTTP 503 after 2 retries"
    assert describe_failure(Failure(IgnoreRequest("Forbidden by robots.txt")), 50) == "forbidden by robots.txt"
    too_big = Failure(DownloadCancelledError("too big"))
    assert describe_failure(too_big, 0.5) == "larger than the maximum download size (0.5 MB)"


def test_attachment_urls_by_suffix():
    assert is_attachment_url("https://www.legco.gov.hk/yr2024/chinese/panels/papers/cb1-2.PDF")
    assert not is_attachment_url("https://gov.hk/views/pdf-list.html")
