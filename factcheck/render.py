"""Compute what each page shows and render it through the Jinja templates. Pure: text in, text out."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import markdown
import nh3
from markupsafe import Markup, escape

from . import anchor
from . import exports, share
from .model import Article, Claim, Coverage, Publication, Rating, Site, Update
from .icons import icon_svg


@dataclass(frozen=True)
class Segment:
    text: str
    claim: Claim | None = None  # set when the segment is a marked passage


@dataclass(frozen=True)
class ArticleView:
    """An article and everything computed about it for its pages."""

    article: Article
    claims: tuple[Claim, ...]  # in reading order
    paragraphs: tuple[tuple[Segment, ...], ...]
    scorecard: tuple[tuple[Rating, int], ...]
    coverage: Coverage
    checked: dt.date | None  # the latest check of any of its claims

    @property
    def url(self) -> str:
        return f"{self.article.slug}/"


@dataclass(frozen=True)
class Correction:
    """One dated update to a claim, for the corrections page and feed."""

    update: Update
    claim: Claim
    article: Article


FEED_SIZE = 50  # entries per feed: readers want what is recent; the full record is on the site and in claims.json


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


@lru_cache(maxsize=4096)  # a few hundred distinct dates, formatted tens of thousands of times
def format_date(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


@lru_cache(maxsize=4096)
def format_month(value: dt.date | None) -> str:
    return f"{value:%B %Y}" if value else ""


def host(url: str) -> str:
    name = urlsplit(url).hostname or ""
    return name.removeprefix("www.")


def front_matter_text(value: str) -> Markup:
    """A string for page front matter: HTML-escaped, then quoted as JSON (valid YAML).

    Material prints front matter values (title, description) into HTML without escaping them, so they are
    stored escaped; readers still see the original characters.
    """
    return Markup(json.dumps(str(escape(value)), ensure_ascii=False))


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    # MkDocs parses front matter with libyaml, which rejects JSON's surrogate-pair escapes of emoji: keep UTF-8.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters.update(front_matter=front_matter_text, markdown=markdown_to_html, date=format_date, month=format_month, host=host, icon=icon_svg)
    return env


def segments(paragraph: str, marks: list[tuple[int, int, Claim]]) -> tuple[Segment, ...]:
    """Cut a paragraph into plain text and marked passages (marks are sorted and do not overlap)."""
    parts, position = [], 0
    for start, end, claim in marks:
        if start > position:
            parts.append(Segment(paragraph[position:start]))
        parts.append(Segment(paragraph[start:end], claim))
        position = end
    if position < len(paragraph):
        parts.append(Segment(paragraph[position:]))
    return tuple(parts)


def article_view(publication: Publication, article: Article) -> ArticleView:
    placed = sorted(((publication.spans[(c.article, c.id)], c) for c in publication.claims_of(article)),
                    key=lambda item: (item[0].paragraph, item[0].start))
    paragraphs = tuple(
        segments(text, [(s.start, s.end, c) for s, c in placed if s.paragraph == index])
        for index, text in enumerate(article.paragraphs))
    counts = {r: 0 for r in publication.scale.ratings}
    for _, claim in placed:
        counts[claim.rating] += 1
    claims = tuple(c for _, c in placed)
    return ArticleView(
        article=article, claims=claims, paragraphs=paragraphs,
        scorecard=tuple((r, n) for r, n in counts.items() if n),
        coverage=anchor.coverage(article, placed),
        checked=max((c.modified for c in claims), default=None))


def corrections(publication: Publication) -> tuple[Correction, ...]:
    """Every update across the publication, newest first."""
    found = [Correction(u, c, publication.article[c.article]) for c in publication.claims for u in c.updates]
    return tuple(sorted(found, key=lambda x: (x.update.date, x.claim.article, x.claim.id, x.update.number),
                        reverse=True))


def render_pages(publication: Publication, site: Site, templates: Path) -> dict[str, str]:
    """Every generated file of the docs folder, as relative path -> text."""
    env = environment(templates)
    views = sorted((article_view(publication, a) for a in publication.articles),
                   key=lambda v: (v.checked or dt.date.min, v.article.slug), reverse=True)
    in_order = tuple(c for v in views for c in v.claims)
    updates = corrections(publication)
    newest = tuple(sorted(in_order, key=lambda c: (c.checked, c.article, c.id), reverse=True))
    common = {"scale": publication.scale, "site": site}
    images = share.share_images(publication, site.name, site.url, format_date)
    pages = {
        "index.md": env.get_template("home.md.j2").render(views=views, **common),
        "methodology.md": env.get_template("methodology.md.j2").render(**common),
        "corrections.md": env.get_template("corrections.md.j2").render(corrections=updates, **common),
        "assets/stylesheets/ratings.css": env.get_template("ratings.css.j2").render(**common),
        "claims.json": exports.claims_json(site, publication, in_order),
        "claims.csv": exports.claims_csv(site, publication, in_order),
        "feed-fact-checks.xml": env.get_template("feed.xml.j2").render(
            feed="fact-checks", title=f"{site.name}: new fact-checks", claims=newest[:FEED_SIZE], **common),
        "feed-corrections.xml": env.get_template("feed.xml.j2").render(
            feed="corrections", title=f"{site.name}: corrections and updates", corrections=updates[:FEED_SIZE],
            **common),
    }
    article_template = env.get_template("article.md.j2")
    claim_template = env.get_template("claim.md.j2")
    for view in views:
        slug = view.article.slug
        pages[f"{slug}/index.md"] = article_template.render(view=view, share=images[f"{slug}/{share.NAME}"], **common)
        for claim in view.claims:
            pages[claim.page_file] = claim_template.render(
                view=view, claim=claim, share=images[claim.permalink + share.NAME],
                claim_review=exports.claim_review(site, publication.scale, view.article, claim), **common)
    return pages
