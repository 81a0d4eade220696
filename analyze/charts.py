"""Charts for the brief. `fig_*` builders return a matplotlib Figure and do no I/O."""

from __future__ import annotations

import io
from functools import lru_cache

import pandas as pd

# Families with Traditional Chinese glyphs, best first. Debian's fonts-noto-cjk provides "Noto Sans CJK *".
CJK_FAMILIES = (
    "Noto Sans CJK TC",
    "Noto Sans CJK HK",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "WenQuanYi Zen Hei",
    "Microsoft JhengHei",
    "PingFang TC",
)
SENTIMENT_COLOURS = {"negative": "#c0392b", "neutral": "#95a5a6", "positive": "#27ae60"}
# One palette for every chart and format: the same category always has the same colour.
STANCE_COLOURS = {"oppose": "#c0392b", "unclear": "#d5d8dc", "neutral": "#95a5a6", "support": "#27ae60"}
BAR_COLOUR = "#2c6e9b"


class MissingCJKFont(RuntimeError):
    """No installed font can draw Chinese; charts would show empty boxes."""


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Name of an installed font family that draws Traditional Chinese."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise MissingCJKFont("no CJK font installed (on Debian: apt-get install fonts-noto-cjk)")


def _figure(height: float):
    """A figure on the Agg canvas, made without pyplot: no figure manager to close, and no pyplot import."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matplotlib.rcParams["font.family"] = [cjk_font(), "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(8, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _laid_out(fig):
    """`fig` after `tight_layout`, with no layout engine left, so that savefig renders it in one draw.

    savefig first draws, without rendering, a figure that has a layout engine, even the placeholder tight_layout
    leaves: a second pass over every text for a layout already done.
    """
    fig.tight_layout()
    fig.set_layout_engine(None)
    return fig


def _topic_label(row: pd.Series) -> str:
    return f"{row['topic_id']}: {row['label_en']} / {row['label_zh']}"


def fig_topic_sizes(topics: pd.DataFrame):
    """Horizontal bars: responses per topic, all and unique (campaign copies and repeats counted once)."""
    data = topics.iloc[::-1]
    fig, ax = _figure(max(2.5, 0.45 * len(data) + 1))
    labels = [_topic_label(r) for _, r in data.iterrows()]
    ax.barh(labels, data["size"], color=BAR_COLOUR, label="all responses 全部")
    ax.barh(labels, data["size_unique"], color="#8fb8d6", label="unique 不重複", height=0.4)
    ax.set_xlabel("Responses 回應數目")
    ax.set_title("Topics by size 議題大小")
    ax.legend(loc="lower right")
    return _laid_out(fig)


def _stacked_shares(data: pd.DataFrame, colours: dict[str, str], title: str, xlabel: str):
    data = data.iloc[::-1]
    fig, ax = _figure(max(2.5, 0.45 * len(data) + 1))
    left = pd.Series(0.0, index=data.index)
    for name, colour in colours.items():
        ax.barh(data["label"], data[name], left=left, color=colour, label=name)
        left = left + data[name]
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="lower right", ncols=len(colours))
    return _laid_out(fig)


def fig_sentiment_by_topic(shares: pd.DataFrame):
    """Stacked bars: share of negative, neutral and positive responses per topic.

    Args:
        shares: one row per topic with label, negative, neutral, positive (shares summing to 1).

    """
    return _stacked_shares(shares, SENTIMENT_COLOURS, "Sentiment by topic 各議題情緒", "Share of responses 回應比例")


def fig_stance_by_proposal(shares: pd.DataFrame):
    """Stacked bars: share of support, oppose, neutral and unclear responses per proposal.

    Args:
        shares: one row per proposal with label, support, oppose, neutral, unclear (shares summing to 1).

    """
    return _stacked_shares(shares, STANCE_COLOURS, "Stance by proposal 各建議的立場", "Share of responses 回應比例")


def fig_ranked_bars(labels: list[str], values: list[float], title: str, xlabel: str):
    """Horizontal bars in the given order, largest first at the top (concern clusters, changes between rounds)."""
    fig, ax = _figure(max(2.5, 0.45 * len(labels) + 1))
    colours = [BAR_COLOUR if v >= 0 else SENTIMENT_COLOURS["negative"] for v in values]
    ax.barh(labels[::-1], values[::-1], color=colours[::-1])
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return _laid_out(fig)


def fig_concern_clusters(concerns: pd.DataFrame):
    """Concern clusters: one bar per cluster, as long as its size, split by stance share, average sentiment noted.

    Args:
        concerns: concern_id, label, size, avg_sentiment and <stance>_share columns (from analyze.concerns).

    """
    data = concerns.iloc[::-1]
    fig, ax = _figure(max(2.5, 0.55 * len(data) + 1))
    labels = [f"{r.concern_id}: {r.label}" for r in data.itertuples()]
    left = pd.Series(0.0, index=data.index)
    for name, colour in STANCE_COLOURS.items():
        width = data["size"] * data[f"{name}_share"]
        ax.barh(labels, width, left=left, color=colour, label=name)
        left = left + width
    for y, r in enumerate(data.itertuples()):
        ax.text(r.size, y, f"  {r.avg_sentiment:+.2f}", va="center", fontsize=8)
    ax.set_xlabel("Responses (bar) and average sentiment (number) 回應數目及平均情緒")
    ax.set_title("Concern clusters 關注群組")
    ax.legend(loc="lower right", ncols=4, fontsize=8)
    return _laid_out(fig)


def png_bytes(fig) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})  # no version/date stamp: stable bytes
    return buf.getvalue()
