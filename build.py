#!/usr/bin/env python3
"""Build the fact-check site: load → validate → anchor → render → write, then (with --site) MkDocs.

    python build.py            generate the docs folder from content/, claims/ and templates/
    python build.py --site     ... and build site/ with MkDocs (strict), swapped in only on success
    python build.py --site --engine zensical   ... the same with Zensical, Material's successor
    python build.py diff REF   summarise, as Markdown, what changed in claims since the git ref REF
    python build.py sources    check every source link; --archive records archived copies (see factcheck/sources.py)
    python build.py fmt        write articles and claims in the web editor's YAML form (--check: only report)

Exit status: 0 success, 1 content errors (each printed as file:line:col: message), 2 usage errors.
The pipeline lives in the factcheck package (factcheck/pipeline.py); this file is only its command line.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from factcheck import engine, pipeline
from factcheck.report import report

ROOT = pipeline.PROJECT


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sources"]:  # a command with options of its own (--root, --archive...): see its --help
        from factcheck import sources
        return sources.main(argv[1:], ROOT)
    if argv[:1] == ["fmt"]:  # put articles and claims in the web editor's YAML form (make fmt)
        from factcheck import yamlform
        return yamlform.main(argv[1:], ROOT)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="folder holding content/ and claims/")
    parser.add_argument("--out", type=Path, help="generated docs folder (default: ROOT/generated)")
    parser.add_argument("--site", action="store_true", help="also build site/ with the site engine")
    parser.add_argument("--engine", choices=engine.ENGINES, default="mkdocs",
                        help="site engine for --site: mkdocs (default, strict) or zensical (its successor)")
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
        status, text, problems = diff.run(args.root, args.command[1])
        if text:
            print(text)
        report(problems, args.root)
        return status

    site_dir = (args.site_dir or args.root / "site") if args.site else None
    outcome = pipeline.build(args.root, args.out or args.root / "generated", args.config, site_dir,
                             args.image_cache or args.root / ".cache" / "share-images", engine_name=args.engine)
    if outcome.summary:
        print(outcome.summary)
    if outcome.problems:
        report(outcome.problems, args.root)
    return outcome.status


if __name__ == "__main__":
    sys.exit(main())
