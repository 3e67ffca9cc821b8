"""The build, top to bottom: read settings → load → validate → anchor → (rules) → render → write → site engine.

Every stage returns its problems; nothing here prints or exits (build.py does). Errors stop the build before
anything is written; warnings travel with a successful result.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import anchor, characters, engine, history, language, load, manifest, render, rules, share, validate, write
from .model import History, Problem, Publication, Site

PROJECT = Path(__file__).resolve().parent.parent  # the templates, schemas and default content live here
TEMPLATES = PROJECT / "templates"
LANGUAGES = Path(".cache") / "languages.json"  # under the root: py3langid's answers, so its model loads only for new text


def today() -> dt.date:
    """The reference date for "not in the future" checks; SOURCE_DATE_EPOCH pins it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


# Names that can never be a published address: example.org/.com/.net (RFC 2606) and the special-use top-level
# domains (RFC 2606, RFC 6761).
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")
PLACEHOLDER_TLDS = ("example", "test", "invalid", "localhost")
_BRANCH = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{|\.lock(?:/|$)))[A-Za-z0-9._/-]+(?<![/.])$")


def _setting(variable: str, value: object, key: str) -> tuple[object, str]:
    """The environment overrides mkdocs.yml (an empty variable counts as unset), so one commit can be built for
    any address: (the value, the name a message gives it)."""
    return (os.environ[variable], variable) if os.environ.get(variable) else (value, key)


def _address_problem(value: object) -> str | None:
    if not value:
        return "is required"
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        return f"must be an http(s) address, not {characters.snippet(str(value))}"
    parts = urlsplit(value)
    wrong = validate.url_problem(value) or ((parts.query or parts.fragment) and "has a query or a fragment")
    return f"{characters.snippet(value)} {wrong}" if wrong else None


def read_site_settings(config: Path) -> Site | Problem:
    """The site's name, address, publisher and repository, configured once: mkdocs.yml's site_name, site_url,
    extra.publisher (name, url: the site's address unless set) and extra.repository (url, branch), where SITE_URL,
    REPO_URL and REPO_BRANCH in the environment override the address, the repository and its branch."""
    document = load.load_yaml(config)
    if isinstance(document, Problem):
        return document
    data = document.data
    if not isinstance(data, dict) or not data.get("site_url") or not data.get("site_name"):
        return Problem(config, "site_name and site_url are required: canonical links, feeds and ClaimReview are "
                               "built from them")
    extra = data.get("extra") if isinstance(data.get("extra"), dict) else {}
    publisher = extra.get("publisher") if isinstance(extra.get("publisher"), dict) else {}
    repository = extra.get("repository") if isinstance(extra.get("repository"), dict) else {}
    url, url_name = _setting("SITE_URL", data["site_url"], "site_url")
    repo_url, repo_name = _setting("REPO_URL", repository.get("url"), "extra.repository.url")
    branch, branch_name = _setting("REPO_BRANCH", repository.get("branch") or "main", "extra.repository.branch")
    publisher_url = publisher.get("url") or url
    for value, name in ((url, url_name), (repo_url, repo_name), (publisher_url, "extra.publisher.url")):
        if wrong := _address_problem(value):
            return Problem(config, f"{name} {wrong}")
    if not isinstance(branch, str) or not _BRANCH.match(branch):
        return Problem(config, f"{branch_name} is not a branch name: {characters.snippet(str(branch))}")
    url = url.rstrip("/") + "/"
    return Site(name=data["site_name"], url=url, publisher=publisher.get("name") or data["site_name"],
                publisher_url=publisher.get("url") or url,
                repo_url=repo_url.rstrip("/").removesuffix(".git"), repo_branch=branch)


def placeholder(url: str) -> str | None:
    """The host of `url` when it is a placeholder that cannot be a published address, else None."""
    host = (urlsplit(url).hostname or "").rstrip(".")
    if any(host == d or host.endswith("." + d) for d in PLACEHOLDER_DOMAINS) or \
            host.rpartition(".")[2] in PLACEHOLDER_TLDS:
        return host
    return None


def deployment_problems(site: Site, config: Path, history_state: str) -> list[Problem]:
    """What stops a build for deployment (build.py --deploy): placeholder addresses, which would publish share
    cards, feeds and ClaimReview pointing at a site that does not exist, and a missing or cut git history."""
    problems = []
    for what, url, setting in (("site address", site.url, "SITE_URL"),
                               ("repository address", site.repo_url, "REPO_URL"),
                               ("publisher's address", site.publisher_url, "extra.publisher.url in mkdocs.yml")):
        if (host := placeholder(url)) and (setting == "SITE_URL" or url != site.url):  # the publisher's is the site's
            problems.append(Problem(config, f"the {what} {url} is a placeholder ({host}): set {setting} to the real "
                                            f"one; a deploy build refuses it (README: Publishing a fork)"))
    if history_state != "complete":
        problems.append(Problem(config, f"the history of the claims is {history_state} (a deploy build needs the top "
                                        f"of a complete git clone: actions/checkout with fetch-depth: 0)"))
    return problems


def fingerprint(root: Path, config: Path, site: Site) -> str:
    """manifest.fingerprint of the inputs, with the settings as read (the environment overrides mkdocs.yml) and
    the git revision the claims' history is read from (a new commit changes the pages)."""
    return manifest.fingerprint(PROJECT, root, config, today(), f"{site!r} {history.revision(root)}")


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
             renderer: render.Renderer | None = None, history: History | None = None) -> Assembly:
    """Read and check all inputs, then render every page. Pure apart from reading; `history` (the claims' record
    of changes, factcheck/history.py) is read by the caller.

    The preview passes what it keeps between edits: `read` (returns the parsed file it has when the file did not
    change), `memo` (validated files, anchored articles) and `renderer` (rendered pages). A build passes nothing."""
    sources = load.read_sources(root / "content", root / "claims", read)
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
    if scale is None or any(p.is_error for p in problems):
        return Assembly(None, {}, tuple(problems))
    publication = Publication(scale, articles, claims, spans, history or History("unavailable"))
    renderer = renderer or render.Renderer(site, templates)
    pages = renderer.pages(publication)
    return Assembly(publication, pages, tuple(problems), renderer.images(publication))


def untrusted_output(root: Path, out: Path, image_cache: Path, site_dir: Path | None = None) -> list[Problem]:
    """Links or committed files where the build writes its output and keeps its caches (see write.untrusted_output):
    the docs folder, the site and the folder its last version is moved to, the image and language caches, and the
    .cache folder (Zensical keeps its own cache there)."""
    paths = [out, image_cache, root / ".cache", root / LANGUAGES]
    if site_dir:
        paths += [site_dir, site_dir.with_name(f".{site_dir.name}.old")]
    return write.untrusted_output(root, paths)


@dataclass(frozen=True)
class Outcome:
    # 0 built, 1 content errors, 2 an output folder or cache is not ours (a link, committed files) or a deploy build
    # is not publishable
    status: int
    problems: tuple[Problem, ...]
    summary: str = ""


def build(root: Path, out: Path, config: Path, site_dir: Path | None = None, image_cache: Path | None = None,
          templates: Path = TEMPLATES, engine_name: str = "mkdocs", deploy: bool = False) -> Outcome:
    """Generate the docs folder from `root` into `out`; with `site_dir`, also build the site there. Share images
    are drawn only when what they show changed (kept in `image_cache`, by default ROOT/.cache/share-images).
    `deploy` (a build to publish) refuses placeholder addresses and an incomplete history before writing anything."""
    image_cache = image_cache or root / ".cache" / "share-images"
    if wrong := untrusted_output(root, out, image_cache, site_dir):
        return Outcome(2, tuple(wrong))
    if wrong := write.ownership_problem(out):
        return Outcome(2, (wrong,))
    site = read_site_settings(config)
    if isinstance(site, Problem):
        return Outcome(1, (site,))
    if deploy and (refused := deployment_problems(site, config, history.revision(root)[0])):
        return Outcome(2, tuple(refused))
    # Fingerprinted before anything is read, so an edit made during the build is seen by the next one.
    inputs = fingerprint(root, config, site)
    # A site build needs the publication; other templates than the project's are not in the fingerprint.
    unchanged = None if site_dir or templates != TEMPLATES else manifest.unchanged(out, inputs)
    if unchanged is not None:  # same inputs, docs folder as the last build left it: nothing would change
        return Outcome(0, (), f"generated {unchanged} files in {out}: 0 written, 0 removed, {unchanged} unchanged")
    try:
        record = history.read(root)
    except history.HistoryError as error:
        return Outcome(1, (Problem(root / "claims", str(error)),))
    language.remember(root / LANGUAGES)
    assembly = assemble(root, site, templates, history=record)
    language.keep(root / LANGUAGES)
    if assembly.errors:
        return Outcome(1, assembly.problems)
    images = share.render_images(assembly.images, image_cache)
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
        problems += tuple(engine.build_site(config, out, site_dir, latest, engine_name, site.url))
        if any(p.is_error for p in problems):
            return Outcome(1, problems, summary)
    return Outcome(0, problems, summary)
