"""What one build is asked to do, decided once: by build.py's command line, or by the serve hook for `make serve`.

Every default is spelled here and nowhere else (the docs folder, the site folder, the caches under the root, the
project's templates and mkdocs.yml). Light on purpose: the link checker (build.py sources) reads the site's name and
address from here without importing the pipeline, Pillow or Jinja.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from . import load
from .model import Problem, Site

PROJECT = Path(__file__).resolve().parent.parent  # the templates, schemas and default content live here
TEMPLATES = PROJECT / "templates"
CONFIG = PROJECT / "mkdocs.yml"
CACHE = Path(".cache")  # under the root, gitignored: what a build may forget (share images, language answers...)
IMAGE_CACHE_VARIABLE = "FACTCHECK_IMAGE_CACHE"  # moves the share-image cache, like --image-cache


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
class Options:
    """One build's settings: where it reads and writes, and the publication's settings from mkdocs.yml."""

    site: Site
    root: Path  # holds content/ and claims/
    out: Path  # the generated docs folder
    config: Path  # mkdocs.yml
    templates: Path
    image_cache: Path  # share images, by a hash of what they show
    languages: Path  # the language identifier's answers
    site_dir: Path | None = None  # with it, the site engine builds the site there
    engine: str = "mkdocs"


def options(root: Path = PROJECT, *, out: Path | None = None, config: Path | None = None,
            templates: Path | None = None, image_cache: Path | None = None, with_site: bool = False,
            site_dir: Path | None = None, engine: str = "mkdocs") -> Options | Problem:
    """The options for a build of `root` (`with_site`: and of its site), every setting not given at its default;
    a Problem when mkdocs.yml cannot give the site settings."""
    config = config or CONFIG
    site = read_site_settings(config)
    if isinstance(site, Problem):
        return site
    image_cache = image_cache or os.environ.get(IMAGE_CACHE_VARIABLE) or root / CACHE / "share-images"
    return Options(site=site, root=root, out=out or root / "generated", config=config,
                   templates=templates or TEMPLATES, image_cache=Path(image_cache),
                   languages=root / CACHE / "languages.json",
                   site_dir=(site_dir or root / "site") if with_site else None, engine=engine)
