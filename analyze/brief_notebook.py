"""The brief shown in Jupyter: the same sections as the published formats, as Markdown, tables and images."""

from __future__ import annotations

import html

import pandas as pd

from analyze.document import Section


def _show(t, language: str) -> str:
    return t.show(language, sep=" / ")


def _display_section(s: Section, language: str) -> None:
    from IPython.display import HTML, Image, Markdown, display

    display(Markdown("## " + html.escape(_show(s.heading, language))))
    for b in s.blocks:
        if b.kind == "text":
            display(Markdown(html.escape(_show(b.text, language)).replace("\n", "  \n")))
        elif b.kind == "subheading":
            display(Markdown("### " + html.escape(_show(b.text, language))))
        elif b.kind == "figure":
            display(Image(data=b.chart.png, format="png", alt=_show(b.chart.alt, language)))
        elif b.kind == "quote":
            # Escaped here, as in the HTML brief: a submission is shown as text, never run as markup.
            display(
                HTML(f"<blockquote>{html.escape(b.text)} <small>[{html.escape(b.response_id)}]</small></blockquote>")
            )
        elif b.kind == "table":
            columns = [_show(c, language) for c in b.columns]
            display(pd.DataFrame(list(b.rows), columns=columns))  # a DataFrame's HTML view escapes its cells


def display_brief(context: dict, language: str = "both", sections: str = "") -> None:
    """Show the brief's sections in a notebook.

    Args:
        context: the brief (see `analyze.brief.brief_context` / `analyze.publish.build_brief`).
        language: "en", "zh" or "both".
        sections: comma-separated section ids (summary, counts, themes, sentiment, stance, breakdowns, concerns,
            changes, methodology); empty shows them all.

    """
    wanted = {s.strip() for s in sections.split(",") if s.strip()}
    for s in context["sections"]:
        if not wanted or s.id in wanted:
            _display_section(s, language)
