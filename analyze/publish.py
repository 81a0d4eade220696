"""Building and writing the brief for a round: gather the run's tables and facts, write the chosen formats."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from analyze.brief import brief_context
from analyze.brief_docx import render_brief_docx
from analyze.brief_html import render_brief_html
from analyze.brief_markdown import render_brief_markdown
from analyze.brief_pdf import render_brief_pdf
from analyze.evaluation.summary import load_summary
from analyze.glossary import Term
from analyze.methodology import methodology_section, package_versions
from analyze.workbook import render_workbook
from collect.roundfile import RoundConfig, RoundPaths
from collect.storage import read_table, write_bytes, write_text

FORMATS = ("html", "pdf", "docx", "xlsx", "md")
DEFAULT_FORMATS = ("html",)
BRIEF_NAME = "brief"
# Columns the brief never uses: the texts and meta are most of the bytes, the rest still costs a decode per row.
UNREAD_COLUMNS = {
    "responses": ("text", "meta", "round", "source", "source_key", "received_at", "organisation"),
    "language": ("script", "lang_confidence", "en_share"),
    "sentiment": ("n_sentences",),
    "stance": ("evidence", "stance_source", "stance_score"),
    "topic_assignments": ("topic_prob", "secondary_topic_ids", "theme"),
    "duplicates": ("is_campaign_copy", "template_similarity"),
    "pii": ("pii_counts",),
    "campaigns": ("template_text", "last_seen_at", "channels", "languages", "variant_sentences"),
}
UNREAD_TABLES = {"concern_assignments", "pii_audit"}  # per-response detail the brief never shows


class FormatError(ValueError):
    """An unknown output format was asked for."""


def parse_formats(spec: str) -> tuple[str, ...]:
    """Formats from a comma-separated list such as "html,pdf"; order and repeats do not matter."""
    asked = {f.strip().lower() for f in spec.split(",") if f.strip()}
    unknown = sorted(asked - set(FORMATS))
    if unknown or not asked:
        raise FormatError(f"unknown format {', '.join(unknown) or '(none)'}: choose from {','.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in asked)


def _round_tables(paths: RoundPaths) -> dict:
    found = {"responses": paths.responses, "rejects": paths.rejects, "manifest": paths.manifest}
    found |= {p.stem: p for p in sorted(paths.processed.glob("*.parquet")) if p.stem not in UNREAD_TABLES}
    found = {name: p for name, p in found.items() if p.exists()}
    unread = dict(UNREAD_COLUMNS)
    if {"pii", "duplicates"} <= found.keys():  # the brief then quotes redacted texts and counts duplicate groups
        unread["language"] += ("text_norm",)
    return {name: _read_for_brief(p, unread.get(name, ())) for name, p in found.items()}


def _read_for_brief(path: Path, unread: tuple[str, ...]) -> pd.DataFrame:
    """A stage table without the columns the brief never uses (the texts and meta are most of the bytes)."""
    if not unread:
        return read_table(path)
    return read_table(path, [c for c in pq.read_schema(path).names if c not in unread])


def _run_log(paths: RoundPaths) -> list[dict]:
    log = paths.interim / "run_log.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _parameters(cfg: RoundConfig) -> dict[str, object]:
    params = {f"topics.{k}": v for k, v in cfg.topics.model_dump().items()}
    params |= {f"publish.{k}": v for k, v in cfg.publish.model_dump().items()}
    params["previous_round"] = cfg.previous_round
    return {k: "" if v is None else str(v) for k, v in params.items()}


def eval_summary_path(paths: RoundPaths) -> Path:
    """reports/eval/summary.json beside the round's reports: written by `consult eval suite`, when it has run."""
    return paths.reports.parent / "eval" / "summary.json"


def build_brief(cfg: RoundConfig, paths: RoundPaths, methods: dict[str, str] | None = None) -> dict:
    """The brief's context for a round that has been analysed (see `brief_context`).

    Args:
        cfg: the round's configuration.
        paths: the round's folders.
        methods: one line per stage saying which method it used, for the methodology appendix.

    """
    tables = _round_tables(paths)
    appendix = methodology_section(
        tables=tables,
        run_log=_run_log(paths),
        methods=methods or {},
        parameters=_parameters(cfg),
        versions=package_versions(),
        accuracy=load_summary(eval_summary_path(paths)),
    )
    return brief_context(
        tables,
        title=Term(cfg.title.en, cfg.title.zh),
        questions={q.id: Term(q.en, q.zh) for q in cfg.questions},
        max_topics=cfg.publish.max_topics,
        methodology=appendix,
    )


def write_brief(context: dict, out_dir: Path, formats: tuple[str, ...] = DEFAULT_FORMATS) -> list[Path]:
    """Write the charts (PNG) and the brief in each format to `out_dir`, atomically; return the paths written."""
    out = [write_bytes(c.png, out_dir / c.name) for c in context["charts"]]
    html = render_brief_html(context)
    writers: dict[str, Callable[[], Path]] = {
        "html": lambda: write_text(html, out_dir / f"{BRIEF_NAME}.html"),
        "pdf": lambda: write_bytes(render_brief_pdf(html), out_dir / f"{BRIEF_NAME}.pdf"),
        "docx": lambda: write_bytes(render_brief_docx(context), out_dir / f"{BRIEF_NAME}.docx"),
        "xlsx": lambda: write_bytes(render_workbook(context), out_dir / f"{BRIEF_NAME}_tables.xlsx"),
        "md": lambda: write_text(render_brief_markdown(context), out_dir / f"{BRIEF_NAME}.md"),
    }
    return out + [writers[f]() for f in formats]
