"""Topics of concern: one bilingual topic space, codebook themes, stable ids across runs and rounds.

`fit_topics` is the stage function (analyze/topics/fit.py); the pieces it uses live in small modules: space
(embedding space and clustering), keywords (bilingual topic words), codebook (themes), rounds (matching to the
previous round and the diff) and overrides (analyst edits with an audit trail).
"""

from analyze.topics.codebook import CodebookError, Theme, load_codebook
from analyze.topics.fit import ASSIGNMENT_COLUMNS, TOPIC_COLUMNS, TopicFit, TopicModels, fit_topics
from analyze.topics.overrides import AUDIT_COLUMNS, apply_overrides
from analyze.topics.rounds import DIFF_COLUMNS, match_previous, topic_diff
from analyze.topics.space import OUTLIER, GraphClusterer

__all__ = [
    "ASSIGNMENT_COLUMNS",
    "AUDIT_COLUMNS",
    "DIFF_COLUMNS",
    "OUTLIER",
    "TOPIC_COLUMNS",
    "CodebookError",
    "GraphClusterer",
    "Theme",
    "TopicFit",
    "TopicModels",
    "apply_overrides",
    "fit_topics",
    "load_codebook",
    "match_previous",
    "topic_diff",
]
