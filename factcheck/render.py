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
from . import cms, exports, fields, share
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
class ArticleCard:
    """What the home page shows of an article (its template gets these, not whole views, so the page is
    re-rendered only when one of these changes, not on every edit of a claim)."""

    article: Article
    scorecard: tuple[tuple[Rating, int], ...]
    checked: dt.date | None

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


class Renderer:
    """Renders the docs folder's files, remembering each file's inputs and text: asked again with equal inputs, it
    returns the text it rendered before. A build uses a fresh one; the preview (factcheck/preview.py) keeps one
    between edits, so an edit re-renders only the pages whose inputs it changed. Inputs are compared with ==, which
    is immediate for the unchanged objects the preview hands back, so a remembered page is always the page a
    fresh renderer would produce."""

    def __init__(self, site: Site, templates: Path):
        self.site, self.templates = site, templates
        self.env = environment(templates)
        self.cms = cms.Settings.from_environment()
        self._memo: dict = {}
        self._touched: set = set()

    def _once(self, key: tuple, inputs: tuple, make):
        self._touched.add(key)
        hit = self._memo.get(key)
        if hit is not None and hit[0] == inputs:
            return hit[1]
        value = make()
        self._memo[key] = (inputs, value)
        return value

    def _view(self, publication: Publication, article: Article) -> ArticleView:
        claims = publication.claims_of(article)
        spans = tuple(publication.spans[(c.article, c.id)] for c in claims)
        return self._once(("view", article.slug), (article, claims, spans, publication.scale),
                          lambda: article_view(publication, article))

    def _images_of(self, publication: Publication, article: Article) -> dict[str, share.ShareImage]:
        return self._once(
            ("images", article.slug), (article, publication.claims_of(article), publication.scale, self.site),
            lambda: share.share_images_of(publication, article, self.site.name, self.site.url, format_date))

    def images(self, publication: Publication) -> dict[str, share.ShareImage]:
        """Every share image (laid out, not drawn), by its path in the docs folder."""
        found: dict[str, share.ShareImage] = {}
        for article in publication.articles:
            found.update(self._images_of(publication, article))
        return found

    def _article_files(self, publication: Publication, view: ArticleView) -> tuple[dict[str, str], list]:
        """An article's page, its claims' pages, and its claims' parts of the exports. Rendered together: every
        claim page shows its article (the view), so an edit to one claim changes the inputs of them all."""
        site, scale, article = self.site, publication.scale, view.article
        images = self._images_of(publication, article)

        def render() -> tuple[dict[str, str], list]:
            common = {"scale": scale, "site": site}
            pages = {f"{article.slug}/index.md": self.env.get_template("article.md.j2").render(
                view=view, share=images[f"{article.slug}/{share.NAME}"], **common)}
            claim_template = self.env.get_template("claim.md.j2")
            for claim in view.claims:
                pages[claim.page_file] = claim_template.render(
                    view=view, claim=claim, share=images[claim.permalink + share.NAME],
                    claim_review=exports.claim_review(site, scale, article, claim), **common)
            # Each claim's share of the exports (exports.py joins them into byte for byte what one json.dumps or
            # one CSV writer over every claim gives).
            return pages, [exports.claim_chunks(site, publication, claim) for claim in view.claims]

        return self._once(("article", article.slug), (view, images, scale, site), render)

    def pages(self, publication: Publication) -> dict[str, str]:
        """Every generated text file of the docs folder, as relative path -> text."""
        self._touched = set()
        env, site, scale = self.env, self.site, publication.scale
        views = sorted((self._view(publication, a) for a in publication.articles),
                       key=lambda v: (v.checked or dt.date.min, v.article.slug), reverse=True)
        in_order = tuple(c for v in views for c in v.claims)
        updates = self._once(("updates",), (publication.claims, publication.articles),
                             lambda: corrections(publication))
        newest = self._once(("newest",), (in_order,), lambda: tuple(
            sorted(in_order, key=lambda c: (c.checked, c.article, c.id), reverse=True)))
        common = {"scale": scale, "site": site}
        cards = tuple(ArticleCard(v.article, v.scorecard, v.checked) for v in views)
        files = [self._article_files(publication, view) for view in views]
        records = tuple(chunks for _, article_records in files for chunks in article_records)
        pages = {
            "index.md": self._once(("home",), (cards, scale, site), lambda: env.get_template(
                "home.md.j2").render(views=cards, **common)),
            "methodology.md": self._once(("methodology",), (scale, site), lambda: env.get_template(
                "methodology.md.j2").render(**common)),
            # In a folder of its own, like its URL (corrections/): links in its HTML are then relative to the same
            # place for MkDocs (the URL) and Zensical (the Markdown file).
            "corrections/index.md": self._once(("corrections",), (updates, scale, site), lambda: env.get_template(
                "corrections.md.j2").render(corrections=updates, **common)),
            "assets/stylesheets/ratings.css": self._once(("ratings.css",), (scale, site), lambda: env.get_template(
                "ratings.css.j2").render(**common)),
            "claims.json": self._once(("claims.json",), (records,), lambda: exports.claims_json_from(
                site, [json for json, _ in records])),
            "claims.csv": self._once(("claims.csv",), (records,), lambda: exports.claims_csv_from(
                [row for _, row in records])),
            "feed-fact-checks.xml": self._once(("feed", "fact-checks"), (newest[:FEED_SIZE], scale, site),
                                               lambda: env.get_template("feed.xml.j2").render(
                feed="fact-checks", title=f"{site.name}: new fact-checks", claims=newest[:FEED_SIZE], **common)),
            "feed-corrections.xml": self._once(("feed", "corrections"), (updates[:FEED_SIZE], scale, site),
                                               lambda: env.get_template("feed.xml.j2").render(
                feed="corrections", title=f"{site.name}: corrections and updates",
                corrections=updates[:FEED_SIZE], **common)),
        }
        for article_pages, _ in files:
            pages.update(article_pages)
        pages.update(self._once(  # the web editor's page and configuration (admin/)
            ("admin",), (publication.articles, scale, site, self.cms, fields.of("claim"), fields.of("article")),
            lambda: cms.files(publication, site, env, self.templates, self.cms)))
        for key in set(self._memo) - self._touched:
            del self._memo[key]  # pages of deleted claims and articles
        return pages


def render_pages(publication: Publication, site: Site, templates: Path) -> dict[str, str]:
    """Every generated text file of the docs folder, as relative path -> text."""
    return Renderer(site, templates).pages(publication)
