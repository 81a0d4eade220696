"""Run a round's crawls in a Python subprocess, with progress reported line by line.

A subprocess gives every call a fresh Twisted reactor, so a notebook kernel can crawl again and again (Scrapy issue
#2594: ReactorNotRestartable). The child (`python -m collect.spiders.runner ROUND_DIR SOURCE...`) crawls the sources
side by side, prints one JSON line per fetch and a last line with each finish reason; its log goes to raw/crawl.log.
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


@dataclass(frozen=True)
class Counts:
    """Running totals of one crawl."""

    fetched: int = 0
    unchanged: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.fetched} fetched, {self.unchanged} unchanged, {self.failed} failed"


Progress = Callable[[str, Counts], None]


class CrawlError(SourceError):
    """A crawl could not run or died; the message is one line naming the source."""


@dataclass(frozen=True)
class CrawlSummary:
    """What one crawl did."""

    source: str
    counts: Counts
    finish_reason: str
    seconds: float

    def __str__(self) -> str:
        state = "finished" if self.finished else f"stopped ({self.finish_reason}); run again to resume"
        return f"{self.source}: {self.counts} in {self.seconds:.1f}s, {state}"

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
    """Crawl every spider source of a round (or only `source`) in one subprocess, the sources side by side.

    A source's JOBDIR is kept only when its crawl stopped early, so that the next call resumes it.

    Args:
        path: the round folder or its round.yaml.
        source: only this spider source.
        max_pages: stop each crawl after this many responses; the next call resumes where it stopped.
        progress: called with (source name, running counts) after every fetch.

    Raises:
        CrawlError: no such spider source, or the crawl died (the message quotes raw/crawl.log).

    """
    sources, root = spider_sources(path, source)
    names = [s.name for s in sources]
    stores = {name: RawStore.for_source(root, name) for name in names}
    cmd = [sys.executable, "-m", "collect.spiders.runner", str(root), *names]
    if max_pages:
        cmd += ["--max-pages", str(max_pages)]
    start, counts, reasons = time.perf_counter(), dict.fromkeys(names, Counts()), {}
    log_file = root / "raw" / "crawl.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8")
        for line in proc.stdout:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            if "progress" in msg:
                counts[msg["source"]] = Counts(**msg["progress"])
                if progress:
                    progress(msg["source"], counts[msg["source"]])
            reasons.update(msg.get("finish_reasons", {}))
        code = proc.wait()
    if code != 0 or set(reasons) != set(names):
        tail = [ln for ln in log_file.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        raise CrawlError(f"crawl of {', '.join(names)} failed (exit {code}): {tail[-1] if tail else 'no log'}")
    seconds = round(time.perf_counter() - start, 3)
    for name in names:
        if reasons[name] == "finished":  # a finished crawl's "seen" set would block the next crawl
            shutil.rmtree(stores[name].job_dir, ignore_errors=True)
    return [CrawlSummary(name, counts[name], reasons[name], seconds) for name in names]


def _run_child(round_dir: str, names: list[str], max_pages: int | None) -> dict[str, str | None]:
    """Inside the subprocess: run the sources' crawls together; return each one's finish reason (None: unfinished)."""
    from scrapy.crawler import Crawler, CrawlerProcess

    from collect.spiders.presets import resolve_selectors
    from collect.spiders.settings import crawl_settings
    from collect.spiders.site import SubmissionSpider

    chosen, root = spider_sources(round_dir)
    process = CrawlerProcess(settings={"LOG_LEVEL": "WARNING"})
    crawlers = {}
    for i, source in enumerate(s for s in chosen if s.name in names):
        store = RawStore.for_source(root, source.name)
        # The first crawler installs the reactor, as CrawlerProcess.create_crawler does; each has its own settings.
        crawler = Crawler(SubmissionSpider, crawl_settings(source, store, max_pages=max_pages), init_reactor=i == 0)
        crawlers[source.name] = crawler
        process.crawl(
            crawler,
            start_urls=source.start_urls,
            selectors=resolve_selectors(source.preset, source.selectors),
            store_root=str(store.root),
            allowed_domains=source.allowed_domains or sorted({urlsplit(u).hostname or "" for u in source.start_urls}),
            max_mb=source.max_download_mb,
        )
    process.start()
    return {name: crawler.stats.get_value("finish_reason") for name, crawler in crawlers.items()}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the crawl subprocess."""
    parser = argparse.ArgumentParser(prog="python -m collect.spiders.runner")
    parser.add_argument("round_dir")
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--max-pages", type=int, default=None)
    args = parser.parse_args(argv)
    reasons = _run_child(args.round_dir, args.sources, args.max_pages)
    unfinished = [name for name, reason in reasons.items() if reason is None]
    if unfinished:
        sys.exit(f"the crawl of {', '.join(unfinished)} did not finish; see the errors above")
    print(json.dumps({"finish_reasons": reasons}), flush=True)


if __name__ == "__main__":
    main()
