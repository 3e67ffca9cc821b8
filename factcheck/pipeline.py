"""The build, top to bottom: read settings → load → validate → anchor → (rules) → render → write → site engine.

Every stage returns its problems; nothing here prints or exits (build.py does). Errors stop the build before
anything is written; warnings travel with a successful result.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import anchor, cms, engine, language, load, manifest, render, rules, share, validate, write, yamlform
from .model import Problem, Publication, Site

PROJECT = Path(__file__).resolve().parent.parent  # the templates, schemas and default content live here
TEMPLATES = PROJECT / "templates"
LANGUAGES = Path(".cache") / "languages.json"  # under the root: py3langid's answers, so its model loads only for new text


def today() -> dt.date:
    """The reference date for "not in the future" checks; SOURCE_DATE_EPOCH pins it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


def read_site_settings(config: Path) -> Site | Problem:
    document = load.load_yaml(config)
    if isinstance(document, Problem):
        return document
    data = document.data
    if not isinstance(data, dict) or not data.get("site_url") or not data.get("site_name"):
        return Problem(config, "site_name and site_url are required: canonical links, feeds and ClaimReview are "
                               "built from them")
    url = data["site_url"].rstrip("/") + "/"
    publisher = (data.get("extra") or {}).get("publisher") or {}
    return Site(name=data["site_name"], url=url, publisher=publisher.get("name", data["site_name"]),
                publisher_url=publisher.get("url", url))


@dataclass(frozen=True)
class Assembly:
    """Everything before writing: the publication, its pages and share images (laid out, not drawn), or the errors
    that stopped it; warnings either way."""

    publication: Publication | None
    pages: dict
    problems: tuple[Problem, ...]
    images: dict = field(default_factory=dict)  # docs path -> share.ShareImage

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def assemble(root: Path, site: Site, templates: Path = TEMPLATES, *, read=load.read_file, memo: dict | None = None,
             renderer: render.Renderer | None = None) -> Assembly:
    """Read and check all inputs, then render every page. Pure apart from reading.

    The preview passes what it keeps between edits: `read` (returns the parsed file it has when the file did not
    change), `memo` (validated files, anchored articles) and `renderer` (rendered pages). A build passes nothing."""
    sources = load.read_sources(root / "content", root / "claims", read, yamlform.form_problem)
    scale, articles, claims, problems = validate.validate(sources, today(), memo)
    spans, anchor_problems = anchor.anchor_claims(
        articles, claims, None if memo is None else memo.setdefault(("quotes",), {}))
    problems += anchor_problems
    by_article: dict[str, list] = {}
    for claim in claims:
        if (claim.article, claim.id) in spans:
            by_article.setdefault(claim.article, []).append((spans[(claim.article, claim.id)], claim))
    for article in articles:
        placed = by_article.get(article.slug, [])
        if memo is None:
            problems += rules.article_problems(article, placed)
            continue
        key, inputs = ("article rules", article.slug), (article, tuple(placed))
        if (hit := memo.get(key)) is None or hit[0] != inputs:
            memo[key] = hit = (inputs, tuple(rules.article_problems(article, placed)))
        problems += hit[1]
    if memo is not None:  # forget deleted articles
        for key in [k for k in memo if k[0] == "article rules" and k[1] not in {a.slug for a in articles}]:
            del memo[key]
    if scale is not None:
        problems += cms.schema_problems(scale)
    if scale is None or any(p.is_error for p in problems):
        return Assembly(None, {}, tuple(problems))
    publication = Publication(scale, articles, claims, spans)
    renderer = renderer or render.Renderer(site, templates)
    pages = renderer.pages(publication)
    return Assembly(publication, pages, tuple(problems), renderer.images(publication))


@dataclass(frozen=True)
class Outcome:
    status: int  # 0 built, 1 content errors, 2 the output folder is not ours
    problems: tuple[Problem, ...]
    summary: str = ""


def build(root: Path, out: Path, config: Path, site_dir: Path | None = None, image_cache: Path | None = None,
          templates: Path = TEMPLATES, engine_name: str = "mkdocs") -> Outcome:
    """Generate the docs folder from `root` into `out`; with `site_dir`, also build the site there. Share images
    are drawn only when what they show changed (kept in `image_cache`, by default ROOT/.cache/share-images)."""
    if wrong := write.ownership_problem(out):
        return Outcome(2, (wrong,))
    # Fingerprinted before anything is read, so an edit made during the build is seen by the next one.
    inputs = manifest.fingerprint(PROJECT, root, config, today(), cms.Settings.from_environment().fingerprint())
    # A site build needs the publication; other templates than the project's are not in the fingerprint.
    unchanged = None if site_dir or templates != TEMPLATES else manifest.unchanged(out, inputs)
    if unchanged is not None:  # same inputs, docs folder as the last build left it: nothing would change
        return Outcome(0, (), f"generated {unchanged} files in {out}: 0 written, 0 removed, {unchanged} unchanged")
    site = read_site_settings(config)
    if isinstance(site, Problem):
        return Outcome(1, (site,))
    language.remember(root / LANGUAGES)
    assembly = assemble(root, site, templates)
    language.keep(root / LANGUAGES)
    if assembly.errors:
        return Outcome(1, assembly.problems)
    images = share.render_images(assembly.images, image_cache or root / ".cache" / "share-images")
    files = {**assembly.pages, **images.files}
    manifest.forget(out)
    result = write.write_tree(out, files)
    manifest.record(out, inputs)
    summary = (f"generated {len(files)} files in {out}: {len(result.written)} written, "
               f"{len(result.removed)} removed, {result.unchanged} unchanged; {images.drawn} share image(s) drawn")
    problems = assembly.problems
    if site_dir:
        claims = assembly.publication.claims
        latest = max(c.modified for c in claims) if claims else dt.date(2000, 1, 1)
        problems += tuple(engine.build_site(config, out, site_dir, latest, engine_name))
        if any(p.is_error for p in problems):
            return Outcome(1, problems, summary)
    return Outcome(0, problems, summary)
