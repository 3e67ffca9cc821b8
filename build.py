#!/usr/bin/env python3
"""Build the fact-check site: load → validate → anchor → render → write, then (with --site) MkDocs.

    python build.py            generate the docs folder from content/, claims/ and templates/
    python build.py --site     ... and build site/ with MkDocs (strict), swapped in only on success
    python build.py --site --engine zensical   ... the same with Zensical, Material's successor
    python build.py --site --deploy   ... for publishing: refuses placeholder addresses and a cut history
    python build.py diff REF   summarise, as Markdown, what changed in claims since the git ref REF
    python build.py sources    check every source link; --archive records archived copies (see factcheck/sources.py)
    python build.py fmt        write articles and claims in the web editor's YAML form (--check: only report)

Exit status: 0 success, 1 content errors (each printed as file:line:col: message), 2 usage errors or output folders
and caches that are not the build's own, 3 the machine failed the build (a full disk, a read-only folder, too little
memory), 130 interrupted (Ctrl-C), 143 stopped (SIGTERM); each of these last ones with one line saying so.
The pipeline lives in the factcheck package (factcheck/pipeline.py); this file is only its command line.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

# numpy (under the language identifier) would start one BLAS thread per core, each with buffers, for one small dot
# product: one is enough, and under a tight memory limit their allocation failing ends the process with no message.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from factcheck import characters, engine, pipeline, settings  # noqa: E402 (after the setting above)
from factcheck.model import Problem  # noqa: E402
from factcheck.report import report

ROOT = settings.PROJECT


class Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that every `finally` cleans up on the way out."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """The command, ending with one clear message whatever stops it: an interruption, a full disk, a read-only
    folder, too little memory. The published site is swapped in whole or not at all, so it is as it was."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return _stopped("interrupted (Ctrl-C)", 130)
    except Terminated:
        return _stopped("stopped (SIGTERM)", 143)
    except MemoryError:
        return _stopped("out of memory", 3)
    except BrokenProcessPool:
        return _stopped("a worker process (rendering pages or drawing share images) died (out of memory?)", 3)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        return _stopped(f"{where}{error.strerror or error}", 3)


def _stopped(why: str, status: int) -> int:
    print(characters.printable(f"build.py: {why}; nothing more was written, and the published site is as it was"),
          file=sys.stderr)
    return status


def run(argv: list[str]) -> int:
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
    parser.add_argument("--deploy", action="store_true",
                        help="a build to publish (CI's Pages build): refuse placeholder addresses (SITE_URL, REPO_URL) "
                             "and a shallow or missing git history before writing anything")
    parser.add_argument("--config", type=Path, help="the MkDocs config (default: the project's mkdocs.yml)")
    parser.add_argument("--image-cache", type=Path, help=f"share image cache (default: ROOT/{settings.CACHE}/share-images,"
                                                         f" or ${settings.IMAGE_CACHE_VARIABLE})")
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
    if args.deploy and not args.site:
        parser.error("--deploy builds the site to publish: use it with --site")

    options = settings.options(args.root, out=args.out, config=args.config, image_cache=args.image_cache,
                               with_site=args.site, site_dir=args.site_dir, engine=args.engine, deploy=args.deploy)
    if isinstance(options, Problem):
        report([options], args.root)
        return 1
    outcome = pipeline.build(options)
    if outcome.summary:
        print(outcome.summary)
    if outcome.problems:
        report(outcome.problems, args.root)
    return outcome.status


if __name__ == "__main__":
    sys.exit(main())
