"""The config-driven spider: follows listings, detail pages, attachments and other-language versions. It only crawls.

What it fetched goes to the raw store through the pipelines; `read_crawl` parses the stored pages afterwards.
Pages it already has are asked for with If-None-Match / If-Modified-Since, so a repeated crawl downloads only what
is new or changed; a 304 answer is parsed from the stored copy so its links are still followed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import TimeoutError as TxTimeoutError
from twisted.python.failure import Failure

from collect.spiders.items import FetchedFile, FetchFailure
from collect.spiders.parser import detail_links, listing_links
from collect.spiders.rawstore import RawStore

ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".txt", ".rtf")


def is_attachment_url(url: str) -> bool:
    """True when the URL's path names a document file rather than a page."""
    return urlsplit(url).path.lower().endswith(ATTACHMENT_SUFFIXES)


def describe_failure(failure: Failure, max_mb: float) -> str:
    """A one-line reason for a failed request, for its `rejects` row."""
    err = failure.value
    if isinstance(err, HttpError):
        status = err.response.status
        retried = err.response.meta.get("retry_times", 0)
        return f"HTTP {status}" + (f" after {retried} retries" if retried else "")
    if isinstance(err, IgnoreRequest):  # robots.txt or an offsite link; Scrapy's message says which
        text = str(err)
        return "forbidden by robots.txt" if "robots.txt" in text else text[:200]
    if isinstance(err, DownloadCancelledError | CancelledError):  # declared too big / cut off when it grew too big
        return f"larger than the maximum download size ({max_mb:g} MB)"
    if isinstance(err, DownloadTimeoutError | TxTimeoutError):
        return "timed out"
    return f"{type(err).__name__}: {err}".strip()[:200]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SubmissionSpider(scrapy.Spider):
    """Crawl one spider source: listings -> detail pages or attachments -> attachments and alternates."""

    name = "consultkit"

    def __init__(
        self,
        start_urls: list[str],
        selectors: Mapping[str, str],
        store_root: str,
        allowed_domains: list[str],
        max_mb: float,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls = list(start_urls)
        self.selectors = dict(selectors)
        self.store = RawStore(Path(store_root))
        self.allowed_domains = list(allowed_domains)
        self.max_mb = max_mb
        self.known = self.store.read_manifest()
        # A link that redirected last time is asked about with the validators of where it led.
        self.redirects = {r["requested_url"]: u for u, r in self.known.items() if r.get("requested_url", u) != u}

    async def start(self):
        """Each start URL is a listing page."""
        for url in self.start_urls:
            yield self._request(url, "listing")

    def _request(self, url: str, page_type: str, referer: str = "") -> scrapy.Request:
        before = self.known.get(self.redirects.get(url, url), {})
        headers = {}
        if before.get("file"):  # ask "changed since?" only when the stored copy is there to fall back on
            if before.get("etag"):
                headers["If-None-Match"] = before["etag"]
            if before.get("last_modified"):
                headers["If-Modified-Since"] = before["last_modified"]
        callback = {"listing": self.parse_listing, "detail": self.parse_detail, "attachment": self.parse_attachment}
        return scrapy.Request(
            url,
            callback=callback[page_type],
            errback=self.failed,
            headers=headers,
            meta={"page_type": page_type, "referer": referer, "handle_httpstatus_list": [304]},
        )

    def _fetched(self, response: Response, page_type: str) -> FetchedFile:
        headers = response.headers
        return FetchedFile(
            url=response.url,
            page_type=page_type,
            status=response.status,
            body=b"" if response.status == 304 else response.body,
            fetched_at=_now(),
            content_type=(headers.get("Content-Type") or b"").decode("latin-1"),
            etag=(headers.get("ETag") or b"").decode("latin-1"),
            last_modified=(headers.get("Last-Modified") or b"").decode("latin-1"),
            referer=response.meta.get("referer", ""),
            requested_url=(response.meta.get("redirect_urls") or [response.url])[0],
        )

    def _readable(self, response: Response) -> Response | None:
        """The response itself or, for a 304, the stored copy rebuilt with its Content-Type (None if there is none)."""
        if response.status != 304:
            return response
        before = self.known.get(response.url, {})
        if not before.get("file"):
            return None
        body = (self.store.root.parents[1] / before["file"]).read_bytes()
        headers = {"Content-Type": before.get("content_type") or "text/html"}
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return cls(response.url, body=body, headers=headers, request=response.request)

    def _page(self, response: Response, page_type: str) -> tuple[FetchedFile | FetchFailure, TextResponse | None]:
        """The item to store for a response, and the text page to follow links in (None for a document)."""
        readable = self._readable(response)
        if readable is None:
            return self._failure(response.request, "HTTP 304 for a page never stored"), None
        if not isinstance(readable, TextResponse):  # a "page" link that serves a document
            return self._fetched(response, "attachment"), None
        return self._fetched(response, page_type), readable

    def parse_listing(self, response: Response) -> Iterator[object]:
        """Store the listing page; follow each entry's link and the next page."""
        item, readable = self._page(response, "listing")
        yield item
        if readable is None:
            return
        entries, next_url = listing_links(readable, self.selectors)
        for url in entries:
            yield self._request(url, "attachment" if is_attachment_url(url) else "detail", referer=response.url)
        if next_url:
            yield self._request(next_url, "listing", referer=response.url)

    def parse_detail(self, response: Response) -> Iterator[object]:
        """Store the detail page; follow its attachments and its other-language versions."""
        item, readable = self._page(response, "detail")
        yield item
        if readable is None:
            return
        attachments, alternates = detail_links(readable, self.selectors)
        for url in attachments:
            yield self._request(url, "attachment", referer=response.url)
        for url in alternates:
            yield self._request(url, "detail", referer=response.url)

    def parse_attachment(self, response: Response) -> Iterator[object]:
        """Store the attachment; its text is extracted when the crawl is read."""
        yield self._fetched(response, "attachment")

    def failed(self, failure: Failure) -> Iterator[object]:
        """Turn a failed request into a FetchFailure item."""
        yield self._failure(failure.request, describe_failure(failure, self.max_mb))

    def _failure(self, request: scrapy.Request, reason: str) -> FetchFailure:
        return FetchFailure(
            url=request.url,
            page_type=request.meta.get("page_type", ""),
            reason=reason,
            fetched_at=_now(),
            referer=request.meta.get("referer", ""),
        )
