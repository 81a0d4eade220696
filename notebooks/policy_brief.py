# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Policy brief 政策簡報
#
# The brief of one consultation round, built from the round's stage tables with the same functions as
# `consult report`. Run it with papermill (`consult notebook ROUND_DIR` does this) or open it in Jupyter and set
# `round_dir` below. The notebook holds no analysis of its own: every number comes from `analyze`.

# %% tags=["parameters"]
round_dir = "data/demo"  # round folder (or its round.yaml)
language = "both"  # headings and labels: "en", "zh" or "both"
sections = "counts,themes,sentiment,quotes"  # comma-separated sections to show
run_stages = ""  # comma-separated stages to (re)run first, e.g. "report" or "collect,language,topics,sentiment"

# %%
import pandas as pd
from IPython.display import Image, Markdown, display
from tqdm.auto import tqdm

from analyze.brief import sentiment_shares
from analyze.charts import fig_sentiment_by_topic, fig_topic_sizes, png_bytes
from analyze.pipeline import load_tables, run_round

shown = {s.strip() for s in sections.split(",") if s.strip()}
HEADINGS = {
    "counts": ("Submissions received", "收到的意見"),
    "themes": ("Topics, largest first", "議題（按大小排列）"),
    "sentiment": ("Sentiment by topic", "各議題情緒"),
    "quotes": ("Quotes", "引述"),
}


def heading(key: str) -> None:
    """Show a section heading in the chosen language(s)."""
    en, zh = HEADINGS[key]
    display(Markdown("## " + {"en": en, "zh": zh}.get(language, f"{en} {zh}")))


# %%
for stage in tqdm([s.strip() for s in run_stages.split(",") if s.strip()], desc="stages"):
    run_round(round_dir, stages=(stage,))
tables = load_tables(round_dir)
pd.DataFrame({"rows": {name: len(t) for name, t in tables.items()}})

# %%
if "counts" in shown:
    heading("counts")
    display(tables["responses"].groupby(["channel", "respondent_type"]).size().rename("responses").to_frame())
    display(tables["rejects"]["reason"].value_counts().rename("rejected").to_frame())

# %%
topics = tables["topics"]
if "themes" in shown:
    heading("themes")
    display(Image(png_bytes(fig_topic_sizes(topics))))
    display(topics[["topic_id", "label_en", "label_zh", "size", "size_unique", "keywords_en", "keywords_zh"]])

# %%
if "sentiment" in shown:
    heading("sentiment")
    shares = sentiment_shares(tables["topic_assignments"], tables["sentiment"], topics)
    display(Image(png_bytes(fig_sentiment_by_topic(shares))))
    display(shares[["topic_id", "label_en", "label_zh", "negative", "neutral", "positive", "mean_sentiment"]])

# %%
if "quotes" in shown:
    heading("quotes")
    # A DataFrame's HTML view escapes its cells: a submission is shown as text, never run as markup.
    quotes = topics[["topic_id", "representative_ids"]].explode("representative_ids")
    quotes = quotes.rename(columns={"representative_ids": "response_id"}).merge(
        tables["language"][["response_id", "text_norm"]], on="response_id"
    )
    display(quotes)
