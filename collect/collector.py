"""Run every source of a round and gather one `responses` and one `rejects` table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from collect.forms import SourceError
from collect.importer import expand_paths, import_file, source_name
from collect.manifest import build_manifest
from collect.roundfile import FormSource, RoundConfig, SpiderSource
from collect.schema import coerce_responses, empty_responses, make_rejects
from collect.storage import sha256_file

SOURCE_KIND_TO_IMPORT = {"form": "form", "email": "auto", "documents": "documents", "folder": "auto"}


def _source_files(src, round_dir: Path) -> list[Path]:
    path = (round_dir / src.path).resolve()
    if not path.is_relative_to(round_dir):
        raise SourceError(f"source {src.name}: path {src.path} leaves the round folder")
    if not path.exists():
        raise SourceError(f"source {src.name}: file not found: {src.path}")
    return expand_paths([path])


def collect_round(
    cfg: RoundConfig, round_dir: Path, digest: Callable[[Path], str] = sha256_file
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Import every source of the round; `digest` gives the manifest's sha256 of a file (see `build_manifest`).

    Returns:
        (responses, rejects, manifest). A source path that is missing or outside the round raises SourceError
        naming it; a file inside a source that cannot be read becomes a `rejects` row.

    """
    round_dir = Path(round_dir).resolve()
    responses, rejects, files = [], [], []
    for src in cfg.sources:
        if isinstance(src, SpiderSource):
            from collect.spiders.submissions import read_crawl  # imports scrapy: only when a round crawls

            got, bad, read = read_crawl(round_dir, src, cfg.round)
            responses.append(got)
            rejects.append(bad)
            files += read
            continue
        form = isinstance(src, FormSource)
        for path in _source_files(src, round_dir):
            chunks = import_file(
                path,
                round_id=cfg.round,
                source=source_name(path, round_dir),
                kind=SOURCE_KIND_TO_IMPORT[src.kind],
                preset=getattr(src, "preset", "auto"),
                mapping=src.mapping if form else None,
                sheet=src.sheet if form else 0,
                **cfg.limits.model_dump(),
            )
            for got, bad, _ in chunks:
                if form and src.channel != "form":
                    got = got.assign(channel=src.channel)
                responses.append(got)
                rejects.append(bad)
            files.append(path)
    all_responses = pd.concat(responses, ignore_index=True) if responses else empty_responses()
    all_rejects = pd.concat(rejects, ignore_index=True) if rejects else make_rejects([])
    return coerce_responses(all_responses), all_rejects, build_manifest(round_dir, files, digest)
