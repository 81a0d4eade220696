"""The brief as one self-contained HTML page (Jinja2, autoescaped, charts embedded, print stylesheet)."""

from __future__ import annotations

from importlib.resources import files

from analyze.glossary import term


def render_brief_html(context: dict) -> str:
    """Render the brief with autoescaping on (every submission text is escaped)."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(files("analyze").joinpath("templates/brief.html.j2").read_text(encoding="utf-8"))
    return template.render(**context, generated=term("generated", version=context["version"]))
