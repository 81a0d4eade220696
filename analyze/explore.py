"""Analyst look-ups for the exploration notebook: a theme's responses, groups compared, overrides tried on a copy.

Pure functions over the stage tables (as `pipeline.load_tables` returns them), except `try_overrides`, which runs
the pipeline on a scratch copy of the round so the round itself is never changed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

TEXT_CHARS = 400


def _texts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """response_id and the text an analyst may see: redacted when the PII stage has run."""
    if "pii" in tables:
        return tables["pii"][["response_id", "text_redacted"]].rename(columns={"text_redacted": "text"})
    return tables["language"][["response_id", "text_norm"]].rename(columns={"text_norm": "text"})


def theme_responses(tables: dict[str, pd.DataFrame], topic_id: int, limit: int = 50) -> pd.DataFrame:
    """The responses assigned to one theme, most typical first.

    Returns:
        response_id, topic_prob, lang, sentiment, stance (when the stance stage ran), text (redacted when the
        PII stage ran, shortened to TEXT_CHARS).

    """
    rows = tables["topic_assignments"].loc[lambda d: d["topic_id"] == topic_id, ["response_id", "topic_prob"]]
    rows = rows.merge(tables["language"][["response_id", "lang"]], on="response_id", how="left")
    rows = rows.merge(tables["sentiment"][["response_id", "sentiment"]], on="response_id", how="left")
    if "stance" in tables:
        rows = rows.merge(tables["stance"][["response_id", "stance"]], on="response_id", how="left")
    rows = rows.merge(_texts(tables), on="response_id", how="left")
    rows["text"] = rows["text"].fillna("").str.slice(0, TEXT_CHARS)
    return rows.sort_values(["topic_prob", "response_id"], ascending=[False, True], ignore_index=True).head(limit)


def compare_groups(tables: dict[str, pd.DataFrame], by: str = "respondent_type", outcome: str = "topic_id"):
    """Share of each outcome (theme, sentiment_label or stance) within each group of respondents.

    Args:
        tables: stage tables by name.
        by: a responses column: respondent_type, channel, question_id, organisation.
        outcome: topic_id, sentiment_label or stance.

    Returns:
        One row per group: the share of each outcome value (rows sum to 1) and n, the group's responses.

    Raises:
        KeyError: `by` or `outcome` is not a column of the tables.

    """
    source = {"topic_id": "topic_assignments", "sentiment_label": "sentiment", "stance": "stance"}[outcome]
    joined = tables["responses"][["response_id", by]].merge(tables[source][["response_id", outcome]], on="response_id")
    shares = pd.crosstab(joined[by].fillna("unknown"), joined[outcome], normalize="index")
    shares["n"] = joined[by].fillna("unknown").value_counts()
    return shares.sort_values("n", ascending=False, kind="stable")


def try_overrides(
    round_dir: Path | str,
    overrides: list[dict[str, Any]],
    scratch: Path | str,
    on_stage: Callable[[Any], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """Apply topic overrides on a scratch copy of an analysed round and re-run topics and the later stages there.

    The round's own folder is not touched; when the result looks right, put the same edits in its round.yaml
    (`topics.overrides`) and run it.

    Args:
        round_dir: the analysed round folder.
        overrides: edits as in round.yaml `topics.overrides`, e.g. [{"action": "merge", "topics": [3, 5]}].
        scratch: an empty or absent folder for the copy.
        on_stage: called after each stage (for a progress bar).

    Returns:
        The copy's stage tables (topics, topic_overrides with the audit trail, ...).

    """
    import yaml

    from analyze.pipeline import STAGES, load_tables, run_round
    from collect.roundfile import round_path

    src = round_path(round_dir).parent
    dest = Path(scratch) / src.name
    shutil.copytree(src, dest, dirs_exist_ok=True)
    config = yaml.safe_load((dest / "round.yaml").read_text(encoding="utf-8"))
    config.setdefault("topics", {})["overrides"] = overrides
    (dest / "round.yaml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    later = STAGES[STAGES.index("topics") : STAGES.index("report")]
    run_round(dest, on_stage=on_stage, stages=later)
    return load_tables(dest)
