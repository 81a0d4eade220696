"""Where a spider source keeps what it fetched: raw/<source>/ with files named by URL hash and a manifest.

The manifest is an append-only JSON-lines log (one line per fetch: url, page_type, status, fetched_at, sha256, file,
ETag, Last-Modified), so a crawl that is stopped half-way loses nothing it wrote and a resumed or repeated crawl
knows what it already has. Everything stays inside the round folder.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from collect.forms import SourceError

MANIFEST = "manifest.jsonl"
_SUFFIX = re.compile(r"\.(pdf|docx|doc|txt|rtf|html?)$", re.IGNORECASE)
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StoreError(SourceError):
    """The source cannot have a raw folder (its name would leave the round folder)."""


@dataclass(frozen=True)
class RawStore:
    """The raw folder of one spider source."""

    root: Path

    @classmethod
    def for_source(cls, round_dir: Path, source_name: str) -> RawStore:
        """The store of `source_name` inside `round_dir`/raw; the name must be a plain folder name."""
        if not _SLUG.match(source_name):
            raise StoreError(f"source name {source_name!r} must be letters, digits, '.', '_' or '-' to name a folder")
        return cls(Path(round_dir).resolve() / "raw" / source_name)

    @property
    def manifest(self) -> Path:
        """The append-only fetch log."""
        return self.root / MANIFEST

    @property
    def job_dir(self) -> Path:
        """Scrapy's JOBDIR: the pending queue of a stopped crawl, removed when a crawl finishes."""
        return self.root / ".job"

    @property
    def cache_dir(self) -> Path:
        """Scrapy's HTTP cache (development only)."""
        return self.root / ".httpcache"

    def file_for(self, url: str, page_type: str) -> str:
        """The stored file name of a URL, relative to the round folder: raw/<source>/files/<hash><suffix>."""
        match = _SUFFIX.search(urlsplit(url).path)
        suffix = match.group(0).lower() if match else (".html" if page_type != "attachment" else ".bin")
        name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + suffix
        return f"raw/{self.root.name}/files/{name}"

    def open_manifest(self) -> TextIO:
        """The manifest opened for appending, line-buffered: each row reaches the file as one short write."""
        self.root.mkdir(parents=True, exist_ok=True)
        return open(self.manifest, "a", encoding="utf-8", buffering=1)

    def append(self, row: dict, manifest: TextIO | None = None) -> None:
        """Add one row to the manifest (a torn last line, from a killed crawl, is skipped by `read_manifest`)."""
        line = json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
        if manifest is not None:
            manifest.write(line)
            return
        with self.open_manifest() as f:
            f.write(line)

    def read_manifest(self) -> dict[str, dict]:
        """URL -> its latest usable row: a later failure never hides a copy fetched earlier."""
        latest: dict[str, dict] = {}
        if not self.manifest.is_file():
            return latest
        for line in self.manifest.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a killed crawl
            if row.get("file") or not latest.get(row["url"], {}).get("file"):
                latest[row["url"]] = row
        return latest
