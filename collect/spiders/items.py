"""What the spider yields (items as dataclasses) and what the pure parser returns."""

from __future__ import annotations

from dataclasses import dataclass, field

PAGE_TYPES = ("listing", "detail", "attachment")


@dataclass(frozen=True)
class FetchedFile:
    """One response to store under raw/: a listing page, a detail page or an attachment.

    `status` 304 means the server said "not modified": the stored copy stays and `body` is empty.
    """

    url: str
    page_type: str
    status: int
    body: bytes
    fetched_at: str
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    referer: str = ""
    requested_url: str = ""  # differs from `url` after a redirect


@dataclass(frozen=True)
class FetchFailure:
    """A request that gave no usable response; becomes a `rejects` row."""

    url: str
    page_type: str
    reason: str
    fetched_at: str
    referer: str = ""


@dataclass(frozen=True)
class ListingEntry:
    """One row of a listing page: a link to a detail page or an attachment, with what the row says about it."""

    url: str
    listing_url: str
    title: str = ""
    author: str = ""
    organisation: str = ""
    date: str = ""


@dataclass(frozen=True)
class ListingPage:
    """A parsed listing page."""

    entries: list[ListingEntry]
    next_url: str | None


@dataclass(frozen=True)
class DetailPage:
    """A parsed detail page: one submission in one language."""

    url: str
    lang: str
    title: str = ""
    author: str = ""
    organisation: str = ""
    date: str = ""
    body: str = ""
    attachments: list[str] = field(default_factory=list)
    alternates: list[str] = field(default_factory=list)
