"""Compute what each page shows and render it through the Jinja templates. Pure: text in, text out."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from . import anchor, characters, cms, cores, exports, fields, listings, share
from .model import Article, Claim, Coverage, FileChange, Problem, Publication, Rating, Site, Update
from .icons import icon_svg
from .markdown_text import markdown_to_html
from .memo import Once, fresh


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
        return self.article.permalink


@dataclass(frozen=True)
class ArticleCard:
    """What the home page shows of an article (its template gets these, not whole views, so the page is
    re-rendered only when one of these changes, not on every edit of a claim)."""

    article: Article
    scorecard: tuple[tuple[Rating, int], ...]
    checked: dt.date | None

    @property
    def url(self) -> str:
        return self.article.permalink


@dataclass(frozen=True)
class Correction:
    """One dated update to a claim, for the corrections page and feed."""

    update: Update
    claim: Claim
    article: Article


@dataclass(frozen=True)
class HistoryEntry:
    """One commit in a claim page's History section."""

    change: FileChange
    url: str  # the commit on the repository
    verdict: str | None  # the verdict's label after the commit (None: removed or not readable)
    previous: str | None  # ... and before it

    @property
    def short(self) -> str:
        """The hash as shown: a fixed length (git's own abbreviation grows with the repository)."""
        return self.change.commit[:7]

    @property
    def verdict_changed(self) -> bool:
        return self.change.change == "changed" and self.verdict != self.previous


@dataclass(frozen=True)
class ClaimFile:
    """A claim's file in the repository, as its page shows it: the record of changes and the ways to correct it."""

    state: str  # History.state: "complete", "shallow" or "unavailable"
    entries: tuple[HistoryEntry, ...]  # newest first
    uncommitted: bool  # the page shows changes to the file not yet committed
    edit_url: str
    history_url: str
    report_url: str


def _label(scale, key: str | None) -> str | None:
    """A verdict key as readers know it; a key the scale no longer has is shown as it was written."""
    return scale[key].label if key in scale else key


def claim_file(site: Site, publication: Publication, claim: Claim) -> ClaimFile:
    history, path, scale = publication.history, claim.source_file, publication.scale
    entries = tuple(HistoryEntry(c, site.commit_url(c.commit), _label(scale, c.verdict), _label(scale, c.previous))
                    for c in history.of(path))
    return ClaimFile(history.state, entries, path in history.uncommitted, site.edit_url(path),
                     site.history_url(path), site.report_url(exports.claim_url(site, claim)))


FEED_SIZE = 50  # entries per feed: readers want what is recent; the full record is on the site and in claims.json
SITE_PAGES = 12  # the site-wide files besides the listing pages (home, methodology, feeds, listing indexes, admin/...)


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
    """Renders the docs folder's files. Each page (or group of pages rendered together) is asked of `once` with the
    inputs it shows, so the preview, which passes its memo (factcheck/memo.py), re-renders only the pages whose
    inputs an edit changed; a build passes nothing and renders everything. The renderer itself is among the inputs:
    a new one (other templates or site settings) renders everything again."""

    def __init__(self, site: Site, templates: Path, once: Once = fresh):
        self.site, self.templates = site, templates
        self.env = environment(templates)
        self.once = once
        # Compiled now, so a syntax error stops the build before any write (the .j2 files: admin/'s script and
        # stylesheet are copied as they are).
        for name in self.env.list_templates(extensions=["j2"]):
            self.env.get_template(name)

    def _once(self, key: tuple, inputs: tuple, make):
        return self.once(("render", *key), (self, *inputs), make)

    def _view(self, publication: Publication, article: Article) -> ArticleView:
        claims = publication.claims_of(article)
        spans = tuple(publication.spans[(c.article, c.id)] for c in claims)
        return self._once(("view", article.slug), (article, claims, spans, publication.scale),
                          lambda: article_view(publication, article))

    def images(self, publication: Publication) -> dict[str, share.ShareImage]:
        """Every share image (laid out, not drawn), by its path in the docs folder."""
        found: dict[str, share.ShareImage] = {}
        for article in publication.articles:
            found.update(self._once(
                ("images", article.slug), (article, publication.claims_of(article), publication.scale, self.site),
                lambda: share.share_images_of(publication, article, self.site.name, self.site.url, format_date)))
        return found

    def _article_files(self, publication: Publication, view: ArticleView, images: dict,
                       slugs: dict[str, str]) -> tuple[dict[str, str], list]:
        """An article's page, its claims' pages, and its claims' parts of the exports. Rendered together: every
        claim page shows its article (the view), so an edit to one claim changes the inputs of them all. `slugs`:
        each claimant's address (listings.Archive)."""
        site, scale, article = self.site, publication.scale, view.article
        shown = tuple(images[path] for path in (article.permalink + share.NAME,
                                                *(c.permalink + share.NAME for c in view.claims)))
        record = publication.history
        changes = (record.state, tuple((record.of(c.source_file), c.source_file in record.uncommitted)
                                       for c in view.claims))
        claimants = tuple((who, slugs[who.name]) if (who := publication.claimant_of(c)) else (None, None)
                          for c in view.claims)

        def render() -> tuple[dict[str, str], list]:
            common = {"scale": scale, "site": site}
            pages = {article.page_file: self.env.get_template("article.md.j2").render(
                view=view, share=shown[0], **common)}
            claim_template = self.env.get_template("claim.md.j2")
            for claim, image, (claimant, slug) in zip(view.claims, shown[1:], claimants):
                pages[claim.page_file] = claim_template.render(
                    view=view, claim=claim, share=image, claimant=claimant, claimant_slug=slug,
                    claim_review=exports.claim_review(site, scale, article, claim),
                    file=claim_file(site, publication, claim), **common)
            # Each claim's share of the exports (exports.py joins them into byte for byte what one json.dumps or
            # one CSV writer over every claim gives).
            return pages, [exports.claim_chunks(site, publication, claim) for claim in view.claims]

        return self._once(("article", article.slug), (view, shown, scale, site, changes, claimants), render)

    def _listing_files(self, archive: listings.Archive, scale) -> Iterator[tuple[str, str]]:
        """The index of claimants, of topics and of verdicts, and every page of each one's claims."""
        common = {"scale": scale, "site": self.site}
        index, listing = self.env.get_template("listing-index.md.j2"), self.env.get_template("listing.md.j2")
        for kind, entries in archive.listings.items():
            shown = tuple(entry for entry, _ in entries)
            yield f"{kind}/index.md", self._once(("listing index", kind), (shown, scale, self.site),
                                                 lambda: index.render(kind=kind, listings=shown, **common))
        for page in archive.pages():
            yield page.file, self._once(("listing", page.file), (page, scale, self.site),
                                        lambda: listing.render(page=page, **common))

    def pages(self, publication: Publication, images: dict[str, share.ShareImage]) -> Iterator[tuple[str, str]]:
        """Every generated text file of the docs folder, as (relative path, text), article by article (so a build
        can write each as it comes, rather than hold the whole folder in memory), with the site-wide pages in
        between, then the exports. A build renders the articles on every core, and the site-wide pages here
        meanwhile; the preview, whose memo lives in this process, renders everything here."""
        views = sorted((self._view(publication, a) for a in publication.articles),
                       key=lambda v: (v.checked or dt.date.min, v.article.slug), reverse=True)
        in_order = tuple(c for v in views for c in v.claims)
        # Before the articles: a claim page links its claimant's listing, whose address the archive gives.
        archive = self._once(("archive",), (in_order, publication.articles, publication.topics, publication.scale),
                             lambda: listings.archive(publication, in_order))
        site_wide = self._site_files(publication, views, in_order, archive)
        # Spread over the articles, so the last site-wide page is done about when the workers' last article is.
        step = -(-(len(archive.pages()) + SITE_PAGES) // max(1, len(views)))
        records: list = []
        for article_pages, article_records in self._articles(publication, views, images, archive.claimant_slugs):
            yield from article_pages.items()
            records += article_records
            yield from itertools.islice(site_wide, step)  # while the workers render the next articles
        yield from site_wide
        records = tuple(records)
        yield "claims.json", self._once(("claims.json",), (records,), lambda: exports.claims_json_from(
            self.site, [json for json, _ in records]))
        yield "claims.csv", self._once(("claims.csv",), (records,), lambda: exports.claims_csv_from(
            [row for _, row in records]))

    def _site_files(self, publication: Publication, views: list[ArticleView], in_order: tuple[Claim, ...],
                    archive: listings.Archive) -> Iterator[tuple[str, str]]:
        """The pages that are not an article's: home, methodology, corrections, the verdicts' style sheet, the
        feeds and the listings."""
        env, site, scale = self.env, self.site, publication.scale
        updates = self._once(("updates",), (publication.claims, publication.articles),
                             lambda: corrections(publication))
        newest = self._once(("newest",), (in_order,), lambda: tuple(
            sorted(in_order, key=lambda c: (c.checked, c.article, c.id), reverse=True)))
        common = {"scale": scale, "site": site}
        cards = tuple(ArticleCard(v.article, v.scorecard, v.checked) for v in views)
        yield "index.md", self._once(("home",), (cards, scale, site), lambda: env.get_template(
            "home.md.j2").render(views=cards, **common))
        yield "methodology.md", self._once(("methodology",), (scale, site), lambda: env.get_template(
            "methodology.md.j2").render(**common))
        # In a folder of its own, like its URL (corrections/): links in its HTML are then relative to the same
        # place for MkDocs (the URL) and Zensical (the Markdown file).
        yield "corrections/index.md", self._once(("corrections",), (updates, scale, site), lambda: env.get_template(
            "corrections.md.j2").render(corrections=updates, **common))
        yield "assets/stylesheets/ratings.css", self._once(("ratings.css",), (scale, site), lambda: env.get_template(
            "ratings.css.j2").render(**common))
        yield "feed-fact-checks.xml", self._once(
            ("feed", "fact-checks"), (newest[:FEED_SIZE], scale, site), lambda: env.get_template("feed.xml.j2").render(
                feed="fact-checks", title=f"{site.name}: new fact-checks", claims=newest[:FEED_SIZE], **common))
        yield "feed-corrections.xml", self._once(
            ("feed", "corrections"), (updates[:FEED_SIZE], scale, site), lambda: env.get_template("feed.xml.j2").render(
                feed="corrections", title=f"{site.name}: corrections and updates", corrections=updates[:FEED_SIZE],
                **common))
        yield from self._listing_files(archive, scale)
        shown = (publication.articles, scale, publication.topics, site, fields.of("claim"), fields.of("article"))
        yield from self._once(("admin",), shown,  # the web editor's page and configuration (admin/)
                              lambda: cms.files(publication, site, env, self.templates)).items()

    def _articles(self, publication: Publication, views: list[ArticleView], images: dict,
                  slugs: dict[str, str]) -> Iterator[tuple]:
        if self.once is not fresh or not cores.available():
            yield from (self._article_files(publication, view, images, slugs) for view in views)
            return
        global _job
        _job = (self, publication, views, images, slugs)  # what the forked workers read
        try:
            for result in cores.imap(_render_article, list(range(len(views)))):
                if isinstance(result, Problem):
                    raise TemplateFailure(result)
                yield result
        finally:
            _job = None


_job: tuple | None = None


class TemplateFailure(Exception):
    """A template error in a worker, already located there (its traceback does not cross the process boundary)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _render_article(index: int) -> tuple | Problem:
    renderer, publication, views, images, slugs = _job
    try:
        return renderer._article_files(publication, views[index], images, slugs)
    except jinja2.TemplateError as error:
        return template_problem(error, renderer.templates)


def template_problem(error: jinja2.TemplateError, templates: Path) -> Problem:
    """A template that cannot be compiled or rendered, as one problem at its file and line: where Jinja says for a
    syntax error, else the innermost template in the traceback (an undefined name, a missing include...)."""
    path, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not isinstance(error, jinja2.TemplateSyntaxError) or not path:
        folder = templates.resolve()
        frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).is_relative_to(folder)]
        path, line = (frames[-1].filename, frames[-1].lineno) if frames else (templates, None)
    return Problem(Path(path), f"template: {characters.snippet(str(error).split(chr(10))[0], 200)}", line)


def render_pages(publication: Publication, site: Site, templates: Path) -> dict[str, str]:
    """Every generated text file of the docs folder, as relative path -> text."""
    renderer = Renderer(site, templates)
    return dict(renderer.pages(publication, renderer.images(publication)))
