"""The published brief's content: summary, counts, themes, sentiment, stance, breakdowns, later stages' sections.

`brief_context` is pure (stage tables in, a format-neutral document out). Sections whose stage tables are absent
(stance, concerns, campaigns, topic_diff, pii) are left out; they appear as soon as the stage writes its table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analyze import __version__
from analyze.aligned import ids_like, merge_ids
from analyze.breakdowns import crosstab
from analyze.brief_sections import breakdown_tests_table, campaigns_table, changes_section, concerns_section
from analyze.charts import fig_sentiment_by_topic, fig_stance_by_proposal, fig_topic_sizes, png_bytes
from analyze.counting import count_round
from analyze.document import Chart, Figure, Quote, Section, Subheading, Table, Text, cell
from analyze.glossary import Term, term

QUOTE_CHARS = 320
STANCES = ("support", "oppose", "neutral", "unclear")
SUMMARY_ITEMS = 3
Draw = Callable[[Callable[[], Any]], bytes]


def draw_png(build: Callable[[], Any]) -> bytes:
    """Build a matplotlib figure and render it to PNG bytes."""
    return png_bytes(build())


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _signed(x: float) -> str:
    return f"{x:+.2f}"


def counts(
    responses: pd.DataFrame, rejects: pd.DataFrame, language: pd.DataFrame, duplicates: pd.DataFrame | None = None
) -> dict[str, int]:
    """Counts that reconcile: rows received = rows kept + rows rejected; responses analysed exclude empty texts.

    With the duplicates stage's table, unique texts, campaigns and "counted once" follow analyze.counting's rules.
    """
    n_submissions = responses["submission_id"].nunique()
    analysed = language["lang"] != "empty"
    rules = count_round(responses, duplicates) if duplicates is not None else {}
    out = {
        "submissions_received": n_submissions + len(rejects),
        "submissions_kept": n_submissions,
        "rejected": len(rejects),
        "responses": len(responses),
        "responses_analysed": int(analysed.sum()),
        "responses_empty": len(responses) - int(analysed.sum()),
        "unique_texts": rules["unique_texts"] if rules else int(language.loc[analysed, "text_norm"].nunique()),
    }
    return out | {k: rules[k] for k in ("campaigns", "campaign_copies", "counted_once") if k in rules}


def _row_shares(groups: pd.Series, outcomes: pd.Series, columns: list[str]) -> pd.DataFrame:
    """`pd.crosstab(groups, outcomes, normalize="index")` over `columns` (0.0 where absent), counted by numpy."""
    counts = crosstab(groups, outcomes)
    shares = counts.div(counts.sum(axis=1), axis=0)
    return shares.rename_axis(index=groups.name, columns=outcomes.name).reindex(columns=columns, fill_value=0.0)


def sentiment_shares(assignments: pd.DataFrame, sentiment: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Per topic: mean sentiment and the share of negative, neutral and positive responses."""
    joined = merge_ids(assignments, sentiment)
    shares = _row_shares(joined["topic_id"], joined["sentiment_label"], ["negative", "neutral", "positive"])
    mean = joined.groupby("topic_id")["sentiment"].mean().rename("mean_sentiment")
    out = (
        topics[["topic_id", "label_en", "label_zh"]]
        .merge(shares, left_on="topic_id", right_index=True, how="left")
        .merge(mean, left_on="topic_id", right_index=True, how="left")
    )
    out["label"] = [
        f"{t}: {e} / {z}" for t, e, z in zip(out["topic_id"], out["label_en"], out["label_zh"], strict=True)
    ]
    return out.fillna(0.0)


def stance_shares(stance: pd.DataFrame, responses: pd.DataFrame, questions: dict[str, Term]) -> pd.DataFrame:
    """Per proposal (question_id): the share of support, oppose, neutral and unclear responses, and n."""
    joined = (
        stance
        if "question_id" in stance.columns
        else merge_ids(stance, ids_like(responses[["response_id", "question_id"]], stance))
    )
    shares = _row_shares(joined["question_id"], joined["stance"], list(STANCES))
    shares["n"] = joined.groupby("question_id").size()
    shares = shares.reset_index()
    names = [questions.get(q, Term(q, q)) for q in shares["question_id"]]
    shares["label_en"] = [n.en for n in names]
    shares["label_zh"] = [n.zh for n in names]
    shares["label"] = [f"{n.en} / {n.zh}" for n in names]
    return shares


def _theme_name(t) -> Term:
    return Term(f"{t.topic_id}. {t.label_en}", f"{t.topic_id}. {t.label_zh}")


def _table(name: str, caption: str, columns: list[str], rows) -> Table:
    return Table(name, term(caption), tuple(term(c) for c in columns), tuple(tuple(cell(v) for v in r) for r in rows))


def _counts_section(n: dict[str, int], tables: dict[str, pd.DataFrame]) -> Section:
    blocks: list = [Text(term("counts_note"))]
    order = ["submissions_received", "rejected", "submissions_kept", "responses", "responses_analysed", "unique_texts"]
    order += [k for k in ("campaigns", "campaign_copies", "counted_once") if k in n]
    blocks.append(
        Table("counts", term("counts"), (term("item"), term("count")), tuple((term(k).show(), n[k]) for k in order))
    )
    rejects = tables["rejects"]
    if len(rejects):
        reasons = rejects["reason"].value_counts().sort_index()
        blocks.append(_table("rejects", "reject_reasons", ["reason", "count"], reasons.items()))
    langs = tables["language"]["lang"].value_counts().sort_index()
    blocks.append(_table("languages", "languages", ["language", "count"], langs.items()))
    if "campaigns" in tables and len(tables["campaigns"]):
        blocks.append(campaigns_table(tables["campaigns"]))
    return Section("counts", term("counts"), tuple(blocks))


def _rows_of(table: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The rows of `ids`, by response_id: an index over these few rather than over every response."""
    return table[table["response_id"].isin(ids)].set_index("response_id")


def _quotes(topic, texts: pd.Series, langs: pd.Series) -> list[Quote]:
    return [Quote(_quote(str(texts[rid])), rid, str(langs[rid])) for rid in topic.representative_ids if rid in texts]


def _themes_section(
    shown: pd.DataFrame, shares: pd.DataFrame, tables: dict[str, pd.DataFrame], charts: list[Chart]
) -> Section:
    quoted = {rid for t in shown.itertuples() for rid in t.representative_ids}
    language = _rows_of(tables["language"], quoted)
    # Quotes are published: the redacted text when the PII stage has run (see the limitations otherwise).
    texts = _rows_of(tables["pii"], quoted)["text_redacted"] if "pii" in tables else language["text_norm"]
    mean = shares.set_index("topic_id")["mean_sentiment"]
    n_outliers = int((tables["topic_assignments"]["topic_id"] == -1).sum())
    blocks: list = [Text(term("themes_note", n_topics=len(tables["topics"]), n_outliers=n_outliers))]
    blocks += [Figure(c) for c in charts]
    rows = [
        (t.topic_id, t.label_en, t.label_zh, t.size, t.size_unique, _signed(mean.get(t.topic_id, 0.0)))
        for t in shown.itertuples()
    ]
    blocks.append(
        _table("themes", "themes", ["theme_id", "label_en", "label_zh", "size", "size_unique", "mean_sentiment"], rows)
    )
    for t in shown.itertuples():
        blocks.append(Subheading(_theme_name(t), f"topic-{t.topic_id}"))
        line = term("theme_line", size=t.size, unique=t.size_unique, sentiment=_signed(mean.get(t.topic_id, 0.0)))
        blocks.append(Text(line))
        note = f" ({term('keywords_translated').show()})" if t.keywords_translated else ""
        blocks.append(
            Text(
                Term(
                    f"{term('keywords_en').en}: {', '.join(t.keywords_en)}{note}",
                    f"{term('keywords_zh').zh}：{'、'.join(t.keywords_zh)}",
                )
            )
        )
        blocks += _quotes(t, texts, language["lang"])
    return Section("themes", term("themes"), tuple(blocks))


def _sentiment_section(shares: pd.DataFrame) -> Section:
    rows = [
        (r.label, f"{r.negative:.0%}", f"{r.neutral:.0%}", f"{r.positive:.0%}", _signed(r.mean_sentiment))
        for r in shares.itertuples()
    ]
    table = _table("sentiment", "sentiment", ["theme", "negative", "neutral", "positive", "mean_sentiment"], rows)
    return Section("sentiment", term("sentiment"), (table,))


def _stance_section(stance: pd.DataFrame, chart: Chart) -> Section:
    rows = [(r.label, r.n, *(f"{getattr(r, s):.0%}" for s in STANCES)) for r in stance.itertuples()]
    table = _table("stance", "stance", ["proposal", "size", *STANCES], rows)
    return Section("stance", term("stance"), (Figure(chart), table))


def _breakdown_section(tables: dict[str, pd.DataFrame]) -> Section:
    sentiment = tables["sentiment"][["response_id", "sentiment"]]
    joined = merge_ids(
        ids_like(tables["responses"][["response_id", "respondent_type", "channel"]], sentiment),
        sentiment,
        how="left",
    )
    grouped = joined.groupby(["respondent_type", "channel"], dropna=False)
    rows = [
        (str(rt), str(ch), int(len(g)), _signed(float(g["sentiment"].mean())) if g["sentiment"].notna().any() else "")
        for (rt, ch), g in grouped
    ]
    table = _table("breakdown", "breakdowns", ["respondent_type", "channel", "size", "mean_sentiment"], rows)
    if "breakdowns" not in tables or not len(tables["breakdowns"]):
        return Section("breakdowns", term("breakdowns"), (table,))
    return Section("breakdowns", term("breakdowns"), (table, breakdown_tests_table(tables["breakdowns"])))


def _summary_section(
    n: dict[str, int], shown: pd.DataFrame, shares: pd.DataFrame, tables: dict[str, pd.DataFrame], stance
) -> Section:
    received = term(
        "summary_counts",
        received=n["submissions_received"],
        rejected=n["rejected"],
        analysed=n["responses_analysed"],
        unique=n["unique_texts"],
    )
    blocks: list = [Text(received), Subheading(term("summary_themes"), "summary-themes")]
    mean = shares.set_index("topic_id")["mean_sentiment"]
    for t in shown.head(SUMMARY_ITEMS).itertuples():
        s = _signed(mean.get(t.topic_id, 0.0))
        blocks.append(
            Text(term("summary_theme_line", label=_theme_name(t), size=t.size, unique=t.size_unique, sentiment=s))
        )
    blocks.append(Subheading(term("summary_concerns"), "summary-concerns"))
    if "concerns" in tables and len(tables["concerns"]):
        for c in tables["concerns"].head(SUMMARY_ITEMS).itertuples():
            s = _signed(c.avg_sentiment)
            blocks.append(
                Text(term("summary_theme_line", label=c.label, size=c.size, unique=c.size_unique, sentiment=s))
            )
    else:
        blocks.append(Text(term("summary_negative_note")))
        for t in shares.sort_values(["mean_sentiment", "topic_id"]).head(SUMMARY_ITEMS).itertuples():
            blocks.append(
                Text(Term(f"{t.label_en}: {_signed(t.mean_sentiment)}", f"{t.label_zh}：{_signed(t.mean_sentiment)}"))
            )
    if stance is not None:
        blocks.append(Subheading(term("summary_stance"), "summary-stance"))
        for r in stance.itertuples():
            en = f"{r.label_en}: support {r.support:.0%}, oppose {r.oppose:.0%} (n={r.n})"
            zh = f"{r.label_zh}：支持 {r.support:.0%}，反對 {r.oppose:.0%}（{r.n} 則）"
            blocks.append(Text(Term(en, zh)))
    return Section("summary", term("summary"), tuple(blocks))


def brief_context(
    tables: dict[str, pd.DataFrame],
    *,
    title: Term,
    questions: dict[str, Term] | None = None,
    max_topics: int = 12,
    methodology: Section | None = None,
    draw: Draw | None = None,
) -> dict:
    """Everything the brief shows, from the stage tables, as sections of blocks.

    Args:
        tables: stage tables by name (as `pipeline.load_tables` returns them); needs responses, rejects, language,
            topic_assignments, topics and sentiment; uses pii, campaigns, stance, concerns and topic_diff when present.
        title: the round's title in both languages.
        questions: question/proposal names by question_id.
        max_topics: the largest this many themes are shown one by one.
        methodology: the generated methodology appendix (analyze.methodology), appended last.
        draw: renders a chart builder to PNG bytes; None renders with matplotlib (tests inject a stand-in).

    Returns:
        title, sections (list of `Section`), charts (every `Chart`, for writing PNG files), counts, n_themes
        (themes shown), version.

    """
    draw = draw or draw_png
    n = counts(tables["responses"], tables["rejects"], tables["language"], tables.get("duplicates"))
    shown = tables["topics"].head(max_topics)
    shares = sentiment_shares(tables["topic_assignments"], tables["sentiment"], shown)
    charts = [
        Chart("topic_sizes.png", draw(lambda: fig_topic_sizes(shown)), term("chart_topic_sizes")),
        Chart("sentiment_by_topic.png", draw(lambda: fig_sentiment_by_topic(shares)), term("chart_sentiment")),
    ]
    stance = None
    if "stance" in tables:
        stance = stance_shares(tables["stance"], tables["responses"], questions or {})
    sections = [
        _summary_section(n, shown, shares, tables, stance),
        _counts_section(n, tables),
        _themes_section(shown, shares, tables, charts),
        _sentiment_section(shares),
    ]
    if stance is not None:
        chart = Chart("stance_by_proposal.png", draw(lambda: fig_stance_by_proposal(stance)), term("chart_stance"))
        charts.append(chart)
        sections.append(_stance_section(stance, chart))
    sections.append(_breakdown_section(tables))
    for name, build in (("concerns", concerns_section), ("topic_diff", changes_section)):
        if name in tables and len(tables[name]):
            section, chart = build(tables[name], draw)
            sections.append(section)
            charts.append(chart)
    if methodology is not None:
        sections.append(methodology)
    return {
        "title": title,
        "sections": sections,
        "charts": charts,
        "counts": n,
        "n_themes": len(shown),
        "version": __version__,
    }
