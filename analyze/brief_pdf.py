"""The brief as PDF: the HTML page laid out by WeasyPrint with its print stylesheet (A4, CJK fonts)."""

from __future__ import annotations


def render_brief_pdf(html: str) -> bytes:
    """PDF bytes of the brief's HTML. Only the embedded data: URIs may load: no network, no local files."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
