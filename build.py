#!/usr/bin/env python3
"""Build the fact-check site: load → validate → anchor → render → write, then (with --site) MkDocs.

    python build.py            generate the docs folder from content/, claims/ and templates/
    python build.py --site     ... and build site/ with MkDocs (strict), swapped in only on success
    python build.py diff REF   summarise, as Markdown, what changed in claims since the git ref REF

Exit status: 0 success, 1 content errors (each printed as file:line:col: message), 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import logging
import os
import sys
import tempfile
from pathlib import Path

from factcheck import anchor, load, manifest, render, share, validate, write
from factcheck.model import Problem, Publication

ROOT = Path(__file__).resolve().parent


def today() -> dt.date:
    """The reference date for "not in the future" checks; SOURCE_DATE_EPOCH pins it for reproducible runs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()


def report(problems: list[Problem], root: Path) -> None:
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in (p.relative_to(root.resolve()) for p in problems):
        print(problem, file=sys.stderr)
        if annotate:
            where = f"file={_escape(problem.path.as_posix(), ':,')}" + (
                f",line={problem.line}" if problem.line else "") + (f",col={problem.column}" if problem.column else "")
            print(f"::error {where}::{_escape(problem.message)}", file=sys.stderr)
    print(f"{len(problems)} problem(s); nothing was written.", file=sys.stderr)


def _escape(text: str, also: str = "") -> str:
    """GitHub workflow-command escaping: a message may not break the command's line or its fields."""
    for character in "%\r\n" + also:
        text = text.replace(character, f"%{ord(character):02X}")
    return text


def read_site_settings(config: Path) -> render.Site:
    document = load.load_yaml(config)
    data = document.data
    if not isinstance(data, dict) or not data.get("site_url") or not data.get("site_name"):
        raise load.LoadError(Problem(config, "site_name and site_url are required: canonical links, feeds and "
                                             "ClaimReview are built from them"))
    url = data["site_url"].rstrip("/") + "/"
    publisher = data.get("extra", {}).get("publisher", {})
    return render.Site(name=data["site_name"], url=url, publisher=publisher.get("name", data["site_name"]),
                       publisher_url=publisher.get("url", url))


def _without_cyclic_gc(function):
    """Run `function` with Python's cycle collector paused. The pipeline keeps nearly everything it makes until it
    returns, so each collection would only walk the growing heap again: at 8,000 claims that was a tenth of the
    build, and growing faster than the publication. Reference counting still frees memory as usual."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


@_without_cyclic_gc
def assemble(root: Path, site: render.Site) -> tuple[Publication | None, dict[str, str], list[Problem]]:
    """Everything before writing: read and check all inputs, then render every page. Pure apart from reading."""
    sources = load.read_sources(root / "content", root / "claims")
    scale, articles, claims, problems = validate.validate(sources, today())
    spans, anchor_problems = anchor.anchor_claims(articles, claims)
    problems += anchor_problems
    if problems or scale is None:
        return None, {}, problems
    publication = Publication(scale, articles, claims, spans)
    return publication, render.render_pages(publication, site, ROOT / "templates"), []


def build_site(config: Path, docs: Path, site_dir: Path, publication: Publication) -> bool:
    """Run MkDocs into a temporary folder and swap it in, so a failed build leaves the published site as it was."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    # MkDocs reports broken links and anchors as log warnings (strict mode then aborts): show them to the editor.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s: %(message)s"))
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)

    latest = max(c.modified for c in publication.claims) if publication.claims else dt.date(2000, 1, 1)
    # MkDocs stamps the sitemap with the build date: take it from the content, not the clock.
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(dt.datetime.combine(
        latest, dt.time(), dt.timezone.utc).timestamp())))
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=site_dir.parent, prefix=".site-") as temporary:
        built = Path(temporary) / "site"
        try:
            build(load_config(str(config), docs_dir=str(docs), site_dir=str(built), strict=True))
        except MkDocsException as error:
            print(f"mkdocs: {error}; the site was not changed.", file=sys.stderr)
            return False
        write.replace_dir(built, site_dir)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="folder holding content/ and claims/")
    parser.add_argument("--out", type=Path, help="generated docs folder (default: ROOT/generated)")
    parser.add_argument("--site", action="store_true", help="also build site/ with MkDocs")
    parser.add_argument("--site-dir", type=Path, help="where --site puts the site (default: ROOT/site)")
    parser.add_argument("--config", type=Path, default=ROOT / "mkdocs.yml")
    parser.add_argument("--image-cache", type=Path, default=os.environ.get("FACTCHECK_IMAGE_CACHE"),
                        help="share image cache (default: ROOT/.cache/share-images; env FACTCHECK_IMAGE_CACHE)")
    parser.add_argument("command", nargs="*", help="'diff REF' to summarise changes against a git ref")
    args = parser.parse_args(argv)
    if args.command:
        if args.command[0] != "diff" or len(args.command) != 2:
            parser.error("the only command is 'diff REF'")
        from factcheck import diff
        return diff.main(args.root, args.command[1])

    out = args.out or args.root / "generated"
    # Fingerprinted before anything is read, so an edit made during the build is seen by the next one.
    inputs = manifest.fingerprint(ROOT, args.root, args.config, today())
    unchanged = None if args.site else manifest.unchanged(out, inputs)  # --site needs the publication for MkDocs
    if unchanged is not None:  # same inputs, docs folder as the last build left it: nothing would change
        print(f"generated {unchanged} files in {out}: 0 written, 0 removed, {unchanged} unchanged")
        return 0
    try:
        site = read_site_settings(args.config)
    except load.LoadError as error:
        report([error.problem], args.root)
        return 1
    publication, pages, problems = assemble(args.root, site)
    if problems:
        report(problems, args.root)
        return 1
    # Share images: drawn only when what they show changed, so outside `assemble`, which is pure.
    images = share.render_images(share.share_images(publication, site.name, site.url, render.format_date),
                                 args.image_cache or args.root / ".cache" / "share-images")
    pages.update(images.files)
    manifest.forget(out)
    try:
        result = write.write_tree(out, pages)
    except write.NotOurs as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 2
    manifest.record(out, inputs)
    print(f"generated {len(pages)} files in {out}: {len(result.written)} written, "
          f"{len(result.removed)} removed, {result.unchanged} unchanged; {images.drawn} share image(s) drawn")
    if args.site:
        if not build_site(args.config, out, args.site_dir or args.root / "site", publication):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
