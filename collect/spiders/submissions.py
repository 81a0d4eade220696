"""Read a finished (or stopped) crawl back from raw/<source>/ into `responses` and `rejects` rows. Pure but for reads.

Rules (DESIGN.md data contract; issue 5):
- A submission is a detail page, with its other-language versions and its attachments, or a listing entry that
  links straight to a document (committee index tables).
- Pages that declare each other as alternates (<link rel="alternate" hreflang>) are one bilingual submission: the
  `primary_lang` version fills `text`, the other goes to meta (`text_en`/`text_zh`, `url_*`, `title_*`).
- Ids come from the submission's canonical URL, the smallest of its page URLs and declared alternates, so they stay
  the same when the other-language page is published later or the crawl is repeated.
- Every failed fetch, unreadable attachment or page without text is a `rejects` row with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pandas as pd
from scrapy.http import HtmlResponse

from collect.forms import SourceError
from collect.roundfile import SpiderSource
from collect.schema import (
    coerce_responses,
    empty_responses,
    make_rejects,
    make_response_id,
    make_submission_id,
    to_meta,
)
from collect.spiders.items import DetailPage, ListingEntry
from collect.spiders.parser import guess_lang, parse_detail, parse_listing
from collect.spiders.presets import resolve_selectors
from collect.spiders.rawstore import RawStore

Extractor = Callable[[bytes, str], tuple[str, "str | None"]]
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DAY_FIRST = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{4}$")


class CrawlReadError(SourceError):
    """A spider source has nothing stored yet; the message says what to run."""


@dataclass
class _Group:
    """One submission being assembled."""

    key: str
    kind: str  # "detail" or "attachment"
    pages: list[DetailPage] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)


def parse_date(text: str) -> pd.Timestamp | None:
    """A date as published: ISO, "5/3/2024" (day first, as Hong Kong writes it) or "2024年3月5日"; None if unsure."""
    text = text.strip()
    if not text:
        return None
    zh = _ZH_DATE.search(text)
    if zh:
        text = "{}-{:0>2}-{:0>2}".format(*zh.groups())
    stamp = pd.to_datetime(text, utc=True, errors="coerce", dayfirst=bool(_DAY_FIRST.match(text)))
    return None if pd.isna(stamp) else stamp


def _reject(url: str, page_type: str, reason: str, excerpt: str = "") -> dict:
    return {"source": url, "source_key": page_type, "reason": reason, "raw_excerpt": excerpt[:200]}


class _Crawl:
    """The stored pages of one source, parsed once, with redirects resolved."""

    def __init__(self, round_dir: Path, store: RawStore, selectors: dict[str, str]) -> None:
        self.round_dir = round_dir
        self.rows = dict(sorted(store.read_manifest().items()))
        self.redirects = {r["requested_url"]: u for u, r in self.rows.items() if r.get("requested_url", u) != u}
        self.entries: dict[str, ListingEntry] = {}
        self.details: dict[str, DetailPage] = {}
        for url, row in self.rows.items():
            if row.get("file") and row["page_type"] == "listing":
                for entry in parse_listing(self._response(url), selectors).entries:
                    self.entries.setdefault(self.resolve(entry.url), entry)
            elif row.get("file") and row["page_type"] == "detail":
                self.details[url] = parse_detail(self._response(url), selectors)

    def resolve(self, url: str) -> str:
        """The final URL after redirects."""
        return self.redirects.get(url, url)

    def path(self, url: str) -> Path:
        """The stored file of a URL."""
        return self.round_dir / self.rows[url]["file"]

    def _response(self, url: str) -> HtmlResponse:
        ctype = self.rows[url].get("content_type") or "text/html"
        return HtmlResponse(url, body=self.path(url).read_bytes(), headers={"Content-Type": ctype})

    def attachments(self) -> list[str]:
        """URLs of stored attachments."""
        return [u for u, r in self.rows.items() if r.get("file") and r["page_type"] == "attachment"]

    def failures(self) -> list[dict]:
        """Rows of fetches that never gave a stored copy."""
        return [r for r in self.rows.values() if not r.get("file")]


def _groups(crawl: _Crawl) -> list[_Group]:
    """Bilingual detail pages joined (union-find over alternate links); documents no detail page claims stand alone."""
    parent = {u: u for u in crawl.details}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for url, page in crawl.details.items():
        for alt in map(crawl.resolve, page.alternates):
            if alt in parent:
                parent[max(find(url), find(alt))] = min(find(url), find(alt))
    groups: dict[str, _Group] = {}
    for url, page in crawl.details.items():
        group = groups.setdefault(find(url), _Group(key="", kind="detail"))
        group.pages.append(page)
    claimed = set()
    for group in groups.values():
        declared = {u for p in group.pages for u in [p.url, *map(crawl.resolve, p.alternates)]}
        group.key = min(declared)
        group.attachments = list(dict.fromkeys(crawl.resolve(a) for p in group.pages for a in p.attachments))
        claimed.update(group.attachments)
    loose = [_Group(key=u, kind="attachment", attachments=[u]) for u in crawl.attachments() if u not in claimed]
    return sorted([*groups.values(), *loose], key=lambda g: g.key)


def _filename(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or "attachment"


def _attachment_texts(crawl: _Crawl, urls: Iterable[str], extract: Extractor) -> tuple[list[str], list[dict]]:
    texts, rejects = [], []
    for url in urls:
        if url not in crawl.rows or not crawl.rows[url].get("file"):
            continue  # never fetched: its failure is already a rejects row
        text, reason = extract(crawl.path(url).read_bytes(), _filename(url))
        if reason:
            rejects.append(_reject(url, "attachment", reason))
        else:
            texts.append(text)
    return texts, rejects


def _record(group: _Group, crawl: _Crawl, texts: list[str], *, round_id: str, channel: str, primary_lang: str) -> dict:
    """One `responses` row for an assembled submission."""
    pages = sorted(group.pages, key=lambda p: (p.lang != primary_lang, p.url))
    primary = pages[0] if pages else None
    urls = [p.url for p in pages] or group.attachments
    entry = next((crawl.entries[u] for u in urls if u in crawl.entries), ListingEntry(url="", listing_url=""))

    def pick(name: str) -> str:
        return next((getattr(p, name) for p in pages if getattr(p, name)), "") or getattr(entry, name)

    text = "\n\n".join(t for t in [primary.body if primary else "", *texts] if t)
    lang = primary.lang if primary else guess_lang(text)
    meta = {
        "url": primary.url if primary else group.key,
        "lang": lang,
        "title": pick("title"),
        "author": pick("author"),
    }
    meta.update({"attachments": " ".join(group.attachments), "listing_url": entry.listing_url, "date": pick("date")})
    for other in pages[1:]:
        meta.update(
            {f"url_{other.lang}": other.url, f"title_{other.lang}": other.title, f"text_{other.lang}": other.body}
        )
    received = parse_date(meta["date"])
    organisation = pick("organisation")
    return {
        "response_id": make_response_id(round_id, group.key, group.kind, "general"),
        "submission_id": make_submission_id(round_id, group.key, group.kind),
        "round": round_id,
        "channel": channel,
        "source": group.key,
        "source_key": group.kind,
        "question_id": "general",
        "received_at": received,
        "respondent_type": "organisation" if organisation else "unknown",
        "organisation": organisation or None,
        "text": text,
        "meta": to_meta({k: v for k, v in meta.items() if v}),
    }


def read_crawl(
    round_dir: Path, source: SpiderSource, round_id: str, extract: Extractor | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """Turn what a spider source stored into `responses` and `rejects`.

    Args:
        round_dir: the round folder.
        source: the spider source (its selectors parse the stored pages again).
        round_id: the round the rows belong to.
        extract: document text extraction (default: collect.documents.extract_document).

    Returns:
        (responses, rejects, stored files read). One response per submission (question "general").

    Raises:
        CrawlReadError: nothing was crawled for this source yet.

    """
    if extract is None:
        from collect.documents import extract_document as extract
    round_dir = Path(round_dir).resolve()
    store = RawStore.for_source(round_dir, source.name)
    if not store.manifest.is_file():
        raise CrawlReadError(
            f"source {source.name}: nothing crawled yet; run: consult crawl {round_dir} --source {source.name}"
        )
    crawl = _Crawl(round_dir, store, resolve_selectors(source.preset, source.selectors))
    rejects = [
        _reject(r["url"], r["page_type"], r.get("reason", "not fetched"), r.get("referer", ""))
        for r in crawl.failures()
    ]
    records = []
    for group in _groups(crawl):
        texts, bad = _attachment_texts(crawl, group.attachments, extract)
        rejects += bad
        if not texts and not any(p.body for p in group.pages):
            if group.pages:  # a lone failed document is already rejected above
                rejects.append(_reject(group.key, group.kind, "no submission text on the page", group.pages[0].title))
            continue
        records.append(
            _record(group, crawl, texts, round_id=round_id, channel=source.channel, primary_lang=source.primary_lang)
        )
    files = [crawl.path(u) for u, r in crawl.rows.items() if r.get("file")]
    responses = coerce_responses(records) if records else empty_responses()
    return responses, make_rejects(rejects), files
