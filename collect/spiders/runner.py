"""Run a round's crawls, each in its own Python subprocess, with progress reported line by line.

A subprocess gives every crawl a fresh Twisted reactor, so a notebook kernel can crawl again and again (Scrapy issue
#2594: ReactorNotRestartable). The child (`python -m collect.spiders.runner ROUND_DIR SOURCE`) prints one JSON line
per fetch and a last line with the finish reason; its Scrapy log goes to raw/<source>/crawl.log.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from collect.forms import SourceError
from collect.roundfile import SpiderSource, load_round
from collect.spiders.rawstore import RawStore

Progress = Callable[[str, dict], None]


class CrawlError(SourceError):
    """A crawl could not run or died; the message is one line naming the source."""


@dataclass(frozen=True)
class CrawlSummary:
    """What one crawl did."""

    source: str
    fetched: int
    unchanged: int
    failed: int
    finish_reason: str
    seconds: float

    @property
    def finished(self) -> bool:
        """False when the crawl stopped early (page limit, interrupt): the next crawl resumes it."""
        return self.finish_reason == "finished"


def spider_sources(path: Path | str, source: str | None = None) -> tuple[list[SpiderSource], Path]:
    """The round's spider sources (or the one named `source`) and the round folder."""
    cfg, root = load_round(path)
    spiders = [s for s in cfg.sources if isinstance(s, SpiderSource)]
    chosen = [s for s in spiders if source is None or s.name == source]
    if not chosen:
        names = ", ".join(s.name for s in spiders) or "none"
        wanted = f"named {source!r} " if source else ""
        raise CrawlError(f"{root / 'round.yaml'}: no spider source {wanted}(spider sources: {names})")
    return chosen, root


def crawl_round(
    path: Path | str, source: str | None = None, *, max_pages: int | None = None, progress: Progress | None = None
) -> list[CrawlSummary]:
    """Crawl every spider source of a round (or only `source`), one subprocess each.

    Args:
        path: the round folder or its round.yaml.
        source: only this spider source.
        max_pages: stop each crawl after this many responses; the next call resumes where it stopped.
        progress: called with (source name, running counts) after every fetch.

    Raises:
        CrawlError: no such spider source, or a crawl died (the message quotes its log).

    """
    sources, root = spider_sources(path, source)
    return [crawl_source(root, s.name, max_pages=max_pages, progress=progress) for s in sources]


def crawl_source(
    round_dir: Path, name: str, *, max_pages: int | None = None, progress: Progress | None = None
) -> CrawlSummary:
    """Crawl one spider source in a subprocess; keep its JOBDIR only when it stopped early (to resume)."""
    store = RawStore.for_source(round_dir, name)
    store.root.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "collect.spiders.runner", str(round_dir), name]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    start, counts, reason = time.perf_counter(), {"fetched": 0, "unchanged": 0, "failed": 0}, ""
    with open(store.log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8")
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "progress" in msg:
                counts = msg["progress"]
                if progress:
                    progress(name, {**counts, "url": msg.get("url", "")})
            reason = msg.get("finish_reason", reason)
        code = proc.wait()
    if code != 0 or not reason:
        tail = [ln for ln in store.log_file.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        raise CrawlError(f"crawl of {name} failed (exit {code}): {tail[-1] if tail else 'no log'}")
    if reason == "finished":
        shutil.rmtree(store.job_dir, ignore_errors=True)  # a finished crawl's "seen" set would block the next one
    return CrawlSummary(
        name, counts["fetched"], counts["unchanged"], counts["failed"], reason, time.perf_counter() - start
    )


def _run_child(round_dir: str, name: str, max_pages: int | None) -> str | None:
    """Inside the subprocess: run the Scrapy crawl and return its finish reason (None if it never finished)."""
    from scrapy.crawler import CrawlerProcess

    from collect.spiders.presets import resolve_selectors
    from collect.spiders.settings import crawl_settings
    from collect.spiders.site import SubmissionSpider

    (source,), root = spider_sources(round_dir, name)
    store = RawStore.for_source(root, source.name)
    process = CrawlerProcess(settings=crawl_settings(source, store, max_pages=max_pages))
    crawler = process.create_crawler(SubmissionSpider)
    process.crawl(
        crawler,
        start_urls=source.start_urls,
        selectors=resolve_selectors(source.preset, source.selectors),
        store_root=str(store.root),
        allowed_domains=source.allowed_domains or sorted({urlsplit(u).hostname or "" for u in source.start_urls}),
        max_mb=source.max_download_mb,
    )
    process.start()
    return crawler.stats.get_value("finish_reason")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the crawl subprocess."""
    parser = argparse.ArgumentParser(prog="python -m collect.spiders.runner")
    parser.add_argument("round_dir")
    parser.add_argument("source")
    parser.add_argument("--max-pages", type=int, default=None)
    args = parser.parse_args(argv)
    reason = _run_child(args.round_dir, args.source, args.max_pages)
    if reason is None:
        sys.exit("the crawl did not finish; see the errors above")
    print(json.dumps({"finish_reason": reason}), flush=True)


if __name__ == "__main__":
    main()
