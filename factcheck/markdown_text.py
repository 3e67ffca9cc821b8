"""Editors' Markdown (analyses, update notes, assessments): sanitised HTML for the pages, and the links it holds for
validation, from one converter, so the build judges exactly what a page would link to."""

from __future__ import annotations

import html
import re

import markdown
import nh3
from markupsafe import Markup


def _no_raw_html(md: markdown.Markdown) -> None:
    """Treat raw HTML in editors' Markdown as text: it is shown escaped, never interpreted."""
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")


class _NoRawHtml(markdown.Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's API name)
        _no_raw_html(md)


# One converter for every text: setting one up costs about as much as converting a short note, and reset() clears
# its per-document state (references, HTML stash) in between.
_MARKDOWN = markdown.Markdown(extensions=[_NoRawHtml()], output_format="html")


def markdown_to_html(text: str) -> Markup:
    """Editors' Markdown as sanitised HTML: raw HTML escaped, only http(s) and in-page links, rel on external links."""
    html = _MARKDOWN.reset().convert(text or "")
    clean = nh3.clean(html, tags={"p", "a", "em", "strong", "code", "ul", "ol", "li", "blockquote", "br"},
                      attributes={"a": {"href"}}, url_schemes={"http", "https"}, link_rel="noopener noreferrer")
    return Markup(clean.strip())


_TARGET = re.compile(r'<(?:a|img)\b[^>]*?\s(?:href|src)="([^"]*)"')


def markdown_links(text: str) -> list[str]:
    """Every link and image address in editors' Markdown, as the converter reads them (inline, reference-style and
    autolinks alike), so validation judges exactly what a page would link to."""
    return [html.unescape(found) for found in _TARGET.findall(_MARKDOWN.reset().convert(text))]
