"""Retries with exponential backoff: Scrapy's RetryMiddleware retries at once; a busy server (429/5xx) needs a pause."""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware

MAX_BACKOFF_S = 60.0


def backoff_delay(retry_times: int, base_s: float, retry_after: bytes | None = None) -> float:
    """Seconds to wait before retry number `retry_times` (1, 2, ...): base * 2^(n-1), or the server's Retry-After.

    Retry-After (seconds form) wins when the server sends it; both are capped at one minute.
    """
    if retry_after and retry_after.strip().isdigit():
        return min(float(retry_after), MAX_BACKOFF_S)
    return min(base_s * 2 ** (retry_times - 1), MAX_BACKOFF_S)


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware that waits `backoff_delay` before handing back a retry of a 429/5xx answer."""

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self.base_s = settings.getfloat("CONSULTKIT_BACKOFF_BASE")

    async def process_response(self, request: Request, response, spider=None):
        """Retry as Scrapy would, pausing this request (not the crawl) before the retry."""
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(
                backoff_delay(result.meta["retry_times"], self.base_s, response.headers.get("Retry-After"))
            )
        return result
