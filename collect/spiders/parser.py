"""Pure parsing of saved pages: a Scrapy TextResponse and selectors in, dataclasses out. No I/O, no crawling.

Selectors are CSS, or XPath when they start with "/", "(" or "./" (civic-scraper's parser.py pattern; tested on saved
pages built as `HtmlResponse(url, body=..., encoding="big5")`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from collect.spiders.items import DetailPage, ListingEntry, ListingPage

_SPACE = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_SKIP = "self::script or self::style or self::noscript"


def is_xpath(query: str) -> bool:
    """True for XPath selectors (they start with "/", "(" or "./"); anything else is CSS."""
    return query.startswith(("/", "(", "./"))


def _select(sel: Selector | TextResponse, query: str) -> SelectorList:
    return sel.xpath(query) if is_xpath(query) else sel.css(query)


def clean(text: str) -> str:
    """Collapse runs of spaces (including ideographic and no-break spaces) and trim each line; drop empty lines."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _node_text(node: Selector) -> str:
    """Text of an element (descendant text, scripts excluded) or the value of an attribute/text node."""
    if isinstance(node.root, str):
        return node.root
    return " ".join(node.xpath(f".//text()[not(ancestor::*[{_SKIP}])]").getall())


def texts(sel: Selector | TextResponse, query: str | None) -> list[str]:
    """Cleaned, non-empty texts of every node a selector matches, in document order."""
    if not query:
        return []
    return [t for t in (clean(_node_text(n)) for n in _select(sel, query)) if t]


def first_text(sel: Selector | TextResponse, query: str | None) -> str:
    """The first non-empty text a selector matches, or ""."""
    found = texts(sel, query)
    return found[0] if found else ""


def links(response: TextResponse, sel: Selector | TextResponse, query: str | None) -> list[str]:
    """Absolute URLs (fragments dropped) of the links a selector matches, first occurrence order, no repeats."""
    out: dict[str, None] = {}
    for raw in texts(sel, query):
        url = response.urljoin(raw.strip()).split("#", 1)[0]
        if url.startswith(("http://", "https://")):
            out.setdefault(url)
    return list(out)


def guess_lang(text: str) -> str:
    """Return "zh" when Chinese characters outnumber Latin letters, "en" when there is Latin text, else ""."""
    cjk, latin = len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk and cjk * 3 >= latin:  # one Chinese character carries about as much as a three-letter word
        return "zh"
    return "en" if latin else ""


def page_lang(response: TextResponse, query: str | None, fallback_text: str) -> str:
    """The page language as "zh" or "en": from the `lang` selector (e.g. <html lang="zh-HK">), else from its text."""
    declared = first_text(response, query).lower()
    if declared.startswith(("zh", "yue")):
        return "zh"
    if declared.startswith("en"):
        return "en"
    return guess_lang(fallback_text)


def _listing_rows(response: TextResponse, selectors: Mapping[str, str]) -> list[tuple[Selector, str]]:
    """(row, its link) for each listing row that has a link."""
    rows = []
    for item in _select(response, selectors.get("listing_items") or "//a[@href]/.."):
        found = links(response, item, selectors.get("listing_link") or "./a/@href")
        if found:
            rows.append((item, found[0]))
    return rows


def _next_url(response: TextResponse, selectors: Mapping[str, str]) -> str | None:
    nxt = links(response, response, selectors.get("next_page"))
    return nxt[0] if nxt and nxt[0] != response.url else None


def listing_links(response: TextResponse, selectors: Mapping[str, str]) -> tuple[list[str], str | None]:
    """(entry URLs, next-page URL) of a listing page: all the spider needs to follow it."""
    return [url for _, url in _listing_rows(response, selectors)], _next_url(response, selectors)


def parse_listing(response: TextResponse, selectors: Mapping[str, str]) -> ListingPage:
    """Entries (link + row fields) and the next-page link of a listing page."""
    entries = [
        ListingEntry(
            url=url,
            listing_url=response.url,
            title=first_text(item, selectors.get("listing_title")),
            author=first_text(item, selectors.get("listing_author")),
            organisation=first_text(item, selectors.get("listing_organisation")),
            date=first_text(item, selectors.get("listing_date")),
        )
        for item, url in _listing_rows(response, selectors)
    ]
    return ListingPage(entries=entries, next_url=_next_url(response, selectors))


def detail_links(response: TextResponse, selectors: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(attachment URLs, other-language URLs) of a detail page: all the spider needs to follow it."""
    attachments = links(response, response, selectors.get("detail_attachments"))
    alternates = [u for u in links(response, response, selectors.get("detail_alternate")) if u != response.url]
    return attachments, alternates


def parse_detail(response: TextResponse, selectors: Mapping[str, str]) -> DetailPage:
    """The fields of a detail page; the body's paragraphs are joined by blank lines."""
    body = "\n\n".join(texts(response, selectors.get("detail_body") or "//body"))
    attachments, alternates = detail_links(response, selectors)
    return DetailPage(
        url=response.url,
        lang=page_lang(response, selectors.get("lang"), body),
        title=first_text(response, selectors.get("detail_title")),
        author=first_text(response, selectors.get("detail_author")),
        organisation=first_text(response, selectors.get("detail_organisation")),
        date=first_text(response, selectors.get("detail_date")),
        body=body,
        attachments=attachments,
        alternates=alternates,
    )
