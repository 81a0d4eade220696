"""The crawl benchmark: consultkit's spider against a bare Scrapy spider on the same local site, same run.

A local site on 127.0.0.1 (a consultation listing of N detail pages, 20 links per listing page, real submission texts
from tests/fixtures/crawl) is crawled alternately by
- consultkit: `crawl_round` (subprocess, presets, raw store + manifest, JOBDIR, progress lines), and
- bare: a minimal Scrapy spider that follows the same listing and detail links and keeps nothing,
both with the same Scrapy politeness settings (robots.txt, AutoThrottle, concurrency per domain, no delay), both in a
fresh Python subprocess, both timed from launch to exit. `consult bench` and scripts/bench_crawl.py use this module;
the bare spider's subprocess is `python -m analyze.bench_crawl --bare-child ROUND_DIR`.
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TEXTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "crawl" / "texts.json"
PER_LISTING = 20
SPIDERS = ("bare", "consultkit")


def site_pages(n_details: int) -> int:
    """Pages one crawl of the site fetches: the listing pages and the detail pages (robots.txt not counted)."""
    return n_details + -(-n_details // PER_LISTING)


def build_pages(n_details: int) -> dict[str, bytes]:
    """Listing pages /l/<k>.html (20 links each, rel=next) and detail pages /d/<i>.html with real texts."""
    texts = json.loads(TEXTS.read_text(encoding="utf-8"))
    pool = [t["text"] for t in texts["en"] + texts["zh"]]
    pages = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
    n_listings = -(-n_details // PER_LISTING)
    for k in range(n_listings):
        ids = range(k * PER_LISTING, min(n_details, (k + 1) * PER_LISTING))
        items = "".join(f'<li><a href="/d/{i}.html">Submission {i}</a></li>' for i in ids)
        nxt = f'<a rel="next" href="/l/{k + 1}.html">Next</a>' if k + 1 < n_listings else ""
        pages[f"/l/{k}.html"] = f'<html lang="en"><body><main><ul>{items}</ul>{nxt}</main></body></html>'.encode()
    for i in range(n_details):
        text = html.escape(pool[i % len(pool)])
        lang = "en" if i % len(pool) < len(texts["en"]) else "zh-HK"
        pages[f"/d/{i}.html"] = (
            f'<html lang="{lang}"><body><main><h1>Submission {i}</h1><dl><dt>Date</dt><dd>2024-03-05</dd></dl>'
            f"<article><p>{text}</p></article></main></body></html>"
        ).encode()
    return pages


def serve(pages: dict[str, bytes]) -> tuple[ThreadingHTTPServer, str]:
    """Serve the pages with keep-alive on a free port of 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            body = body if body is not None else b"not found"
            self.send_header("Content-Type", "text/plain" if self.path.endswith(".txt") else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def source_yaml(base: str, concurrency: int) -> str:
    """A one-source round.yaml for the benchmark site, without download delay."""
    return (
        "round: bench\ntitle: {en: Crawl benchmark, zh: 爬取基準}\nsources:\n"
        f'  - {{name: site, kind: spider, preset: consultation_pages, start_urls: ["{base}/l/0.html"], '
        f"download_delay: 0, concurrency_per_domain: {concurrency}}}\n"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_consultkit(base: str, concurrency: int) -> tuple[int, float, float]:
    """Pages fetched, wall seconds and CPU seconds of `crawl_round` (its subprocess) on a fresh round."""
    from collect.spiders.runner import crawl_round

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "round.yaml").write_text(source_yaml(base, concurrency), encoding="utf-8")
        start, cpu = time.perf_counter(), _children_cpu()
        (summary,) = crawl_round(tmp)
        return summary.counts.fetched, time.perf_counter() - start, _children_cpu() - cpu


def run_bare(base: str, concurrency: int) -> tuple[int, float, float]:
    """Pages fetched, wall seconds and CPU seconds of the bare spider's subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "round.yaml").write_text(source_yaml(base, concurrency), encoding="utf-8")
        start, cpu = time.perf_counter(), _children_cpu()
        cmd = [sys.executable, "-m", "analyze.bench_crawl", "--bare-child", tmp]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    return json.loads(out.stdout.strip().splitlines()[-1])["pages"], seconds, cpu


def bare_child(round_dir: str) -> None:
    """In a subprocess: the bare spider with the same politeness settings and none of consultkit's components."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from collect.roundfile import load_round
    from collect.spiders.rawstore import RawStore
    from collect.spiders.settings import crawl_settings

    cfg, root = load_round(round_dir)
    (source,) = cfg.sources
    settings = crawl_settings(source, RawStore.for_source(root, source.name))
    for ours in ("DOWNLOADER_MIDDLEWARES", "ITEM_PIPELINES", "JOBDIR", "CONSULTKIT_STORE", "CONSULTKIT_BACKOFF_BASE"):
        settings.pop(ours)

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = source.start_urls

        def parse(self, response):
            for href in response.css("main li a::attr(href)").getall():
                yield response.follow(href, self.parse_detail)
            yield from response.follow_all(response.css("a[rel=next]::attr(href)"), self.parse)

        def parse_detail(self, response):
            yield {"url": response.url}

    process = CrawlerProcess(settings=settings)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    robots = 1  # robots.txt is fetched by both and counted by neither
    print(json.dumps({"pages": crawler.stats.get_value("response_received_count", 0) - robots}))


def measure_crawl(spider: str, base: str, concurrency: int) -> dict:
    """One crawl by `spider` ("bare" or "consultkit"): pages, seconds, cpu_seconds and peak_rss_mib.

    NOTE: peak_rss_mib is RUSAGE_CHILDREN's high-water mark, the largest child this process ever waited for; it is
    the crawl subprocess's own peak only when this runs in a fresh process that has no other children.
    """
    run = run_bare if spider == "bare" else run_consultkit
    pages, seconds, cpu = run(base, concurrency)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"spider": spider, "pages": pages, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": rss}


def crawl_alternately(
    n_details: int,
    repeat: int = 2,
    concurrency: int = 8,
    run: Callable[[str, str, int], dict] = measure_crawl,
    on_run: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Serve the site and crawl it with both spiders, bare first, the order reversed every repeat (ABBA...).

    Args:
        n_details: detail pages of the site (plus one listing page per 20 of them).
        repeat: rounds of one crawl per spider.
        concurrency: requests at a time per domain, for both spiders.
        run: measures one crawl, `measure_crawl` or a wrapper that runs it in a fresh process.
        on_run: called with each run's dict as it finishes.

    Returns:
        One dict per crawl, in the order run (`measure_crawl`'s keys).

    """
    server, base = serve(build_pages(n_details))
    runs = []
    try:
        for i in range(repeat):
            for spider in SPIDERS if i % 2 == 0 else SPIDERS[::-1]:
                runs.append(run(spider, base, concurrency))
                if on_run:
                    on_run(runs[-1])
    finally:
        server.shutdown()
        server.server_close()
    return runs


def main() -> None:
    """Entry point of the bare spider's subprocess."""
    parser = argparse.ArgumentParser(prog="python -m analyze.bench_crawl")
    parser.add_argument("--bare-child", required=True, metavar="ROUND_DIR")
    bare_child(parser.parse_args().bare_child)


if __name__ == "__main__":
    main()
