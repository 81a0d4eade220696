"""The published brief: counts, topics with keywords and quotes, sentiment per topic, charts, as HTML.

`brief_context` is pure (tables in, a dict out); `render_brief_html` fills the Jinja2 template with autoescaping,
so submission text is always shown as text, never run as markup.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from importlib.resources import files

import pandas as pd

from analyze import __version__
from analyze.charts import fig_sentiment_by_topic, fig_topic_sizes, png_bytes

QUOTE_CHARS = 320


@dataclass(frozen=True)
class Chart:
    """A rendered chart: file name, PNG bytes and alt text in both languages."""

    name: str
    png: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        """The PNG embedded in the page, so the brief is one self-contained file."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def counts(responses: pd.DataFrame, rejects: pd.DataFrame, language: pd.DataFrame) -> dict[str, int]:
    """Counts that reconcile: rows received = rows kept + rows rejected; responses analysed exclude empty texts."""
    n_submissions = responses["submission_id"].nunique()
    analysed = int((language["lang"] != "empty").sum())
    return {
        "submissions_received": n_submissions + len(rejects),
        "submissions_kept": n_submissions,
        "rejected": len(rejects),
        "responses": len(responses),
        "responses_analysed": analysed,
        "responses_empty": len(responses) - analysed,
        "unique_texts": int(language.loc[language["lang"] != "empty", "text_norm"].nunique()),
    }


def sentiment_shares(assignments: pd.DataFrame, sentiment: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Per topic: mean sentiment and the share of negative, neutral and positive responses."""
    joined = assignments.merge(sentiment, on="response_id")
    shares = pd.crosstab(joined["topic_id"], joined["sentiment_label"], normalize="index").reindex(
        columns=["negative", "neutral", "positive"], fill_value=0.0
    )
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


def brief_context(
    *,
    title: dict[str, str],
    responses: pd.DataFrame,
    rejects: pd.DataFrame,
    language: pd.DataFrame,
    assignments: pd.DataFrame,
    topics: pd.DataFrame,
    sentiment: pd.DataFrame,
    max_topics: int = 12,
    method: dict[str, str] | None = None,
) -> dict:
    """Everything the template shows, from the stage tables."""
    texts = language.set_index("response_id")["text_norm"]
    langs = language.set_index("response_id")["lang"]
    shown = topics.head(max_topics)
    shares = sentiment_shares(assignments, sentiment, shown)
    mean = shares.set_index("topic_id")["mean_sentiment"]
    topic_rows = [
        {
            "topic_id": int(t.topic_id),
            "label_en": t.label_en,
            "label_zh": t.label_zh,
            "keywords_en": list(t.keywords_en),
            "keywords_zh": list(t.keywords_zh),
            "translated": bool(t.keywords_translated),
            "size": int(t.size),
            "size_unique": int(t.size_unique),
            "mean_sentiment": round(float(mean.get(t.topic_id, 0.0)), 2),
            "quotes": [
                {"response_id": rid, "text": _quote(texts[rid]), "lang": langs[rid]} for rid in t.representative_ids
            ],
        }
        for t in shown.itertuples()
    ]
    n_outliers = int((assignments["topic_id"] == -1).sum())
    return {
        "title": title,
        "counts": counts(responses, rejects, language),
        "reject_reasons": rejects["reason"].value_counts().sort_index().to_dict(),
        "languages": language["lang"].value_counts().sort_index().to_dict(),
        "topics": topic_rows,
        "n_topics": len(topics),
        "n_outliers": n_outliers,
        "charts": [
            Chart(
                "topic_sizes.png",
                png_bytes(fig_topic_sizes(shown)),
                "Bar chart of responses per topic / 各議題回應數目棒形圖",
            ),
            Chart(
                "sentiment_by_topic.png",
                png_bytes(fig_sentiment_by_topic(shares)),
                "Stacked bar chart of sentiment shares per topic / 各議題情緒比例棒形圖",
            ),
        ],
        "method": method or {},
        "version": __version__,
    }


def render_brief_html(context: dict) -> str:
    """Render the brief with autoescaping on (every submission text is escaped)."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(files("analyze").joinpath("templates/brief.html.j2").read_text(encoding="utf-8"))
    return template.render(**context)
