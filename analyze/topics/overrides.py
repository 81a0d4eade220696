"""Analyst overrides of fitted topics (round.yaml `topics.overrides`), applied in order on every run.

Each edit is one mapping with an `action`:
    merge   topics: [a, b, ...], into: target (default the first)     every response of the topics goes to target
    rename  topics: [t], label_en and/or label_zh                      the topic's published labels
    split   topics: [t], keyword, into (default a new id), labels      responses of t containing keyword move out
    move    response_ids: [...], into: t (-1 = unassigned)             named responses go to topic t
An edit that no longer fits the data (a topic id that does not exist) is skipped, not fatal, and the audit trail
says so: the methodology appendix lists every edit with what it changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from analyze.topics.space import OUTLIER

AUDIT_COLUMNS = ["step", "action", "topics", "into", "detail", "responses_changed", "status", "note"]


def _merge(topics: pd.Series, edit: Mapping[str, Any], known: set[int]) -> tuple[pd.Series, str, int | None]:
    sources = [int(t) for t in edit.get("topics", [])]
    into = int(edit["into"]) if edit.get("into") is not None else (sources[0] if sources else None)
    missing = [t for t in sources + ([into] if into is not None else []) if t not in known]
    if not sources or missing:
        return topics, f"skipped: unknown or missing topic ids {missing or sources}", into
    return topics.where(~topics.isin(sources), into), "applied", into


def _split(
    topics: pd.Series, texts: pd.Series, edit: Mapping[str, Any], known: set[int], fresh: int
) -> tuple[pd.Series, str, int | None]:
    source = [int(t) for t in edit.get("topics", [])][:1]
    keyword = str(edit.get("keyword") or "").strip()
    if not source or source[0] not in known or not keyword:
        return topics, "skipped: split needs one existing topic id and a keyword", None
    into = int(edit["into"]) if edit.get("into") is not None else fresh
    hit = (topics == source[0]) & texts.str.contains(keyword, case=False, regex=False)
    return topics.where(~hit, into), "applied", into


def _move(
    topics: pd.Series, ids: pd.Series, edit: Mapping[str, Any], known: set[int]
) -> tuple[pd.Series, str, int | None]:
    into = int(edit["into"]) if edit.get("into") is not None else None
    wanted = {str(r) for r in edit.get("response_ids", [])}
    if into is None or (into != OUTLIER and into not in known) or not wanted:
        return topics, "skipped: move needs response_ids and an existing topic id (or -1) in `into`", into
    absent = wanted - set(ids)
    status = f"applied; not in this round: {sorted(absent)}" if absent else "applied"
    return topics.where(~ids.isin(wanted), into), status, into


def apply_overrides(
    assigned: pd.DataFrame, overrides: Sequence[Mapping[str, Any]]
) -> tuple[pd.Series, dict[int, dict[str, str]], pd.DataFrame]:
    """Apply the edits in order.

    Args:
        assigned: response_id, text_norm, topic_id (stable ids).
        overrides: the edits, as mappings (see the module docstring).

    Returns:
        (topic ids after the edits, aligned with `assigned`; label overrides by topic id; audit trail with
        AUDIT_COLUMNS, one row per edit).

    """
    topics = assigned["topic_id"].astype(int)
    labels: dict[int, dict[str, str]] = {}
    used = set(topics.unique().tolist()) | {OUTLIER}  # a split's new id is never one an earlier edit removed
    rows = []
    for step, edit in enumerate(overrides, start=1):
        action = str(edit.get("action", ""))
        known = set(topics.unique().tolist()) - {OUTLIER}
        before = topics
        into: int | None = None
        if action == "merge":
            topics, status, into = _merge(topics, edit, known)
        elif action == "split":
            topics, status, into = _split(topics, assigned["text_norm"].fillna(""), edit, known, max(used) + 1)
        elif action == "move":
            topics, status, into = _move(topics, assigned["response_id"], edit, known)
        elif action == "rename":
            target = [int(t) for t in edit.get("topics", [])][:1]
            status = "applied" if target and target[0] in known else "skipped: rename needs one existing topic id"
            into = target[0] if target else None
        else:
            status = f"skipped: unknown action {action!r}"
        used |= set(topics.unique().tolist())
        if status.startswith("applied") and any(edit.get(k) for k in ("label_en", "label_zh")) and into is not None:
            labels.setdefault(into, {}).update({k: str(edit[k]) for k in ("label_en", "label_zh") if edit.get(k)})
        rows.append(
            {
                "step": step,
                "action": action,
                "topics": [int(t) for t in edit.get("topics", [])],
                "into": into,
                "detail": ", ".join(
                    f"{k}={edit[k]}" for k in ("keyword", "label_en", "label_zh", "response_ids") if edit.get(k)
                ),
                "responses_changed": int((topics != before).sum()),
                "status": status,
                "note": str(edit.get("note", "")),
            }
        )
    audit = pd.DataFrame(rows, columns=AUDIT_COLUMNS).astype({"into": "Int64"})
    return topics, labels, audit
