"""The build, top to bottom: load → validate → anchor → (rules) → render → share → write → site engine.

One sequence for every caller: build.py runs it once with no memory; the preview (factcheck/preview.py) runs it on
every edit with the Memory it keeps, so only what an edit changed is read, checked, rendered and written again.
Every stage returns its problems; nothing here prints or exits (build.py does). Errors in the content stop the build
before anything is written (so do broken templates: they are compiled first); warnings travel with a successful
result.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import jinja2

from . import (anchor, cms, engine, history, language, load, manifest, render, rules, settings, share, validate, write,
               yamlform)
from .memo import Memo, Once, fresh
from .model import History, Problem, Publication, Site
from .settings import TEMPLATES, PROJECT, Options, today


@dataclass(frozen=True)
class Assembly:
    """Everything before writing: the publication, its pages (rendered as they are read) and share images (laid
    out, not drawn), or the errors that stopped it; warnings either way."""

    publication: Publication | None
    pages: Iterable[tuple[str, str]]  # (docs path, text)
    problems: tuple[Problem, ...]
    images: dict = field(default_factory=dict)  # docs path -> share.ShareImage

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def _templates_digest(folder: Path) -> str:
    """The names and bytes of every template: a renderer is made again when they change (the preview)."""
    digest = hashlib.blake2b()
    manifest.hash_tree(digest, folder, "templates")
    return digest.hexdigest()


def fingerprint(root: Path, config: Path, site: Site) -> str:
    """manifest.fingerprint of the inputs, with the settings as read (the environment overrides mkdocs.yml) and
    the git revision the claims' history is read from (a new commit changes the pages)."""
    return manifest.fingerprint(PROJECT, root, config, today(), f"{site!r} {history.revision(root)}")


def assemble(options: Options, *, read=load.read_file, once: Once = fresh, record: History | None = None) -> Assembly:
    """Read and check all inputs and lay out the share images; the pages are rendered as `pages` is read (a build
    writes each as it comes). Pure apart from reading; `record` (the claims' history, factcheck/history.py) is
    read by the caller.

    The preview passes what it keeps between edits: `read` (returns the parsed file it has when the file did not
    change) and `once` (its memo). A build passes nothing."""
    root, site = options.root, options.site
    # A build (no memory) leaves the claims to validation, which reads and checks them on every core.
    sources = load.read_sources(root / "content", root / "claims", read, yamlform.FormCheck(),
                                read_claims=once is not fresh)
    scale, topics, articles, claims, problems = validate.validate(sources, today(), once)
    del sources  # the parsed documents are not needed after validation: a large build's memory
    spans, anchor_problems = anchor.anchor_claims(articles, claims, once)
    problems += anchor_problems
    by_article: dict[str, list] = {}
    for claim in claims:
        if (claim.article, claim.id) in spans:
            by_article.setdefault(claim.article, []).append((spans[(claim.article, claim.id)], claim))
    for article in articles:
        placed = by_article.get(article.slug, [])
        problems += once(("article rules", article.slug), (article, tuple(placed)),
                         lambda: tuple(rules.article_problems(article, placed)))
    if scale is not None:
        problems += cms.schema_problems(scale)
    if scale is None or any(p.is_error for p in problems):
        return Assembly(None, (), tuple(problems))
    publication = Publication(scale, articles, claims, spans, record or History("unavailable"), topics)
    renderer = once(("renderer",), (site, _templates_digest(options.templates)),
                    lambda: render.Renderer(site, options.templates, once))
    images = renderer.images(publication)
    return Assembly(publication, renderer.pages(publication, images), tuple(problems), images)


@dataclass
class Memory:
    """What the preview keeps between builds (a build keeps nothing): how it reads files, its memo, the claims'
    history (read from git once, when the preview starts: restart it to see new commits) and the docs folder as it
    last wrote it, so the next build compares with that instead of reading the folder back."""

    read: object = load.read_file
    once: Memo = field(default_factory=Memo)
    history: History | None = None
    written: dict | None = None  # docs path -> content; None until the first build


def untrusted_output(options: Options) -> list[Problem]:
    """Links or committed files where the build writes its output and keeps its caches (see write.untrusted_output):
    the docs folder, the site and the folder its last version is moved to, the image, language and form caches, and
    the .cache folder (Zensical keeps its own cache there)."""
    paths = [options.out, options.image_cache, options.root / settings.CACHE, options.languages, options.forms]
    if options.site_dir:
        paths += [options.site_dir, options.site_dir.with_name(f".{options.site_dir.name}.old")]
    return write.untrusted_output(options.root, paths)


@dataclass(frozen=True)
class Outcome:
    # 0 built, 1 content errors, 2 an output folder or cache is not ours (a link, committed files) or a deploy build
    # is not publishable
    status: int
    problems: tuple[Problem, ...]
    summary: str = ""
    written: tuple[str, ...] = ()  # docs files written (relative paths)
    removed: tuple[str, ...] = ()


def build(options: Options, memory: Memory | None = None) -> Outcome:
    """Generate the docs folder `options.out` from `options.root`; with `options.site_dir`, also build the site
    there. Share images are drawn only when what they show changed (kept in `options.image_cache`). With `memory`
    (the preview), only what changed since the last build with it is done again. `options.deploy` (a build to
    publish) refuses placeholder addresses and an incomplete history before writing anything."""
    out, first, root = options.out, memory is None or memory.written is None, options.root
    if first and (wrong := untrusted_output(options)):
        return Outcome(2, tuple(wrong))
    if first and (wrong := write.ownership_problem(out)):
        return Outcome(2, (wrong,))
    if options.deploy and (refused := settings.deployment_problems(options.site, options.config,
                                                                   history.revision(root)[0])):
        return Outcome(2, tuple(refused))
    # Fingerprinted before anything is read, so an edit made during the build is seen by the next one; other
    # templates than the project's are not in the fingerprint.
    inputs = fingerprint(root, options.config, options.site) if first and options.templates == TEMPLATES else None
    # A site build needs the publication; the preview's first build loads it.
    if inputs and memory is None and not options.site_dir and (
            unchanged := manifest.unchanged(out, inputs)) is not None:
        return Outcome(0, (), f"generated {unchanged} files in {out}: 0 written, 0 removed, {unchanged} unchanged")
    record = memory.history if memory else None
    if record is None:
        try:
            record = history.read(root)
        except history.HistoryError as error:
            return Outcome(1, (Problem(root / "claims", str(error)),))
        if memory:
            memory.history = record
    once = memory.once if memory else fresh
    language.remember(options.languages)
    yamlform.remember(options.forms)
    try:
        assembly = assemble(options, read=memory.read if memory else load.read_file, once=once, record=record)
        language.keep(options.languages)
        yamlform.keep(options.forms)
        if assembly.errors:
            return Outcome(1, assembly.problems)
        images = share.render_images(assembly.images, options.image_cache, once=once)
        files = itertools.chain(assembly.pages, images.files.items())  # pages rendered as they are written
        if memory is None:  # write as rendered: a large build never holds its whole docs folder in memory
            # The docs folder changes only once every page is rendered: a build stopped before leaves it as it was.
            report = write.write_tree(out, files, before_changes=functools.partial(manifest.forget, out))
            count, written, removed = report.unchanged + len(report.written), report.written, report.removed
            if inputs:
                manifest.record(out, inputs)
        else:
            count, written, removed = _write_from_memory(out, dict(files), memory, inputs)
    except (jinja2.TemplateError, render.TemplateFailure) as error:  # a template being edited: say where
        problem = error.problem if isinstance(error, render.TemplateFailure) else render.template_problem(
            error, options.templates)
        return Outcome(1, (problem,))
    summary = (f"generated {count} files in {out}: {len(written)} written, {len(removed)} removed, "
               f"{count - len(written)} unchanged; {images.drawn} share image(s) drawn")
    problems = assembly.problems
    if options.site_dir:
        claims = assembly.publication.claims
        latest = max(c.modified for c in claims) if claims else dt.date(2000, 1, 1)
        problems += tuple(engine.build_site(options.config, out, options.site_dir, latest, options.engine,
                                            options.site.url))
        if any(p.is_error for p in problems):
            return Outcome(1, problems, summary, written, removed)
    return Outcome(0, problems, summary, written, removed)


def _write_from_memory(out: Path, files: dict, memory: Memory, inputs: str | None):
    """The preview's write: the first compares with the docs folder on disk (an earlier build may have left it),
    the next ones with what it last wrote, so the folder is not read back."""
    if memory.written is None:
        report = write.write_tree(out, files, before_changes=functools.partial(manifest.forget, out))
        written, removed = report.written, report.removed
        if inputs:
            manifest.record(out, inputs)
    else:
        changed = {path: content for path, content in files.items()
                   if (before := memory.written.get(path)) is not content and before != content}
        removed = tuple(sorted(memory.written.keys() - files.keys()))
        if changed or removed:
            manifest.forget(out)  # the docs folder no longer matches it
            write.write_changes(out, changed, list(removed))
        written = tuple(sorted(changed))
    memory.written = files
    memory.once.forget_unasked()
    return len(files), written, removed
