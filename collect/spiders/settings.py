"""Scrapy settings for a spider source: polite by default, each with its reason (Scrapy's project template style)."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from collect.roundfile import SpiderSource
from collect.spiders.rawstore import RawStore

DEFAULT_USER_AGENT = "consultkit/{version} (public consultation analysis; user_agent in round.yaml adds a contact)"
RETRY_CODES = [408, 429, 500, 502, 503, 504, 522, 524]


def crawl_settings(source: SpiderSource, store: RawStore, *, max_pages: int | None = None) -> dict[str, Any]:
    """The Scrapy settings for one crawl of `source`, storing into `store`.

    Args:
        source: the validated round.yaml source.
        store: its raw folder (JOBDIR and the HTTP cache live inside it too, never outside the round).
        max_pages: stop after this many responses (overrides the source's `max_pages`); the next crawl resumes.

    """
    delay = source.download_delay
    limit = max_pages or source.max_pages
    return {
        # Sites say what robots may fetch; a public-sector tool obeys.
        "ROBOTSTXT_OBEY": True,
        # Site owners can see who is crawling and how to reach them.
        "USER_AGENT": source.user_agent or DEFAULT_USER_AGENT.format(version=version("consultkit")),
        # Slow down when the server slows down; never faster than the configured delay.
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(source.concurrency_per_domain),
        "DOWNLOAD_DELAY": delay,
        # At most two requests at a time to one site by default.
        "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency_per_domain,
        # Our pipelines are quick and synchronous: Scrapy's 100 item workers per response only cost task churn.
        "CONCURRENT_ITEMS": 16,
        # Busy (429) and failing (5xx) servers get retried later, with exponential backoff.
        "RETRY_TIMES": source.retries,
        "RETRY_HTTP_CODES": RETRY_CODES,
        "CONSULTKIT_BACKOFF_BASE": max(delay, 0.1),
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "collect.spiders.middlewares.BackoffRetryMiddleware": 550,
        },
        # A runaway file (or a wrong link to a video) must not fill the disk.
        "DOWNLOAD_MAXSIZE": int(source.max_download_mb * 2**20),
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": source.timeout_s,
        # Development: replay earlier answers instead of asking the site again.
        "HTTPCACHE_ENABLED": source.http_cache,
        "HTTPCACHE_DIR": str(store.cache_dir),
        # Resumable: the pending queue and seen requests survive a stop.
        "JOBDIR": str(store.job_dir),
        "CLOSESPIDER_PAGECOUNT": limit or 0,
        "CONSULTKIT_STORE": str(store.root),
        "ITEM_PIPELINES": {
            "collect.spiders.pipelines.RawStorePipeline": 100,
            "collect.spiders.pipelines.ProgressPipeline": 900,
        },
        # No listening ports, no stray files, logs only when something is wrong.
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # Scrapy 2.19's code-execution server, and its job file in the home folder
        "LOG_LEVEL": "WARNING",
    }
