"""Ready selector sets for the two common shapes of published submissions; a source's own selectors override them.

(a) `committee_index`: a paginated table of submissions, one row per deputation (number, name, date, link to a PDF),
    as Legislative Council committee pages publish them.
(b) `consultation_pages`: a consultation page listing responses, each an HTML detail page (name, organisation, date,
    text, attachments) with a link to the same submission in the other language.
"""

from __future__ import annotations

from lxml.etree import XPathError
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from collect.forms import SourceError
from collect.roundfile import SpiderSelectors
from collect.spiders.parser import is_xpath


class SelectorError(SourceError):
    """A selector in round.yaml is neither valid CSS nor valid XPath; the message names it."""


# Both shapes: "next page" links in English or Chinese, the page language from <html lang>.
_COMMON = {
    "next_page": "//a[@rel='next']/@href | //a[normalize-space()='Next' or normalize-space()='下一頁']/@href",
    "lang": "/html/@lang",
}
_ATTACHMENT_LINKS = (
    "//a[contains(translate(@href, 'PDFOCXT', 'pdfocxt'), '.pdf') or contains(translate(@href, 'PDFOCXT', 'pdfocxt'),"
    " '.docx') or contains(translate(@href, 'PDFOCXT', 'pdfocxt'), '.txt')]/@href"
)


def _field(*labels: str) -> str:
    """XPath of the <dd> after a <dt> whose label contains any of `labels` (definition-list detail pages)."""
    test = " or ".join(f"contains(., '{label}')" for label in labels)
    return f"//dt[{test}]/following-sibling::dd[1]"


PRESETS: dict[str, dict[str, str]] = {
    "committee_index": {
        **_COMMON,
        "listing_items": "//table//tr[td//a[@href]]",
        "listing_link": "./td//a/@href",
        "listing_author": "./td[2]",
        "listing_date": "./td[3]",
    },
    "consultation_pages": {
        **_COMMON,
        "listing_items": "//main//li[a[@href]]",
        "listing_link": "./a/@href",
        "listing_title": "./a",
        "detail_title": "//h1",
        "detail_author": _field("Name", "姓名"),
        "detail_organisation": _field("Organisation", "Organization", "機構", "團體", "组织"),
        "detail_date": _field("Date", "日期"),
        "detail_body": "//article//p",
        "detail_attachments": _ATTACHMENT_LINKS,
        "detail_alternate": "//link[@rel='alternate'][@hreflang]/@href | //a[@hreflang]/@href",
    },
}


def resolve_selectors(preset: str | None, selectors: SpiderSelectors) -> dict[str, str]:
    """The preset's selectors with the source's own (non-empty) selectors laid over them."""
    merged = dict(PRESETS[preset]) if preset else {"lang": _COMMON["lang"]}
    merged.update({k: v for k, v in selectors.model_dump().items() if v})
    for name, query in merged.items():
        check_selector(name, query)
    return merged


def check_selector(name: str, query: str) -> None:
    """Raise SelectorError when `query` does not compile (XPath if it starts with "/", "(" or "./", else CSS)."""
    try:
        if is_xpath(query):
            Selector(text="<html></html>").xpath(query)
        else:
            HTMLTranslator().css_to_xpath(query)
    except (XPathError, ValueError, SyntaxError) as e:
        kind = "XPath" if is_xpath(query) else "CSS"
        raise SelectorError(f"selector {name}: not valid {kind}: {query!r} ({e})") from e
