"""Crawl benchmark: pages per second of consultkit's spider against a bare Scrapy spider, same site, same run.

A local site on 127.0.0.1 (a consultation listing of N detail pages, 20 links per listing page, real submission texts
from tests/fixtures/crawl) is crawled alternately by
- consultkit: `crawl_round` (subprocess, presets, raw store + manifest, JOBDIR, progress lines), and
- bare: a minimal Scrapy spider that follows the same listing and detail links and keeps nothing,
both with the same Scrapy politeness settings (robots.txt, AutoThrottle, concurrency per domain, no delay), both in a
fresh Python subprocess, both timed from launch to exit (wall seconds, and the subprocess's CPU seconds, which a busy
shared machine disturbs less). The ratios are consultkit / bare, of medians over the repeats.

Usage: .venv/bin/python scripts/bench_crawl.py [--details 2000] [--repeat 2] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT / "tests" / "fixtures" / "crawl" / "texts.json"
PER_LISTING = 20


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
        cmd = [sys.executable, __file__, "--bare-child", tmp]
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


def main() -> None:
    """Run both spiders alternately and print one JSON line per run, then the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="per-domain concurrency for both spiders")
    parser.add_argument("--bare-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        return bare_child(args.bare_child)
    pages = build_pages(args.details)
    server, base = serve(pages)
    runs = []
    for i in range(args.repeat):
        order = (("bare", run_bare), ("consultkit", run_consultkit))
        for name, run in order if i % 2 == 0 else order[::-1]:
            n, seconds, cpu = run(base, args.concurrency)
            runs.append(
                {
                    "spider": name,
                    "pages": n,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "pages_per_s": round(n / seconds, 1),
                    "pages_per_cpu_s": round(n / cpu, 1),
                }
            )
            print(json.dumps(runs[-1]), flush=True)
    server.shutdown()

    def median(spider: str, key: str) -> float:
        return statistics.median(r[key] for r in runs if r["spider"] == spider)

    wall = {s: median(s, "pages_per_s") for s in ("consultkit", "bare")}
    cpu = {s: median(s, "pages_per_cpu_s") for s in ("consultkit", "bare")}
    result = {
        "site_pages": len(pages) - 1,
        "concurrency_per_domain": args.concurrency,
        "median_pages_per_s": wall,
        "ratio": round(wall["consultkit"] / wall["bare"], 3),
        "median_pages_per_cpu_s": cpu,
        "cpu_ratio": round(cpu["consultkit"] / cpu["bare"], 3),
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
