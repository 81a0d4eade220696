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
language = "both"  # headings and fixed text: "en", "zh" or "both"
sections = ""  # comma-separated section ids (summary, counts, themes, ...); empty shows every section
run_stages = ""  # comma-separated stages to (re)run first, e.g. "report" or "collect,language,topics,sentiment"

# %%
import pandas as pd
from tqdm.auto import tqdm

from analyze.brief_notebook import display_brief
from analyze.pipeline import load_tables, method_notes, run_round
from analyze.publish import build_brief
from collect.roundfile import RoundPaths, load_round

# %%
stages = [s.strip() for s in run_stages.split(",") if s.strip()]
with tqdm(total=len(stages), desc="stages", disable=not stages) as bar:
    run_round(round_dir, stages=tuple(stages), on_stage=lambda result: bar.update(1))
tables = load_tables(round_dir)
pd.DataFrame({"rows": {name: len(t) for name, t in tables.items()}})

# %%
cfg, root = load_round(round_dir)
context = build_brief(cfg, RoundPaths(root, cfg.round), methods=method_notes(cfg))
display_brief(context, language=language, sections=sections)
