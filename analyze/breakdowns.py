"""Breakdowns of sentiment and stance by respondent type, channel and demographic fields in `meta`.

Each breakdown is a contingency table (group x outcome) with Pearson's chi-square test, Cramér's V as the effect
size (0 = no association, 1 = complete) and a warning when expected cell counts are small (below 5 in any cell:
the chi-square approximation is then unreliable and the p-value should not be quoted).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

from analyze.aligned import ids_like, merge_ids, unique_rows

BREAKDOWN_COLUMNS = [
    "dimension",
    "outcome",
    "n",
    "groups",
    "chi2",
    "dof",
    "p_value",
    "cramers_v",
    "min_expected",
    "small_cells",
    "warning",
    "table",
]
MIN_EXPECTED = 5.0  # the usual rule for the chi-square approximation (Cochran 1954)
MAX_LEVELS = 12  # a meta field with more distinct values is free text or an id, not a demographic category
MIN_COVERAGE = 0.5  # a meta field must be filled for at least half the responses to be broken down
MIN_LEVEL_SIZE = 5  # every value of a published field covers this many responses: no group names one person
PERSONAL_FIELD = re.compile(
    r"name|author|sender|from|e-?mail|phone|tel|address|signature|contact|姓名|電郵|電話|地址", re.IGNORECASE
)


def _fields(raw: str) -> dict:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def meta_fields(meta: pd.Series) -> pd.DataFrame:
    """Categorical fields found in the responses' `meta` JSON, safe to publish as groups.

    A field qualifies when it is filled for half the rows, has 2..12 distinct values each held by at least
    MIN_LEVEL_SIZE responses, and its name is not a personal field (name, e-mail, phone, address...).
    """
    codes, distinct = pd.factorize(meta.fillna(""))  # form exports repeat the same few meta strings: parse each once
    fields = pd.DataFrame([_fields(raw) for raw in distinct]).take(codes).set_axis(meta.index)
    keep = [
        c
        for c in sorted(fields.columns, key=str)
        if fields[c].notna().mean() >= MIN_COVERAGE
        and not PERSONAL_FIELD.search(str(c))
        and 2 <= fields[c].dropna().astype(str).nunique() <= MAX_LEVELS
        and fields[c].dropna().astype(str).value_counts().min() >= MIN_LEVEL_SIZE
    ]
    return fields[keep].astype("string")


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each value's place among the sorted distinct values (-1: missing), and those values."""
    codes, labels = pd.factorize(values, sort=True)
    return codes, pd.Index(labels)


def _count(groups: tuple[np.ndarray, pd.Index], outcomes: tuple[np.ndarray, pd.Index]) -> pd.DataFrame:
    """Pairs counted by group (rows) and outcome (columns), for the labels of the pairs with neither missing."""
    (g, g_labels), (o, o_labels) = groups, outcomes
    known = (g >= 0) & (o >= 0)  # factorize codes a missing value -1
    counts = np.bincount(g[known] * len(o_labels) + o[known], minlength=len(g_labels) * len(o_labels))
    counts = counts.reshape(len(g_labels), len(o_labels))
    rows, columns = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0  # a label only paired with missing values
    return pd.DataFrame(counts[rows][:, columns], index=g_labels[rows], columns=o_labels[columns])


def crosstab(groups: pd.Series, outcomes: pd.Series) -> pd.DataFrame:
    """`pd.crosstab(groups, outcomes)` with both labels sorted, counted by numpy (crosstab aggregates in Python).

    As crosstab, a pair with a missing value is not counted.
    """
    return _count(_codes(groups), _codes(outcomes))


def contingency_test(groups: pd.Series, outcomes: pd.Series) -> dict:
    """Chi-square test of independence with Cramér's V and a small-cell warning for one pair of columns."""
    return _test(crosstab(groups, outcomes))


def _test(table: pd.DataFrame) -> dict:
    """`contingency_test` of a table of counts (groups x outcomes)."""
    from scipy.special import chdtrc  # the chi-square survival function, without importing all of scipy.stats

    counts = {str(g): {str(o): int(v) for o, v in row.items()} for g, row in table.iterrows()}
    base = {
        "n": int(table.to_numpy().sum()),
        "groups": int(table.shape[0]),
        "table": json.dumps(counts, ensure_ascii=False),
    }
    if min(table.shape) < 2:
        return base | {"chi2": np.nan, "dof": 0, "p_value": np.nan, "cramers_v": np.nan, "min_expected": np.nan,
                       "small_cells": 0, "warning": "only one group or one outcome: no test"}  # fmt: skip
    observed = table.to_numpy(dtype=float)
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    chi2 = float(((observed - expected) ** 2 / expected).sum())  # Pearson, no continuity correction
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    p = float(chdtrc(dof, chi2))
    n = base["n"]
    v = float(np.sqrt(chi2 / (n * (min(table.shape) - 1))))
    small = int((expected < MIN_EXPECTED).sum())
    warning = (
        f"{small} of {expected.size} cells expect fewer than {MIN_EXPECTED:g} responses: chi-square unreliable"
        if small
        else ""
    )
    return base | {
        "chi2": round(float(chi2), 4),
        "dof": int(dof),
        "p_value": round(float(p), 6),
        "cramers_v": round(v, 4),
        "min_expected": round(float(expected.min()), 3),
        "small_cells": small,
        "warning": warning,
    }


def break_down(responses: pd.DataFrame, sentiment: pd.DataFrame, stance: pd.DataFrame) -> pd.DataFrame:
    """Sentiment label and stance by respondent_type, channel and each categorical meta field.

    Args:
        responses: response_id, respondent_type, channel, meta.
        sentiment: response_id, sentiment_label.
        stance: response_id, stance.

    Returns:
        One row per (dimension, outcome): dimension (respondent_type, channel or meta:<field>), outcome
        (sentiment_label or stance), n, groups, chi2, dof, p_value, cramers_v, min_expected, small_cells, warning,
        table (JSON counts, group -> outcome -> responses).

    """
    table = ids_like(responses[["response_id", "respondent_type", "channel", "meta"]], sentiment)
    table = merge_ids(
        table, sentiment[["response_id", "sentiment_label"]], unique_rows(stance[["response_id", "stance"]]), how="left"
    )
    dimensions = {"respondent_type": table["respondent_type"], "channel": table["channel"]}
    dimensions |= {f"meta:{c}": col for c, col in meta_fields(table["meta"]).items()}
    outcomes = {outcome: _codes(table[outcome]) for outcome in ("sentiment_label", "stance")}  # each sorted once
    rows = []
    for name, values in dimensions.items():
        groups = _codes(values)
        for outcome, codes in outcomes.items():
            counts = _count(groups, codes)
            if counts.size:
                rows.append({"dimension": name, "outcome": outcome, **_test(counts)})
    return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)
