"""Item pipelines, one job each: store raw files with their manifest rows; report progress to the parent process."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from collect.spiders.items import FetchedFile, FetchFailure
from collect.spiders.rawstore import RawStore
from collect.storage import write_bytes


class RawStorePipeline:
    """Write each fetched file under raw/<source>/files (atomically) and log it in the manifest.

    A 304 answer, or a body whose sha256 matches the stored copy, keeps the stored file: the row says "unchanged".
    """

    def __init__(self, store: RawStore) -> None:
        self.store = store
        self.known: dict[str, dict] = {}
        self.manifest: TextIO | None = None

    @classmethod
    def from_crawler(cls, crawler):
        """Scrapy hook: the store folder comes from the CONSULTKIT_STORE setting."""
        return cls(RawStore(Path(crawler.settings["CONSULTKIT_STORE"])))

    def open_spider(self, spider=None) -> None:
        """Load what earlier crawls stored; open the manifest for this crawl's rows."""
        self.known = self.store.read_manifest()
        self.manifest = self.store.open_manifest()

    def close_spider(self, spider=None) -> None:
        """Close the manifest."""
        if self.manifest is not None:
            self.manifest.close()

    def process_item(self, item, spider=None):
        """Store a FetchedFile or log a FetchFailure; other items pass through."""
        if isinstance(item, FetchFailure):
            self.store.append({**asdict(item), "status": 0, "file": "", "sha256": ""}, self.manifest)
        elif isinstance(item, FetchedFile):
            self.store.append(self._store(item), self.manifest)
        return item

    def _store(self, item: FetchedFile) -> dict:
        row = {k: v for k, v in asdict(item).items() if k != "body"}
        before = self.known.get(item.url, {})
        if item.status == 304 and before.get("file"):
            row.update(file=before["file"], sha256=before["sha256"], changed=False)
            row.update({k: before.get(k, "") for k in ("content_type", "etag", "last_modified") if not row[k]})
        else:
            sha = hashlib.sha256(item.body).hexdigest()
            rel = self.store.file_for(item.url, item.page_type)
            unchanged = before.get("sha256") == sha and before.get("file") == rel
            if not unchanged:
                write_bytes(item.body, self.store.root.parents[1] / rel)
            row.update(file=rel, sha256=sha, size_bytes=len(item.body), changed=not unchanged)
        self.known[item.url] = row
        return row


class ProgressPipeline:
    """Print running totals as a JSON line to stdout (at most every `every_s` seconds, and at the end)."""

    def __init__(self, source: str, every_s: float = 0.25) -> None:
        self.source = source
        self.every_s = every_s
        self.last = 0.0
        self.counts = {"fetched": 0, "unchanged": 0, "failed": 0}

    @classmethod
    def from_crawler(cls, crawler):
        """Scrapy hook: the source name is the store folder's name."""
        return cls(Path(crawler.settings["CONSULTKIT_STORE"]).name)

    def process_item(self, item, spider=None):
        """Count the item; report when the last report is old enough."""
        if isinstance(item, FetchFailure):
            self.counts["failed"] += 1
        elif isinstance(item, FetchedFile):
            self.counts["unchanged" if item.status == 304 else "fetched"] += 1
        if time.monotonic() - self.last >= self.every_s:
            self._report()
        return item

    def close_spider(self, spider=None) -> None:
        """The final totals."""
        self._report()

    def _report(self) -> None:
        self.last = time.monotonic()
        print(json.dumps({"source": self.source, "progress": self.counts}), file=sys.stdout, flush=True)
