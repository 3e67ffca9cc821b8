"""What one build is asked to do, decided once: by build.py's command line, or by the serve hook for `make serve`.
The site settings come from mkdocs.yml, where SITE_URL, REPO_URL and REPO_BRANCH in the environment override the
address, the repository and its branch, so one commit can be built for any address; CMS_AUTH_URL and
CMS_SITE_DOMAIN likewise override how the web editor logs editors in (extra.editor), and CMS_LOCAL_BACKEND (make
edit) points it at the local git proxy.

Every default is spelled here and nowhere else (the docs folder, the site folder, the caches under the root, the
project's templates and mkdocs.yml). Light on purpose: the link checker (build.py sources) reads the site's name and
address from here without importing the pipeline, Pillow or Jinja.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import characters, load, validate
from .model import EditorLogin, Problem, Site

PROJECT = Path(__file__).resolve().parent.parent  # the templates, schemas and default content live here
TEMPLATES = PROJECT / "templates"
CONFIG = PROJECT / "mkdocs.yml"
CACHE = Path(".cache")  # under the root, gitignored: what a build may forget (share images, language answers...)
IMAGE_CACHE_VARIABLE = "FACTCHECK_IMAGE_CACHE"  # moves the share-image cache, like --image-cache


def today() -> dt.date:
    """The reference date for "not in the future" checks; SOURCE_DATE_EPOCH pins it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


# Names that can never be a published address: example.org/.com/.net (RFC 2606) and the special-use top-level
# domains (RFC 2606, RFC 6761).
PLACEHOLDER_DOMAINS = ("example.org", "example.com", "example.net")
PLACEHOLDER_TLDS = ("example", "test", "invalid", "localhost")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")  # a host name: CMS_SITE_DOMAIN
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
    extra.publisher (name, url: the site's address unless set), extra.repository (url, branch) and extra.editor
    (auth_url, site_domain), where SITE_URL, REPO_URL, REPO_BRANCH, CMS_AUTH_URL and CMS_SITE_DOMAIN in the
    environment override them; CMS_LOCAL_BACKEND comes from the environment only."""
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
    editor = extra.get("editor") if isinstance(extra.get("editor"), dict) else {}
    url, url_name = _setting("SITE_URL", data["site_url"], "site_url")
    repo_url, repo_name = _setting("REPO_URL", repository.get("url"), "extra.repository.url")
    branch, branch_name = _setting("REPO_BRANCH", repository.get("branch") or "main", "extra.repository.branch")
    publisher_url = publisher.get("url") or url
    for value, name in ((url, url_name), (repo_url, repo_name), (publisher_url, "extra.publisher.url")):
        if wrong := _address_problem(value):
            return Problem(config, f"{name} {wrong}")
    if not isinstance(branch, str) or not _BRANCH.match(branch):
        return Problem(config, f"{branch_name} is not a branch name: {characters.snippet(str(branch))}")
    login = _editor_login(editor)
    if isinstance(login, str):
        return Problem(config, login)
    url = url.rstrip("/") + "/"
    return Site(name=data["site_name"], url=url, publisher=publisher.get("name") or data["site_name"],
                publisher_url=publisher.get("url") or url,
                repo_url=repo_url.rstrip("/").removesuffix(".git"), repo_branch=branch, editor=login)


def _editor_login(editor: dict) -> EditorLogin | str:
    """The web editor's login settings (all optional), or what is wrong with one."""
    auth_url, auth_name = _setting("CMS_AUTH_URL", editor.get("auth_url"), "extra.editor.auth_url")
    domain, domain_name = _setting("CMS_SITE_DOMAIN", editor.get("site_domain"), "extra.editor.site_domain")
    local = os.environ.get("CMS_LOCAL_BACKEND") or None
    for value, name in ((auth_url, auth_name), (local, "CMS_LOCAL_BACKEND")):
        if value and (wrong := _address_problem(value)):
            return f"{name} {wrong}"
    if domain and (not isinstance(domain, str) or not _DOMAIN.match(domain)):
        return f"{domain_name} is not a domain name: {characters.snippet(str(domain))}"
    return EditorLogin(auth_url=auth_url or None, site_domain=domain or None, local_backend=local)


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


@dataclass(frozen=True)
class Options:
    """One build's settings: where it reads and writes, and the publication's settings from mkdocs.yml."""

    site: Site
    root: Path  # holds content/ and claims/
    out: Path  # the generated docs folder
    config: Path  # mkdocs.yml
    templates: Path
    image_cache: Path  # share images, by a hash of what they show
    languages: Path  # the language identifier's answers
    forms: Path  # the YAML form check's answers (yamlform.FormCheck)
    site_dir: Path | None = None  # with it, the site engine builds the site there
    engine: str = "mkdocs"
    deploy: bool = False  # a build to publish: placeholder addresses and a cut history are refused


def options(root: Path = PROJECT, *, out: Path | None = None, config: Path | None = None,
            templates: Path | None = None, image_cache: Path | None = None, with_site: bool = False,
            site_dir: Path | None = None, engine: str = "mkdocs", deploy: bool = False) -> Options | Problem:
    """The options for a build of `root` (`with_site`: and of its site), every setting not given at its default;
    a Problem when mkdocs.yml cannot give the site settings."""
    config = config or CONFIG
    site = read_site_settings(config)
    if isinstance(site, Problem):
        return site
    image_cache = image_cache or os.environ.get(IMAGE_CACHE_VARIABLE) or root / CACHE / "share-images"
    return Options(site=site, root=root, out=out or root / "generated", config=config,
                   templates=templates or TEMPLATES, image_cache=Path(image_cache),
                   languages=root / CACHE / "languages.json", forms=root / CACHE / "forms.json",
                   site_dir=(site_dir or root / "site") if with_site else None, engine=engine, deploy=deploy)
