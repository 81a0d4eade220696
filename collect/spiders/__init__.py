"""Spiders: gather submissions published on web pages into a round's raw/ folder (Scrapy), then read them back.

`consult crawl` runs `crawl_round` (runner.py), which starts each crawl in a subprocess so that a notebook kernel can
crawl again and again (Scrapy issue #2594: the Twisted reactor cannot restart). `consult collect` turns what was
fetched into `responses` and `rejects` with `read_crawl` (submissions.py); parsing is pure (parser.py).
"""
