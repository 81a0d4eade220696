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
# # Explore a round 探索諮詢結果
#
# Look up a theme's responses, compare groups of respondents, and try analyst overrides on a scratch copy before
# putting them in round.yaml. Texts are redacted when the PII stage has run. Set the parameters and run all cells.

# %% tags=["parameters"]
round_dir = "data/demo"  # an analysed round folder
topic_id = None  # the theme to look up (None: the largest)
group_by = "respondent_type"  # respondent_type, channel, question_id or organisation
outcome = "topic_id"  # topic_id, sentiment_label or stance
overrides = []  # e.g. [{"action": "merge", "topics": [3, 5]}]; empty: nothing is re-run
scratch = "/tmp/consult-explore"  # where overrides are tried (a copy of the round)

# %%
from IPython.display import display
from tqdm.auto import tqdm

from analyze.explore import compare_groups, theme_responses, try_overrides
from analyze.pipeline import load_tables

tables = load_tables(round_dir)
topics = tables["topics"]
topics[["topic_id", "label_en", "label_zh", "size", "size_unique"]]

# %% [markdown]
# ## A theme's responses 議題的回應

# %%
chosen = int(topics["topic_id"].iloc[0]) if topic_id is None else topic_id
theme_responses(tables, chosen)

# %% [markdown]
# ## Groups compared 比較不同組別

# %%
compare_groups(tables, by=group_by, outcome=outcome)

# %% [markdown]
# ## Try overrides 試行修訂

# %%
if overrides:
    with tqdm(desc="stages") as bar:
        tried = try_overrides(round_dir, overrides, scratch, on_stage=lambda result: bar.update(1))
    display(tried["topic_overrides"])
    display(tried["topics"][["topic_id", "label_en", "label_zh", "size", "size_unique"]])
