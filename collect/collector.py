"""Run every source of a round and gather one `responses` and one `rejects` table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from collect.forms import SourceError, import_form, read_table_file
from collect.manifest import build_manifest
from collect.roundfile import RoundConfig
from collect.schema import coerce_responses, empty_responses, make_rejects


def collect_round(cfg: RoundConfig, round_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Import every source of the round.

    Returns:
        (responses, rejects, manifest). A source file that cannot be read at all raises SourceError naming it.

    """
    round_dir = Path(round_dir).resolve()
    responses, rejects, files = [], [], []
    for src in cfg.sources:
        path = (round_dir / src.path).resolve()
        if not path.is_relative_to(round_dir):
            raise SourceError(f"source {src.name}: path {src.path} leaves the round folder")
        if not path.is_file():
            raise SourceError(f"source {src.name}: file not found: {src.path}")
        rel = path.relative_to(round_dir).as_posix()
        table = read_table_file(path, src.sheet)
        got, bad = import_form(table, mapping=src.mapping, round_id=cfg.round, source=rel, channel=src.channel)
        responses.append(got)
        rejects.append(bad)
        files.append(path)
    all_responses = pd.concat(responses, ignore_index=True) if responses else empty_responses()
    all_rejects = pd.concat(rejects, ignore_index=True) if rejects else make_rejects([])
    return coerce_responses(all_responses), all_rejects, build_manifest(round_dir, files)
