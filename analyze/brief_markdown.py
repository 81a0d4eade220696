"""The brief as Markdown: the same sections as the HTML, charts linked as the PNG files written beside it."""

from __future__ import annotations

import html

from analyze.document import Section
from analyze.glossary import Term, term


def _inert(text: object) -> str:
    """Submission text as Markdown that renders as text: HTML escaped, Markdown punctuation backslash-escaped."""
    escaped = html.escape(str(text), quote=False)
    for ch in "\\`*_[]|#":
        escaped = escaped.replace(ch, "\\" + ch)
    return escaped.replace("\r", " ").replace("\n", " ")


def _bi(t: Term) -> str:
    return _inert(t.show(sep=" / "))


def _section(s: Section) -> list[str]:
    lines = [f"## {_bi(s.heading)}", ""]
    for b in s.blocks:
        if b.kind == "text":
            lines += [_inert(b.text.en), ""] + ([] if b.text.zh == b.text.en else [_inert(b.text.zh), ""])
        elif b.kind == "subheading":
            lines += [f"### {_bi(b.text)}", ""]
        elif b.kind == "figure":
            lines += [f"![{_bi(b.chart.alt)}]({b.chart.name})", ""]
        elif b.kind == "quote":
            lines += [f"> {_inert(b.text)} [{b.response_id}]", ""]
        elif b.kind == "table":
            lines += [f"**{_bi(b.caption)}**", ""]
            lines.append("| " + " | ".join(_bi(c) for c in b.columns) + " |")
            lines.append("|" + "---|" * len(b.columns))
            lines += ["| " + " | ".join(_inert(v) for v in row) + " |" for row in b.rows]
            lines.append("")
    return lines


def render_brief_markdown(context: dict) -> str:
    """The brief as Markdown text."""
    title: Term = context["title"]
    lines = [f"# {_inert(title.en)}", "", f"# {_inert(title.zh)}", ""]
    for s in context["sections"]:
        lines += _section(s)
    lines.append(_bi(term("generated", version=context["version"])))
    return "\n".join(lines) + "\n"
